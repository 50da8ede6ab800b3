package runtime

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/durable-go/durable/runtime/internal/expr"
	"github.com/durable-go/durable/runtime/internal/journal"
	"github.com/durable-go/durable/runtime/internal/quote"
	"github.com/durable-go/durable/runtime/store"
	"github.com/oklog/ulid/v2"
	"go.opentelemetry.io/otel/attribute"
)

// Engine executes durable functions: it stores the events it is sent, starts
// the runs they trigger, executes them step by step, and resumes the runs that
// sleep, wait or were left behind by a crashed process.
type Engine struct {
	store   store.Store
	fns     map[string]*Function
	byEvent map[string][]eventTrigger
	crons   []cronTrigger
	events  *eventCatalog // schemas and encryption of catalogued events
	lim     limits        // bounds on events and on the work of their expressions
	log     *slog.Logger
	clock   Clock
	owner   string
	lease   time.Duration
	poll    time.Duration
	// retention has its defaults filled in.
	retention Retention
	// httpOpts configures Handler.
	httpOpts HTTPOptions
	// obs reports traces, metrics and step logs (observe.go).
	obs *observer

	// slots bounds the executions in flight; a token is taken per run.
	slots chan struct{}
	wake  chan struct{}
	// wakeups, set at Start when the store is a store.Notifier, fires when
	// another process commits claimable work.
	wakeups <-chan struct{}
	// runCommits batches the executions' commits of their own runs, when
	// the store is a store.RunCommitter (set at Start).
	runCommits *runCommits
	// sends batches the sends that need no transaction, when the store is
	// a store.EventSender (see sends.go).
	sends *sends
	// flowControlled names the events that start a function with flow
	// control: their sends need a transaction. cancelsOwnTrigger names
	// those that also cancel runs of a function they start: admitting its
	// run inserts a wait (its cancel watch) that the event itself may
	// complete, so its waits are read after admission (see dispatch).
	flowControlled, cancelsOwnTrigger map[string]bool

	mu       sync.Mutex
	running  bool
	stopped  bool
	stopCh   chan struct{}
	execCtx  context.Context
	cancel   context.CancelFunc
	loops    sync.WaitGroup
	inflight sync.WaitGroup
	stopping atomic.Bool
	// claimedWaiting counts claimed runs waiting for a slot.
	claimedWaiting atomic.Int64

	// abandoned holds the runs this engine still leases but stopped
	// executing because the store failed to record what they did; the
	// heartbeat releases them (and renews their leases no more) as soon
	// as the store works again.
	abandonMu   sync.Mutex
	abandoned   map[string]abandonment
	abandonSeq  uint64
	abandonWake chan struct{}

	idMu    sync.Mutex
	entropy io.Reader

	// uiOpts and eventSchemas serve Engine.UI.
	uiOpts       UIOptions
	eventSchemas map[string]json.RawMessage
}

type eventTrigger struct {
	fn *Function
	t  *Trigger
}

type cronTrigger struct {
	fn *Function
	t  *Trigger
}

// New checks the functions and returns an engine; Start makes it work.
func New(opts Options) (*Engine, error) {
	if opts.Store == nil {
		return nil, errors.New("runtime.New: Options.Store is required (for example sqlite.Open(\"app.db\"))")
	}
	e := &Engine{
		store:   opts.Store,
		fns:     map[string]*Function{},
		byEvent: map[string][]eventTrigger{},
		log:     opts.Logger,
		clock:   opts.Clock,
		lease:   opts.LeaseDuration,
		poll:    opts.PollInterval,
		wake:    make(chan struct{}, 1),
		entropy: ulid.Monotonic(rand.Reader, 0),

		abandoned:   map[string]abandonment{},
		abandonWake: make(chan struct{}, 1),
		lim:         opts.limits(),
		retention:   opts.Retention.withDefaults(),
		httpOpts:    opts.HTTP,
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.clock == nil {
		e.clock = wallClock{}
	}
	if e.lease <= 0 {
		e.lease = 30 * time.Second
	}
	if e.poll <= 0 {
		e.poll = time.Second
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = 256
	}
	e.slots = make(chan struct{}, workers)
	e.owner = "engine-" + e.newID()

	var errs []error
	var add func(f *Function)
	add = func(f *Function) {
		if f == nil {
			errs = append(errs, errors.New("nil function in Options.Functions"))
			return
		}
		if f.err != nil {
			errs = append(errs, f.err)
			return
		}
		if _, dup := e.fns[f.ID()]; dup {
			errs = append(errs, fmt.Errorf("function %q: given twice (function IDs must be unique)", f.ID()))
			return
		}
		e.fns[f.ID()] = f
		for i := range f.triggers {
			t := &f.triggers[i]
			if t.cron != "" {
				e.crons = append(e.crons, cronTrigger{fn: f, t: t})
			} else {
				e.byEvent[t.event] = append(e.byEvent[t.event], eventTrigger{fn: f, t: t})
			}
		}
		if f.onFailure != nil {
			add(f.onFailure)
		}
	}
	for _, f := range opts.Functions {
		add(f)
	}
	e.flowControlled, e.cancelsOwnTrigger = map[string]bool{}, map[string]bool{}
	for name, ets := range e.byEvent {
		for _, et := range ets {
			if !et.fn.flow.controls() {
				continue
			}
			e.flowControlled[name] = true
			for _, c := range et.fn.flow.cancels {
				if c.Event == name {
					e.cancelsOwnTrigger[name] = true
				}
			}
		}
	}
	if es, ok := e.store.(store.EventSender); ok {
		e.sends = newSends(es)
	}
	if err := opts.HTTP.check(); err != nil {
		errs = append(errs, err)
	}
	if obs, err := newObserver(opts, e); err != nil {
		errs = append(errs, err)
	} else {
		e.obs = obs
	}
	if cat, err := newEventCatalog(opts.Events, opts.EncryptionKey); err != nil {
		errs = append(errs, err)
	} else {
		e.events = cat
	}
	if err := e.configureUI(opts); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("runtime.New: %w", err)
	}
	return e, nil
}

func (e *Engine) newID() string {
	e.idMu.Lock()
	defer e.idMu.Unlock()
	return ulid.MustNew(ulid.Timestamp(time.Now()), e.entropy).String()
}

// Start starts executing runs: new ones, due ones, and those a crashed
// process left. It returns at once; Stop ends the work.
// With CheckReplayEnv set, it checks the runs in flight against this code
// instead (durable check-replay) and returns ErrReplayChecked.
func (e *Engine) Start(ctx context.Context) error {
	if path := os.Getenv(CheckReplayEnv); path != "" {
		return e.checkReplayForCLI(ctx, path)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.running {
		return errors.New("runtime: engine already started")
	}
	if e.stopped {
		return errors.New("runtime: engine was stopped; create a new one")
	}
	e.running = true
	e.stopCh = make(chan struct{})
	e.execCtx, e.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if n, ok := e.store.(store.Notifier); ok {
		e.wakeups = n.Wakeups()
	}
	if rc, ok := e.store.(store.RunCommitter); ok {
		e.runCommits = newRunCommits(e.execCtx, rc, e.owner)
	}
	e.loops.Add(3)
	go e.pollLoop()
	go e.heartbeatLoop()
	go e.retentionLoop()
	if len(e.crons) > 0 {
		e.loops.Add(1)
		go e.cronLoop()
	}
	return nil
}

// Stop stops taking work and waits for the runs in flight: each finishes the
// step it is executing and is then released for a later start (or another
// process) to resume. If ctx ends first, the steps still executing see their
// context cancelled, their runs are released, and Stop returns ctx's error.
func (e *Engine) Stop(ctx context.Context) error {
	e.mu.Lock()
	if !e.running {
		e.mu.Unlock()
		return nil
	}
	e.running, e.stopped = false, true
	e.stopping.Store(true)
	close(e.stopCh)
	e.mu.Unlock()

	e.loops.Wait()
	done := make(chan struct{})
	go func() { e.inflight.Wait(); close(done) }()
	select {
	case <-done:
		// Runs abandoned after a store error get one more chance to be
		// handed back now rather than at the next start.
		if err := e.heartbeat(); err != nil && !errors.Is(err, store.ErrClosed) {
			e.log.Error("durable: releasing runs at stop", "err", err)
		}
		e.cancel()
		return nil
	case <-ctx.Done():
		// Steps still executing see their context cancelled; one that
		// ignores it cannot hold Stop: what it commits later fails, and its
		// run resumes elsewhere once its lease ends.
		e.cancel()
		return ctx.Err()
	}
}

// signal wakes the poll loop.
func (e *Engine) signal() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// maxIdlePoll bounds how far the poll interval grows while idle when the
// store notifies: polling then only finds work whose notification was lost
// (a process died between its commit and its NOTIFY).
const maxIdlePoll = 15 * time.Second

func (e *Engine) pollLoop() {
	defer e.loops.Done()
	idle := e.poll
	// backlog says the last claim got every run it asked for: more may be
	// due, and the next claim goes ahead without looking first.
	backlog := false
	for {
		if e.stopping.Load() {
			return
		}
		wait := idle
		if backlog {
			wait = 0
		} else {
			// Look (a read) before claiming (a write): most wake-ups find
			// nothing due, and the writer is the store's bottleneck.
			wait = e.lookForDue(wait)
		}
		if wait == 0 {
			asked, full := e.claim()
			if full {
				backlog = true
				continue
			}
			if asked > 0 {
				backlog = false // fewer were due than slots were free
			}
			// No free slot (an execution ending will signal), or nothing
			// more due now.
			wait = e.poll
		}
		select {
		case <-e.stopCh:
			return
		case <-e.wake:
			idle = e.poll
		case <-e.wakeups: // nil, never ready, without a notifier
			idle = e.poll
		case <-e.clock.After(wait):
			// Grown only when nothing was due sooner: a whole idle period.
			if e.wakeups != nil && wait == idle {
				idle = min(2*idle, max(maxIdlePoll, e.poll))
			}
		}
	}
}

// lookForDue returns how long until a run is due, at most wait: 0 if one
// is due now.
func (e *Engine) lookForDue(wait time.Duration) time.Duration {
	var next time.Time
	var ok bool
	err := e.store.View(e.execCtx, func(tx store.Tx) error {
		var err error
		next, ok, err = tx.NextAvailable(e.execCtx)
		return err
	})
	if err != nil && !errors.Is(err, store.ErrClosed) {
		e.log.Error("durable: looking for due runs", "err", err)
	}
	if ok {
		if d := next.Sub(e.clock.Now()); d < wait {
			wait = max(d, 0)
		}
	}
	return wait
}

// claim leases as many due runs as there are free slots and starts them. It
// returns how many it asked for (0: no slot was free, and it read nothing)
// and whether it got them all (there may be more work). Slots are taken
// when each execution starts, not held during the claim, so that Send can
// keep handing new runs straight to free slots meanwhile.
func (e *Engine) claim() (asked int, full bool) {
	free := cap(e.slots) - len(e.slots) - int(e.claimedWaiting.Load())
	if free <= 0 {
		return 0, false
	}
	now := e.clock.Now()
	runs, err := e.claimRuns(store.ClaimParams{Owner: e.owner, Now: now, LeaseUntil: now.Add(e.lease), Limit: free})
	if err != nil && !errors.Is(err, store.ErrClosed) && !errors.Is(err, context.Canceled) {
		e.log.Error("durable: claiming runs", "err", err)
	}
	e.claimedWaiting.Add(int64(len(runs)))
	for i := range runs {
		c := &runs[i] // not a copy: each goroutine would carry one
		e.inflight.Add(1)
		go func() {
			// A slot is free unless Send took it meanwhile; then this run
			// (leased, its lease renewed) waits for the next one.
			e.slots <- struct{}{}
			e.claimedWaiting.Add(-1)
			// Steps the claim did not read are read by the execution (a
			// rerun from a step has the steps it keeps in its journal).
			var journal *[]store.Step
			if c.Steps != nil {
				journal = &c.Steps
			}
			e.executeInSlot(c.Run, store.FreshJournal(c.Run), journal)
		}()
	}
	return free, len(runs) == free && err == nil
}

// claimRuns claims through the store's RunClaimer if it has one, and in
// an Update otherwise. Runs returned with an error are claimed all the
// same (a RunClaimer's): only an Update that failed claimed none.
func (e *Engine) claimRuns(p store.ClaimParams) ([]store.ClaimedRun, error) {
	if rc, ok := e.store.(store.RunClaimer); ok {
		return rc.ClaimRunBatch(e.execCtx, p)
	}
	var runs []store.ClaimedRun
	err := e.store.Update(e.execCtx, func(tx store.Tx) error {
		if jc, ok := tx.(store.JournalClaimer); ok {
			var err error
			runs, err = jc.ClaimRunsWithJournals(e.execCtx, p)
			return err
		}
		claimed, err := tx.ClaimRuns(e.execCtx, p.Owner, p.Now, p.LeaseUntil, p.Limit)
		runs = make([]store.ClaimedRun, len(claimed))
		for i, r := range claimed {
			runs[i].Run = r
		}
		return err
	})
	if err != nil {
		return nil, err // rolled back: nothing was claimed
	}
	return runs, nil
}

// executeInSlot executes r, then gives back its slot and its place among
// the executions in flight. fresh says r never executed before; journal,
// unless nil, is r's journal as its claim read it.
func (e *Engine) executeInSlot(r store.Run, fresh bool, journal *[]store.Step) {
	defer func() {
		<-e.slots
		e.inflight.Done()
		e.signal()
	}()
	e.execute(r, fresh, journal)
}

// Retries of a failed heartbeat, or of releasing abandoned runs, start
// after heartbeatRetryMin and double up to the heartbeat interval.
const heartbeatRetryMin = 20 * time.Millisecond

// heartbeatLoop renews this engine's leases every third of the lease, and
// takes back what others' expired leases hold. After a store error, and
// while runs are abandoned, it retries sooner, with backoff, so that the
// engine recovers by itself as soon as the store works again.
func (e *Engine) heartbeatLoop() {
	defer e.loops.Done()
	interval := e.lease / 3
	retry := time.Duration(0) // 0: all is well
	failing := false
	timer := time.NewTimer(interval)
	defer timer.Stop()
	for {
		select {
		case <-e.stopCh:
			return
		case <-e.abandonWake:
			if retry == 0 {
				retry = min(heartbeatRetryMin, interval)
				timer.Reset(retry)
			}
			continue
		case <-timer.C:
		}
		err := e.heartbeat()
		switch {
		case err != nil:
			if !failing && !errors.Is(err, store.ErrClosed) && !errors.Is(err, context.Canceled) {
				e.log.Error("durable: renewing leases; retrying with backoff", "err", err)
			}
			failing = true
			retry = min(max(2*retry, heartbeatRetryMin), interval)
		case e.hasAbandoned():
			retry = min(heartbeatRetryMin, interval)
		default:
			if failing {
				e.log.Info("durable: the store works again")
			}
			failing, retry = false, 0
		}
		if retry > 0 {
			timer.Reset(retry)
		} else {
			timer.Reset(interval)
		}
	}
}

// heartbeat releases the runs this engine abandoned (before renewing its
// leases, so that theirs are not renewed), renews its leases, and requeues
// the runs of processes whose leases expired, in one transaction.
func (e *Engine) heartbeat() error {
	e.abandonMu.Lock()
	abandoned := make(map[string]abandonment, len(e.abandoned))
	for id, a := range e.abandoned {
		abandoned[id] = a
	}
	e.abandonMu.Unlock()
	now := e.clock.Now()
	released, expired := 0, 0
	err := e.store.Update(e.execCtx, func(tx store.Tx) error {
		released = 0
		queued := store.StatusQueued
		for id, a := range abandoned {
			u := store.RunUpdate{Status: &queued, AvailableAt: &now, ClearLease: true}
			if a.lostOutcome {
				// Counted as a crash would be: the attempt is charged to
				// the step whose outcome was lost when it runs again.
				r, err := tx.GetRun(e.execCtx, id)
				if errors.Is(err, store.ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				n := r.Interrupted + 1
				u.Interrupted = &n
			}
			ok, err := tx.UpdateRun(e.execCtx, id, store.RunCond{Owner: e.owner, Statuses: []store.Status{store.StatusRunning}}, u)
			if err != nil {
				return err
			}
			if ok {
				released++
			}
		}
		if _, err := tx.RenewLeases(e.execCtx, e.owner, now.Add(e.lease)); err != nil {
			return err
		}
		var err error
		expired, err = tx.ReleaseExpired(e.execCtx, now, e.owner)
		return err
	})
	if err != nil {
		return err
	}
	// Logged once committed: the callback may run again, or not commit.
	if expired > 0 {
		e.log.Info("durable: resuming runs of a process whose leases expired", "runs", expired)
	}
	if len(abandoned) > 0 {
		e.abandonMu.Lock()
		for id, a := range abandoned {
			if e.abandoned[id].seq == a.seq {
				delete(e.abandoned, id)
			}
		}
		e.abandonMu.Unlock()
		e.log.Info("durable: requeued runs abandoned after a store error", "runs", released)
		e.signal()
	}
	return nil
}

// abandonment is a run given up after a store error.
type abandonment struct {
	// seq tells one abandonment from a later one of the same run.
	seq uint64
	// lostOutcome: the failed commit held the outcome of a step whose
	// function ran.
	lostOutcome bool
}

// abandon gives up executing run id after the store failed to record
// what it did (during what): nothing more is committed for this
// execution, and the heartbeat hands the run back to the queue once the
// store works again. Its lease is renewed no more meanwhile, so another
// process may also take it over when the lease ends.
func (e *Engine) abandon(id, during string, err error, lostOutcome bool) {
	if errors.Is(err, store.ErrClosed) {
		return
	}
	e.log.Error("durable: run abandoned after a store error; it is requeued when the store works again", "run", id, "during", during, "err", err)
	e.abandonMu.Lock()
	e.abandonSeq++
	e.abandoned[id] = abandonment{seq: e.abandonSeq, lostOutcome: lostOutcome}
	e.abandonMu.Unlock()
	select {
	case e.abandonWake <- struct{}{}:
	default:
	}
}

func (e *Engine) hasAbandoned() bool {
	e.abandonMu.Lock()
	defer e.abandonMu.Unlock()
	return len(e.abandoned) > 0
}

// Send stores events and starts the runs they trigger; events that complete
// a wait resume the waiting runs. It returns the events' IDs, in order. An
// event whose ID was already seen is not stored again and triggers nothing.
// Either every event is stored or, on error, none is.
func (e *Engine) Send(ctx context.Context, events ...Event) ([]string, error) {
	envs, err := e.envelopes(events, nil)
	if err != nil {
		return nil, err
	}
	return e.sendEnvelopes(ctx, envs)
}

// sendEnvelopes is Send once the events are validated and encoded.
func (e *Engine) sendEnvelopes(ctx context.Context, envs []envelope) ([]string, error) {
	stampTrace(ctx, envs)
	e.evalWaits(ctx, envs)
	ids := make([]string, len(envs))
	for i, env := range envs {
		ids[i] = env.ID
	}
	if e.sends != nil && e.flowFree(envs) {
		started, poll, waited, err := e.sendFree(envs)
		if err != nil {
			return nil, fmt.Errorf("runtime: send: %w", err)
		}
		if !waited {
			e.launch(started)
			if poll {
				e.signal()
			}
			return ids, nil
		}
	}
	var started []store.Run
	var poll bool
	ctx, fx := withTxEffects(ctx)
	err := e.store.Update(ctx, func(tx store.Tx) error {
		fx.reset()
		var err error
		started, poll, err = e.dispatchAll(ctx, tx, envs)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("runtime: send: %w", err)
	}
	e.obs.committed(ctx, fx)
	e.launch(started)
	if poll {
		e.signal()
	}
	return ids, nil
}

// envelope is an event ready to store.
type envelope struct {
	ID   string
	Name string
	TS   int64
	JSON json.RawMessage
	// vars is JSON decoded for CEL (`event`, `async`), outside the store's
	// writer, which is the bottleneck.
	vars map[string]any
	// eval is what its triggers decided, also evaluated outside the writer.
	eval *triggerEval
}

// envelopes validates events and encodes them. idFor, if set, gives the ID
// of an event that has none (deterministic IDs for sends from steps).
func (e *Engine) envelopes(events []Event, idFor func(i int) string) ([]envelope, error) {
	out := make([]envelope, len(events))
	now := e.clock.Now()
	// Every event is checked, so that one error lists all that is wrong
	// with the batch.
	var errs []error
	for i, ev := range events {
		// The engine's own events carry another event: no data limit.
		engineMade := idFor != nil && isEngineEvent(ev.Name)
		if err := e.lim.checkEvent(i, ev.Name, ev.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		data, err := json.Marshal(ev.Data)
		if err != nil {
			errs = append(errs, fmt.Errorf("runtime: event %d (%s): data cannot be encoded as JSON: %w", i, quote.Excerpt(ev.Name, 0), err))
			continue
		}
		if engineMade && string(data) == "null" {
			data = []byte("{}") // an Invoke without data
		}
		if len(data) == 0 || data[0] != '{' {
			errs = append(errs, fmt.Errorf("runtime: event %d (%s): data must encode to a JSON object, not %s", i, quote.Excerpt(ev.Name, 0), jsonKind(data)))
			continue
		}
		if !engineMade {
			if err := e.lim.checkData(i, ev.Name, ev.ID, data); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		if ev.ID == "" {
			if idFor != nil {
				ev.ID = idFor(i)
			} else {
				ev.ID = e.newID()
			}
		}
		if ev.TS == 0 {
			ev.TS = now.UnixMilli()
		}
		if data, err = e.events.prepare(i, ev.Name, ev.ID, data); err != nil {
			errs = append(errs, err)
			continue
		}
		raw, err := json.Marshal(struct {
			Name string          `json:"name"`
			Data json.RawMessage `json:"data"`
			ID   string          `json:"id"`
			TS   int64           `json:"ts"`
			V    string          `json:"v,omitempty"`
		}{ev.Name, data, ev.ID, ev.TS, ev.V})
		if err != nil {
			errs = append(errs, fmt.Errorf("runtime: event %d (%q): %w", i, ev.Name, err))
			continue
		}
		vars, err := expr.DecodeEnvelope(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("runtime: event %d (%q): %w", i, ev.Name, err))
			continue
		}
		eval, err := e.evalTriggers(i, ev.Name, ev.ID, vars, !engineMade)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[i] = envelope{ID: ev.ID, Name: ev.Name, TS: ev.TS, JSON: raw, vars: vars, eval: eval}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func jsonKind(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null (use an empty object for no data)"
	default:
		return "a number"
	}
}

// dispatchAll dispatches envs in tx, leasing new runs to this engine as far
// as the slots free now allow, so that they start without a round trip
// through the poll loop; the caller launches them after the commit. poll
// says whether the dispatch left other work (the caller then wakes the poll
// loop after the commit); when every run started directly, a poll would
// only cost a read. On error it returns no run: the transaction is rolled
// back, they do not exist.
func (e *Engine) dispatchAll(ctx context.Context, tx store.Tx, envs []envelope) (started []store.Run, poll bool, err error) {
	budget := e.newSlotBudget()
	for _, env := range envs {
		runs, err := e.dispatch(ctx, tx, env, budget)
		if err != nil {
			return nil, false, err
		}
		started = append(started, runs...)
	}
	return started, budget.queued, nil
}

// dispatch stores one event, starts the runs it triggers and completes the
// waits it satisfies, all in tx. New runs are leased to this engine as far
// as budget allows (nil: none); on error it returns no run.
func (e *Engine) dispatch(ctx context.Context, tx store.Tx, env envelope, budget *slotBudget) ([]store.Run, error) {
	now := e.clock.Now()
	ev := store.Event{ID: env.ID, Name: env.Name, TS: env.TS, Envelope: env.JSON, ReceivedAt: now}
	var inserted, matched bool
	var waits []store.Wait
	var err error
	if em, ok := tx.(store.EventMatcher); ok && !e.cancelsOwnTrigger[env.Name] {
		// Admission inserts no wait this event could complete: its waits
		// are found now, with the insert, in one round trip.
		inserted, waits, err = em.InsertEventMatchWaits(ctx, ev, env.matchParams())
		matched = true
	} else {
		inserted, err = tx.InsertEvent(ctx, ev)
	}
	if err != nil || !inserted {
		return nil, err
	}
	vars := map[string]any{"event": env.vars}
	var started []store.Run
	for _, et := range e.byEvent[env.Name] {
		if !env.eval.triggered(et.t) {
			continue
		}
		r, err := e.admit(ctx, tx, et.fn, env, vars, now, budget)
		if err != nil {
			return nil, err
		}
		if r != nil {
			started = append(started, *r)
		} else {
			budget.markQueued()
		}
	}
	if !matched {
		if waits, err = tx.MatchWaits(ctx, env.matchParams()); err != nil {
			return nil, err
		}
	}
	for _, w := range waits {
		if w.ChildRunID == "" && !strings.HasPrefix(w.StepKey, journal.CancelPrefix) && now.After(w.ExpiresAt) {
			// The wait timed out; its run records that when it wakes. A
			// later event must not resolve it meanwhile.
			continue
		}
		ok, evalErr, err := e.waitMatches(w, env)
		if err != nil {
			return nil, err
		}
		if evalErr != nil {
			e.log.Warn("durable: wait expression failed; event ignored for this wait", "run", w.RunID, "event", env.ID, "err", evalErr)
			continue
		}
		if !ok {
			continue
		}
		budget.markQueued()
		if strings.HasPrefix(w.StepKey, journal.CancelPrefix) {
			if err := e.cancelByEvent(ctx, tx, w, env, now); err != nil {
				return nil, err
			}
			continue
		}
		if err := e.resolveWait(ctx, tx, w.RunID, w.StepKey, store.StepCompleted, env.JSON, "",
			attrWaitEvent.String(env.Name), attrEventID.String(env.ID)); err != nil {
			return nil, err
		}
	}
	return started, nil
}

func (e *Engine) newRun(f *Function, events string, now time.Time) store.Run {
	r := store.Run{
		ID:          e.newID(),
		FunctionID:  f.ID(),
		Status:      store.StatusQueued,
		Events:      json.RawMessage(events),
		CreatedAt:   now,
		AvailableAt: now,
	}
	if d := f.opts.Timeouts.Start; d > 0 {
		r.Deadline = now.Add(d)
	}
	return r
}

// cancelByEvent cancels the run of a cancel watch that the event matched.
func (e *Engine) cancelByEvent(ctx context.Context, tx store.Tx, w store.Wait, env envelope, now time.Time) error {
	if now.After(w.ExpiresAt) {
		return nil
	}
	r, err := tx.GetRun(ctx, w.RunID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil || r.Status.Terminal() {
		return err
	}
	e.log.Info("durable: run cancelled by event", "run", r.ID, "event", env.ID)
	return e.finishRun(ctx, tx, r, store.StatusCancelled, nil, fmt.Sprintf("cancelled by event %s (%s)", env.ID, env.Name), false, true)
}

// resolveWait completes the wait of run at stepKey with the given result, if
// nobody else did first, and makes the run due. attrs say what resolved it,
// for its span.
func (e *Engine) resolveWait(ctx context.Context, tx store.Tx, runID, stepKey string, status store.StepStatus, output json.RawMessage, errMsg string, attrs ...attribute.KeyValue) error {
	deleted, err := tx.DeleteWait(ctx, runID, stepKey)
	if err != nil || !deleted {
		return err
	}
	st, err := tx.GetStep(ctx, runID, stepKey)
	if err != nil {
		return fmt.Errorf("wait of run %s at %s has no step: %w", runID, stepKey, err)
	}
	now := e.clock.Now()
	st.Status, st.Output, st.Error, st.UpdatedAt = status, output, errMsg, now
	if err := tx.PutStep(ctx, st); err != nil {
		return err
	}
	txEffectsOf(ctx).waitResolved(st, attrs)
	queued := store.StatusQueued
	// A running run finds the result when it next looks; only a parked run
	// needs waking.
	_, err = tx.UpdateRun(ctx, runID, store.RunCond{Statuses: []store.Status{store.StatusWaiting, store.StatusSleeping, store.StatusQueued}},
		store.RunUpdate{Status: &queued, AvailableAt: &now})
	return err
}

func (e *Engine) isRunning() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.running
}

// launch executes runs leased to this engine by a committed dispatch. Each
// takes its slot now; one that finds none free (claims or other sends took
// it since the budget was read) waits for the next, leased, as claimed runs do.
func (e *Engine) launch(runs []store.Run) {
	e.claimedWaiting.Add(int64(len(runs)))
	for _, r := range runs {
		e.inflight.Add(1)
		go func() {
			e.slots <- struct{}{}
			e.claimedWaiting.Add(-1)
			e.executeInSlot(r, true, nil)
		}()
	}
}

// Cancel cancels a run that has not ended: a sleeping or waiting run ends at
// once; a running one stops at its next step boundary. Cancelling an ended
// run does nothing.
func (e *Engine) Cancel(ctx context.Context, runID string) error {
	defer e.signal()
	ctx, fx := withTxEffects(ctx)
	err := e.store.Update(ctx, func(tx store.Tx) error {
		fx.reset()
		r, err := tx.GetRun(ctx, runID)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("runtime: cancel %s: %w", runID, ErrRunNotFound)
		}
		if err != nil || r.Status.Terminal() {
			return err
		}
		return e.finishRun(ctx, tx, r, store.StatusCancelled, nil, "cancelled", false, true)
	})
	if err == nil {
		e.obs.committed(ctx, fx)
	}
	return err
}

// finishRun ends run r in tx: it records the outcome, drops its waits,
// completes the Invoke that started it, and announces a failure.
//
// waits says whether the run may have waits to drop; only an execution that
// saw no wait, invoke or cancel watch may say false (one statement saved).
func (e *Engine) finishRun(ctx context.Context, tx store.Tx, r store.Run, status store.Status, output json.RawMessage, errMsg string, owned, waits bool) error {
	now := e.clock.Now()
	cond := store.RunCond{}
	if owned {
		cond = store.RunCond{Owner: e.owner, Statuses: []store.Status{store.StatusRunning}}
	}
	ok, err := tx.UpdateRun(ctx, r.ID, cond, store.RunUpdate{Status: &status, EndedAt: &now, Output: output, Error: &errMsg, ClearLease: true})
	if err != nil {
		return err
	}
	if !ok {
		return errLostRun
	}
	txEffectsOf(ctx).runEnded(r.FunctionID, status)
	if waits {
		if err := tx.DeleteRunWaits(ctx, r.ID); err != nil {
			return err
		}
	}
	if r.ParentRunID != "" {
		st, out, msg := store.StepCompleted, output, ""
		if status != store.StatusCompleted {
			st, out, msg = store.StepFailed, nil, fmt.Sprintf("invoked function %q (run %s) %s: %s", r.FunctionID, r.ID, status, errMsg)
		}
		if err := e.resolveWait(ctx, tx, r.ParentRunID, r.ParentStepKey, st, out, msg, attrInvokedRun.String(r.ID), attrInvokedFn.String(r.FunctionID)); err != nil {
			return err
		}
	}
	if status == store.StatusFailed && !triggeredBy(r, FunctionFailedEvent) {
		var events []json.RawMessage
		_ = json.Unmarshal(r.Events, &events)
		var first json.RawMessage
		if len(events) > 0 {
			first = events[0]
		}
		envs, err := e.envelopes([]Event{{
			Name: FunctionFailedEvent,
			Data: FunctionFailedData{FunctionID: r.FunctionID, RunID: r.ID, Event: first, Error: errMsg},
		}}, func(int) string { return "failed-" + r.ID })
		if err != nil {
			return err
		}
		if _, err := e.dispatch(ctx, tx, envs[0], nil); err != nil {
			return err
		}
	}
	return nil
}

// errLostRun means the run is no longer this engine's to change: it was
// cancelled, or its lease passed to another process.
var errLostRun = errors.New("run is no longer leased to this engine")

// triggeredBy reports whether the run's first event has the given name.
func triggeredBy(r store.Run, name string) bool {
	var events []struct {
		Name string `json:"name"`
	}
	if json.Unmarshal(r.Events, &events) != nil || len(events) == 0 {
		return false
	}
	return events[0].Name == name
}
