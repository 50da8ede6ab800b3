package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	goruntime "runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/durable-go/durable/runtime/internal/expr"
	"github.com/durable-go/durable/runtime/internal/hooks"
	"github.com/durable-go/durable/runtime/internal/journal"
	"github.com/durable-go/durable/runtime/internal/jsonarray"
	"github.com/durable-go/durable/runtime/internal/runctx"
	"github.com/durable-go/durable/runtime/store"
	"go.opentelemetry.io/otel/attribute"
)

// timedOut is the error recorded for a wait or invoke whose timeout passed.
const timedOut = "timed out"

// execution runs a run's handler once, from the top: memoized steps return
// their recorded results, new steps execute and commit, and the first step
// that cannot finish now (a sleep, a wait, a retry) suspends the run. The
// handler runs in the goroutine of the run's slot, which a suspension ends
// with runtime.Goexit: deferred calls run, and nothing can swallow it.
type execution struct {
	e      *Engine
	fn     *Function
	run    store.Run
	policy RetryPolicy
	first  json.RawMessage // the triggering envelope, `event` in wait expressions

	mu sync.Mutex
	// journal holds the run's steps by key: those recorded before this
	// execution and those it records. It holds pointers, as settled does:
	// a map's groups hold its values, and a step is large. Both are made
	// on first use, as byScope and par are: a run's first execution needs
	// no map for the journal it does not have.
	journal  map[string]*store.Step
	byScope  map[string][]store.Step
	pos      map[string]int
	occ      map[string]int
	par      map[string]int
	setStart bool
	// deadline is when the run is cancelled if not finished (Timeouts).
	deadline time.Time
	// interrupted counts executions of this run that were lost (a process
	// died, or a commit failed) while a top-level step ran: at most one
	// runs at a time, and it is the first step this execution runs, so it
	// is charged those attempts. Steps of parallel branches, several of
	// which run at once, record each attempt before it runs instead.
	interrupted      int
	clearInterrupted bool
	// settled holds the outcomes of branch steps not yet committed: they go
	// with the run's next commit (another step's start, a sleep, the run's
	// end), so that recording each attempt before it runs costs about no
	// transaction more.
	settled map[string]*store.Step
	// lostOutcome says the commit that failed held the outcome of a
	// top-level step: its attempt is to be charged as interrupted.
	lostOutcome bool

	// replay runs the handler against the journal only: nothing executes
	// and nothing commits (CheckReplay).
	replay  bool
	reached map[string]bool

	wakeAt       time.Time
	parked       store.Status
	pendingWaits []string
	fatal        error
	lost         error
	release      bool

	// obs is what this execution reports (observe.go).
	obs runObs
}

type scopeKey struct{}

func scopeOf(ctx context.Context) string {
	s, _ := ctx.Value(scopeKey{}).(string)
	return s
}

// execute runs one leased run until it completes, fails, or suspends.
// fresh says it never executed before: its journal is empty. journal,
// unless nil, is the journal its claim read (in the claim's transaction,
// the run locked): it is not read again.
func (e *Engine) execute(r store.Run, fresh bool, journal *[]store.Step) {
	ctx := e.execCtx
	f := e.fns[r.FunctionID]
	if f == nil {
		e.finishOwned(ctx, r, store.StatusFailed, nil, fmt.Sprintf("function %q is not registered with this engine", r.FunctionID))
		return
	}
	now := e.clock.Now()
	if !r.Deadline.IsZero() && !now.Before(r.Deadline) {
		reason := fmt.Sprintf("cancelled: not finished within Timeouts.Finish (%v)", f.opts.Timeouts.Finish)
		if r.StartedAt.IsZero() {
			reason = fmt.Sprintf("cancelled: not started within Timeouts.Start (%v)", f.opts.Timeouts.Start)
		}
		e.finishOwned(ctx, r, store.StatusCancelled, nil, reason)
		return
	}
	// A run that never started has an empty journal: its first commit
	// records the start.
	steps, err := e.loadJournal(ctx, r, fresh, journal)
	if err != nil {
		e.log.Error("durable: loading journal", "run", r.ID, "err", err)
		e.releaseRun(r, e.clock.Now().Add(time.Second))
		return
	}
	x := newExecution(e, f, r, steps)
	x.setStart, x.deadline, x.interrupted = r.StartedAt.IsZero(), r.Deadline, r.Interrupted
	if x.setStart {
		x.deadline = time.Time{}
		if d := f.opts.Timeouts.Finish; d > 0 {
			x.deadline = now.Add(d)
		}
	}
	events, err := x.events()
	if err != nil {
		e.finishOwned(ctx, r, store.StatusFailed, nil, err.Error())
		return
	}

	plain, ok := e.openRunEvents(r, events)
	if !ok {
		return
	}
	ctx = x.observeStart(ctx, steps, fresh)
	// The handler runs in this goroutine: conclude is deferred, as a
	// suspension ends the goroutine (runtime.Goexit).
	x.callHandler(ctx, plain, x.conclude)
}

// conclude records how the handler ended: the run finishes, is retried or
// parks, or, lost to this execution, is left to be executed again.
func (x *execution) conclude(out any, err error, panicked, exited bool) {
	e, r := x.e, x.run
	defer x.observeEnd(err, exited)
	switch {
	case x.lost != nil:
		if !errors.Is(x.lost, errLostRun) {
			x.mu.Lock()
			lostOutcome := x.lostOutcome
			x.mu.Unlock()
			e.abandon(r.ID, "executing", x.lost, lostOutcome)
		}
	case x.fatal != nil:
		x.finish(store.StatusFailed, nil, x.fatal.Error())
	case exited:
		x.park()
	case panicked:
		x.retryOrFail(err)
	case err != nil:
		x.retryOrFail(err)
	default:
		raw, merr := json.Marshal(out)
		if merr != nil {
			x.finish(store.StatusFailed, nil, fmt.Sprintf("output of type %T cannot be encoded as JSON: %v", out, merr))
			return
		}
		x.finish(store.StatusCompleted, raw, "")
	}
}

// newExecution prepares an execution of run r of f with its journal.
func newExecution(e *Engine, f *Function, r store.Run, steps []store.Step) *execution {
	x := &execution{
		e: e, fn: f, run: r, policy: f.retryPolicy(),
		pos: map[string]int{}, occ: map[string]int{},
	}
	if len(steps) > 0 {
		x.journal = make(map[string]*store.Step, len(steps))
		x.byScope = map[string][]store.Step{}
	}
	for i := range steps {
		x.journal[steps[i].Key] = &steps[i]
		x.byScope[steps[i].Scope] = append(x.byScope[steps[i].Scope], steps[i])
	}
	for _, list := range x.byScope {
		sort.Slice(list, func(i, j int) bool { return list[i].Pos < list[j].Pos })
	}
	return x
}

// events splits the run's stored array of event envelopes; each envelope
// is decoded where it is used (the handler's input, a wait's `event`).
func (x *execution) events() ([]json.RawMessage, error) {
	events, err := jsonarray.Split(x.run.Events)
	if err != nil {
		return nil, fmt.Errorf("run %s: events are not valid JSON: %v", x.run.ID, err)
	}
	if len(events) > 0 {
		x.first = events[0]
	}
	return events, nil
}

func (e *Engine) loadJournal(ctx context.Context, r store.Run, fresh bool, prefetched *[]store.Step) ([]store.Step, error) {
	if fresh {
		return nil, nil
	}
	if prefetched != nil {
		return *prefetched, nil
	}
	return e.readJournal(ctx, r.ID)
}

func (e *Engine) readJournal(ctx context.Context, runID string) ([]store.Step, error) {
	var steps []store.Step
	err := e.store.View(ctx, func(tx store.Tx) error {
		var err error
		steps, err = tx.ListSteps(ctx, runID)
		return err
	})
	return steps, err
}

// callHandler runs the handler in the calling goroutine, then calls then
// with how it ended, from a deferred call: a step that suspends the run
// ends the goroutine with runtime.Goexit (exited), and a panic is
// recovered (panicked). Nothing after callHandler runs once the handler
// has exited: then is where the caller goes on.
func (x *execution) callHandler(ctx context.Context, events []json.RawMessage, then func(out any, err error, panicked, exited bool)) {
	var out any
	var err error
	returned := false
	defer func() {
		if returned {
			then(out, err, false, false)
			return
		}
		if p := recover(); p != nil {
			then(nil, fmt.Errorf("panic: %v\n%s", p, debug.Stack()), true, false)
			return
		}
		then(nil, nil, false, true)
	}()
	out, err = x.fn.invoke(runctx.With(ctx, x), events, x.run.ID, x.run.Attempt)
	returned = true
}

// permanent reports whether retrying the function body cannot help: the
// error comes from memoized steps, which return the same on every replay.
func permanent(err error) bool {
	var se *StepError
	var nd *NonDeterminismError
	return IsNonRetriable(err) || errors.As(err, &se) || errors.As(err, &nd) || errors.Is(err, runctx.ErrTimeout)
}

func (x *execution) retryOrFail(err error) {
	if permanent(err) || x.run.Attempt >= x.policy.Retries {
		x.finish(store.StatusFailed, nil, err.Error())
		return
	}
	attempt := x.run.Attempt + 1
	next, ok := retryTime(err)
	if !ok {
		next = x.e.clock.Now().Add(backoff(x.policy, attempt))
	}
	queued := store.StatusQueued
	x.e.log.Info("durable: run failed; retrying", "run", x.run.ID, "function", x.fn.ID(), "attempt", attempt, "at", next, "err", err)
	x.updateOwned(store.RunUpdate{Status: &queued, Attempt: &attempt, AvailableAt: &next, ClearLease: true})
}

// backoff is exponential with jitter: a random duration in [d/2, d] where d
// doubles with every attempt from MinBackoff up to MaxBackoff.
func backoff(p RetryPolicy, attempt int) time.Duration {
	return jitteredBackoff(p.MinBackoff, p.MaxBackoff, 2, attempt)
}

// jitteredBackoff is the delay after attempt: a random duration in [d/2, d]
// where d = min(initial·multiplier^(attempt-1), max).
func jitteredBackoff(initial, max time.Duration, multiplier float64, attempt int) time.Duration {
	d := float64(initial)
	for i := 1; i < attempt && d < float64(max); i++ {
		d *= multiplier
	}
	dur := time.Duration(min(d, float64(max)))
	half := dur / 2
	return half + time.Duration(rand.Int64N(int64(dur-half)+1))
}

// stepPolicy is the retry policy of one step.Run: the function's, with
// what the step's options set instead.
type stepPolicy struct {
	maxAttempts  int
	initial, max time.Duration
	multiplier   float64
	retriable    func(error) bool
}

func (x *execution) stepPolicy(o runctx.StepOptions) stepPolicy {
	p := stepPolicy{maxAttempts: x.policy.Retries + 1, initial: x.policy.MinBackoff, max: x.policy.MaxBackoff, multiplier: 2, retriable: o.Retriable}
	if o.MaxAttempts > 0 {
		p.maxAttempts = o.MaxAttempts
	}
	if o.InitialBackoff > 0 {
		p.initial = o.InitialBackoff
	}
	if o.MaxBackoff > 0 {
		p.max = o.MaxBackoff
		if o.InitialBackoff == 0 {
			p.initial = min(p.initial, p.max) // the step's cap holds
		}
	}
	p.max = max(p.max, p.initial)
	if o.Multiplier > 0 {
		p.multiplier = o.Multiplier
	}
	return p
}

// attemptContext gives an attempt of a step with a timeout its ctx, done d
// from now. The deadline is on the wall clock, not the engine's: it bounds
// work the attempt does in real time (the libraries it calls read the
// deadline against the wall clock), which a virtual clock in tests does not
// measure. expired reports whether the deadline ended the attempt.
func attemptContext(ctx context.Context, d time.Duration) (_ context.Context, expired func() bool) {
	if d <= 0 {
		return ctx, func() bool { return false }
	}
	actx, cancel := context.WithTimeoutCause(ctx, d, errAttemptTimeout)
	return actx, func() bool {
		timedOut := context.Cause(actx) == errAttemptTimeout
		cancel()
		return timedOut
	}
}

var errAttemptTimeout = errors.New("step attempt timed out")

func (x *execution) finish(status store.Status, output json.RawMessage, errMsg string) {
	if status == store.StatusFailed {
		x.e.log.Warn("durable: run failed", "run", x.run.ID, "function", x.fn.ID(), "err", errMsg)
	}
	ctx, fx := withTxEffects(x.e.execCtx)
	var err error
	if x.endsAlone(status) {
		// finishRun would only update the run: the end joins the batch.
		err = x.commitOwn(&store.RunEnd{Status: status, EndedAt: x.e.clock.Now(), Output: output, Error: errMsg})
		if err == nil {
			fx.runEnded(x.run.FunctionID, status)
		}
	} else {
		err = x.update(func(tx store.Tx) error {
			fx.reset()
			return x.e.finishRun(ctx, tx, x.run, status, output, errMsg, true, x.mayHaveWaits())
		})
	}
	x.e.signal()
	if err == nil {
		x.observeFinished(status, fx)
	}
	if err != nil && !errors.Is(err, errLostRun) {
		x.e.abandon(x.run.ID, "recording the end of the run", err, x.outcomeLost())
	}
}

func (e *Engine) finishOwned(ctx context.Context, r store.Run, status store.Status, output json.RawMessage, errMsg string) {
	ctx, fx := withTxEffects(ctx)
	err := e.store.Update(ctx, func(tx store.Tx) error {
		fx.reset()
		return e.finishRun(ctx, tx, r, status, output, errMsg, true, true)
	})
	e.signal()
	if err == nil {
		e.obs.committed(ctx, fx)
	}
	if err != nil && !errors.Is(err, errLostRun) {
		e.abandon(r.ID, "recording the end of the run", err, false)
	}
}

func (x *execution) updateOwned(u store.RunUpdate) {
	err := x.update(func(tx store.Tx) error {
		ok, err := tx.UpdateRun(x.e.execCtx, x.run.ID, store.RunCond{Owner: x.e.owner, Statuses: []store.Status{store.StatusRunning}}, u)
		if err == nil && !ok {
			err = errLostRun
		}
		return err
	})
	x.e.signal()
	if err != nil && !errors.Is(err, errLostRun) {
		x.e.abandon(x.run.ID, "updating the run", err, x.outcomeLost())
	}
}

// releaseRun gives a run back to the queue, due at at.
func (e *Engine) releaseRun(r store.Run, at time.Time) {
	queued := store.StatusQueued
	err := e.store.Update(context.WithoutCancel(e.execCtx), func(tx store.Tx) error {
		_, err := tx.UpdateRun(e.execCtx, r.ID, store.RunCond{Owner: e.owner, Statuses: []store.Status{store.StatusRunning}},
			store.RunUpdate{Status: &queued, AvailableAt: &at, ClearLease: true})
		return err
	})
	if err != nil {
		e.abandon(r.ID, "releasing the run", err, false)
	}
}

// park records why the handler stopped early: the run sleeps or waits until
// the earliest time something it waits for is due, or is released when the
// engine stops.
func (x *execution) park() {
	x.mu.Lock()
	wake, status, waits, release := x.wakeAt, x.parked, x.pendingWaits, x.release
	x.mu.Unlock()
	now := x.e.clock.Now()
	if release {
		// The outcomes of steps that finished go with the release, so that
		// they do not run again.
		queued := store.StatusQueued
		x.updateOwned(store.RunUpdate{Status: &queued, AvailableAt: &now, ClearLease: true})
		return
	}
	if !x.deadline.IsZero() && x.deadline.Before(wake) {
		wake = x.deadline
	}
	err := x.update(func(tx store.Tx) error {
		at := wake
		// A wait resolved while the run was still running left the run
		// alone; it must not park past its result.
		for _, key := range waits {
			st, err := tx.GetStep(x.e.execCtx, x.run.ID, key)
			if err != nil {
				return err
			}
			if st.Status != store.StepWaiting {
				at = now
			}
		}
		ok, err := tx.UpdateRun(x.e.execCtx, x.run.ID, store.RunCond{Owner: x.e.owner, Statuses: []store.Status{store.StatusRunning}},
			store.RunUpdate{Status: &status, AvailableAt: &at, ClearLease: true})
		if err == nil && !ok {
			err = errLostRun
		}
		return err
	})
	x.e.signal()
	if err != nil && !errors.Is(err, errLostRun) {
		x.e.abandon(x.run.ID, "parking the run", err, x.outcomeLost())
	}
}

// applyStart records, with the first commit of a run's first execution,
// when it started and when it must finish.
func (x *execution) applyStart(tx store.Tx) error {
	x.mu.Lock()
	set := x.setStart
	x.mu.Unlock()
	if !set {
		return nil
	}
	now := x.e.clock.Now()
	deadline := x.deadline
	u := store.RunUpdate{StartedAt: &now, Deadline: &deadline}
	_, err := tx.UpdateRun(x.e.execCtx, x.run.ID, store.RunCond{}, u)
	return err
}

// commit runs fn in a transaction that first checks the run is still ours.
// When the run is lost (cancelled, taken over) or the store fails, the
// handler stops: nothing more may be committed for this execution.
func (x *execution) commit(ctx context.Context, fn func(tx store.Tx) error) {
	if err := x.tryCommit(ctx, fn); err != nil {
		x.stop(err)
	}
}

func (x *execution) tryCommit(_ context.Context, fn func(tx store.Tx) error) error {
	return x.update(func(tx store.Tx) error {
		ok, err := tx.OwnsRun(x.e.execCtx, x.run.ID, x.e.owner)
		if err != nil {
			return err
		}
		if !ok {
			return errLostRun
		}
		return fn(tx)
	})
}

// endsAlone reports whether ending the run with status changes nothing but
// the run (see finishRun): it completed, no run invoked it, it holds no
// slots and has no waits to delete. Its end then goes with the engine's
// batch of run commits, when the store has them.
func (x *execution) endsAlone(status store.Status) bool {
	return x.e.runCommits != nil && status == store.StatusCompleted &&
		x.run.ParentRunID == "" && len(x.run.Limits) == 0 && !x.mayHaveWaits()
}

// flush commits the run's pending updates (see update) alone: the commit
// before a step runs.
func (x *execution) flush() error {
	if x.e.runCommits == nil {
		return x.update(func(store.Tx) error { return nil })
	}
	return x.commitOwn(nil)
}

// commitOwn is update for a commit of the run's pending updates and, with
// end, its end, and nothing else: it joins the engine's next batch of run
// commits, whose store call checks the lease of each run.
func (x *execution) commitOwn(end *store.RunEnd) error {
	x.mu.Lock()
	if x.lost != nil {
		defer x.mu.Unlock()
		return x.lost
	}
	c := store.RunCommit{RunID: x.run.ID, ClearInterrupted: x.clearInterrupted, End: end}
	for _, st := range x.settled {
		c.Steps = append(c.Steps, *st)
	}
	// The settled steps of a Parallel's branches were recorded when they
	// started; a new one is the only step of its commit. Key order only
	// makes the writes reproducible.
	slices.SortFunc(c.Steps, func(a, b store.Step) int { return strings.Compare(a.Key, b.Key) })
	if x.setStart {
		c.Start = &store.RunStart{StartedAt: x.e.clock.Now(), Deadline: x.deadline}
	}
	x.mu.Unlock()
	applied, err := x.e.runCommits.commit(c)
	if err == nil && !applied {
		err = errLostRun
	}
	x.mu.Lock()
	if err == nil {
		x.setStart, x.clearInterrupted = false, false
		for _, st := range c.Steps {
			delete(x.settled, st.Key)
		}
	} else if len(x.settled) > 0 {
		x.lostOutcome = true
	}
	x.mu.Unlock()
	return err
}

// update runs fn, which must check that the run is still ours, with the
// run's pending updates: the settled outcomes of steps (first, while the
// run is certainly still leased) and its start. After a failed commit the
// execution commits nothing more: its run is abandoned, to be released and
// executed again from the journal.
func (x *execution) update(fn func(tx store.Tx) error) error {
	ctx := x.e.execCtx
	x.mu.Lock()
	lost := x.lost
	x.mu.Unlock()
	if lost != nil {
		return lost
	}
	var flushed []string
	err := x.e.store.Update(ctx, func(tx store.Tx) error {
		x.mu.Lock()
		settled := make([]store.Step, 0, len(x.settled))
		for _, st := range x.settled {
			settled = append(settled, *st)
		}
		x.mu.Unlock()
		flushed = flushed[:0]
		for _, st := range settled {
			ok, err := tx.PutOwnedStep(ctx, st, x.e.owner)
			if err != nil {
				return err
			}
			if !ok {
				return errLostRun
			}
			flushed = append(flushed, st.Key)
		}
		if err := fn(tx); err != nil {
			return err
		}
		if err := x.applyStart(tx); err != nil {
			return err
		}
		x.mu.Lock()
		clear := x.clearInterrupted
		x.mu.Unlock()
		if clear {
			zero := 0
			if _, err := tx.UpdateRun(ctx, x.run.ID, store.RunCond{}, store.RunUpdate{Interrupted: &zero}); err != nil {
				return err
			}
		}
		return nil
	})
	x.mu.Lock()
	if err == nil {
		x.setStart, x.clearInterrupted = false, false
		for _, key := range flushed {
			delete(x.settled, key)
		}
	} else if len(x.settled) > 0 {
		// Outcomes of attempts that ran are lost with this commit: the
		// run's requeue must charge the attempt.
		x.lostOutcome = true
	}
	x.mu.Unlock()
	return err
}

// outcomeLost reports whether a failed commit lost the outcome of an
// attempt that ran.
func (x *execution) outcomeLost() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.lostOutcome
}

// stop ends the handler because the run cannot go on in this execution.
func (x *execution) stop(err error) {
	x.mu.Lock()
	if x.lost == nil {
		x.lost = err
	}
	x.mu.Unlock()
	goruntime.Goexit()
}

// failRun ends the handler and fails the run with err, whatever the handler
// would have done with an error.
func (x *execution) failRun(err error) {
	x.mu.Lock()
	if x.fatal == nil {
		x.fatal = err
	}
	x.mu.Unlock()
	goruntime.Goexit()
}

// suspend ends the handler; the run resumes at until (or sooner, for a wait
// resolved earlier).
func (x *execution) suspend(until time.Time, status store.Status, waitKey string) {
	x.mu.Lock()
	if x.wakeAt.IsZero() || until.Before(x.wakeAt) {
		x.wakeAt = until
	}
	if rank(status) > rank(x.parked) {
		x.parked = status
	}
	if waitKey != "" {
		x.pendingWaits = append(x.pendingWaits, waitKey)
	}
	x.mu.Unlock()
	goruntime.Goexit()
}

func rank(s store.Status) int {
	switch s {
	case store.StatusWaiting:
		return 3
	case store.StatusSleeping:
		return 2
	case store.StatusQueued:
		return 1
	}
	return 0
}

// releaseForStop ends the handler before it starts a new step because the
// engine is stopping; the run is requeued for a later start.
func (x *execution) releaseForStop() {
	x.mu.Lock()
	x.release = true
	x.mu.Unlock()
	goruntime.Goexit()
}

// stepKey renders a step's identity: its scope, its ID quoted (so that no ID
// can imitate another's occurrence suffix), and its occurrence number.
func stepKey(scope, id string, occurrence int) string {
	return scope + strconv.Quote(id) + "/" + strconv.Itoa(occurrence)
}

func describe(id string, occurrence int) string {
	if occurrence == 0 {
		return strconv.Quote(id)
	}
	return fmt.Sprintf("%q (occurrence %d)", id, occurrence+1)
}

// next identifies the step being reached and checks it against the journal.
func (x *execution) next(ctx context.Context, id, kind string) (store.Step, *store.Step) {
	scope := scopeOf(ctx)
	x.mu.Lock()
	occKey := scope + "\x00" + id
	n := x.occ[occKey]
	x.occ[occKey] = n + 1
	key := stepKey(scope, id, n)
	pos := x.skipRemovedVersions(scope, key)
	x.pos[scope] = pos + 1
	var expected *store.Step
	if list := x.byScope[scope]; pos < len(list) {
		expected = &list[pos]
	}
	recorded, seen := x.journal[key]
	if x.reached != nil {
		x.reached[key] = true
	}
	x.mu.Unlock()
	x.observeReached(key, seen)

	actual := describe(id, n)
	switch {
	case expected != nil && expected.Key != key:
		x.failRun(&NonDeterminismError{Expected: describeRecorded(*expected), Actual: actual})
	case seen && recorded.Pos != pos:
		x.failRun(&NonDeterminismError{Expected: fmt.Sprintf("%s at position %d", actual, recorded.Pos+1), Actual: fmt.Sprintf("%s at position %d", actual, pos+1)})
	case seen && recorded.Kind != kind:
		x.failRun(&NonDeterminismError{Expected: fmt.Sprintf("%s (a %s step)", actual, recorded.Kind), Actual: fmt.Sprintf("%s (a %s step)", actual, kind)})
	}
	if x.replay && !seen {
		if x.run.Status.Terminal() {
			x.failRun(&NonDeterminismError{Expected: "no further step (the journal ends here)", Actual: actual})
		}
		x.stop(errReplayEnd)
	}
	now := x.e.clock.Now()
	st := store.Step{RunID: x.run.ID, Key: key, ID: id, Scope: scope, Pos: pos, Kind: kind, StartedAt: now, UpdatedAt: now}
	if seen {
		prior := *recorded
		st.StartedAt, st.Attempts = prior.StartedAt, prior.Attempts
		return st, &prior
	}
	return st, nil
}

func describeRecorded(s store.Step) string {
	// The key ends in /<occurrence>.
	n, _ := strconv.Atoi(s.Key[strings.LastIndexByte(s.Key, '/')+1:])
	return describe(s.ID, n)
}

// mayHaveWaits reports whether the run may have waits in the store: cancel
// watches, or a wait or invoke step.
func (x *execution) mayHaveWaits() bool {
	if x.fn.flow != nil && len(x.fn.flow.cancels) > 0 {
		return true
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, st := range x.journal {
		if st.Kind == journal.KindWait || st.Kind == journal.KindInvoke {
			return true
		}
	}
	return false
}

// takeInterrupted returns the lost attempts to charge to a step of scope
// about to commit, once per execution; the commit clears the run's count.
// Only a top-level step is charged: if the first step this execution runs
// is in a parallel branch, the lost execution was in that Parallel too,
// and its attempts were recorded as they started.
func (x *execution) takeInterrupted(scope string) int {
	x.mu.Lock()
	defer x.mu.Unlock()
	n := x.interrupted
	if n > 0 {
		x.interrupted = 0
		x.clearInterrupted = true
	}
	if scope != "" {
		return 0
	}
	return n
}

func (x *execution) remember(st store.Step) {
	x.mu.Lock()
	x.record(&st)
	x.mu.Unlock()
}

// record puts st in the journal; x.mu is held.
func (x *execution) record(st *store.Step) {
	if x.journal == nil {
		x.journal = map[string]*store.Step{}
	}
	x.journal[st.Key] = st
}

func (x *execution) hasSettled() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return len(x.settled) > 0
}

// settle records the outcome of a step.Run attempt whose start is already
// committed, or the end of a sleep; the run's next commit carries it.
func (x *execution) settle(st store.Step) {
	x.mu.Lock()
	x.record(&st)
	if x.settled == nil {
		x.settled = map[string]*store.Step{}
	}
	x.settled[st.Key] = &st
	x.mu.Unlock()
}

// commitStep records a step, if the run is still ours (one statement does
// both: this is the commit of every step).
func (x *execution) commitStep(ctx context.Context, st store.Step) {
	err := x.update(func(tx store.Tx) error {
		ok, err := tx.PutOwnedStep(x.e.execCtx, st, x.e.owner)
		if err == nil && !ok {
			err = errLostRun
		}
		return err
	})
	if err != nil {
		x.stop(err)
	}
	x.remember(st)
}

// Run implements runctx.Exec.
func (x *execution) Run(ctx context.Context, id string, fn func(ctx context.Context) (any, error), opts runctx.StepOptions) (json.RawMessage, error) {
	st, prior := x.next(ctx, id, journal.KindRun)
	if prior != nil {
		switch prior.Status {
		case store.StepCompleted:
			return prior.Output, nil
		case store.StepFailed:
			return nil, &StepError{StepID: id, Message: prior.Error, Attempts: prior.Attempts}
		case store.StepRetrying:
			if x.replay {
				x.stop(errReplayEnd)
			}
			if x.e.clock.Now().Before(prior.WakeAt) {
				x.suspend(prior.WakeAt, store.StatusQueued, "")
			}
		case store.StepStarted:
			// An attempt whose outcome was lost (a crash, a failed
			// commit): it counts, and the step runs again.
			if x.replay {
				x.stop(errReplayEnd)
			}
		}
	}
	if x.e.stopping.Load() {
		x.releaseForStop()
	}
	// In a parallel branch the attempt is recorded before the function
	// runs: other branches' steps run meanwhile, and a lost execution
	// could not tell which of them were running.
	branch := st.Scope != ""
	if branch {
		st.Attempts += 1 + x.takeInterrupted(st.Scope)
		st.Status = store.StepStarted
		x.commitStep(ctx, st)
	} else if x.hasSettled() {
		// The outcomes of the steps before it (the previous step, the
		// branches of a Parallel, an ended sleep) are committed before it runs: a step's
		// effects never run again once a later step has run, and a
		// top-level step's lost attempt is charged to the first step run
		// after a crash, which must then be this one. Each outcome is
		// written only if the run is still ours: no other check is needed.
		if err := x.flush(); err != nil {
			x.stop(err)
		}
	}
	var out any
	var err error
	sctx := x.stepStarted(ctx, st, branch)
	call := func() (any, error) {
		actx, expired := attemptContext(sctx, opts.Timeout)
		out, err := callStep(runctx.With(actx, nestedExec{outer: id}), fn)
		if expired() {
			// The attempt failed at its deadline: a result that came
			// later is not kept, as the step may be retried meanwhile.
			return nil, fmt.Errorf("attempt timed out after %v: %w", opts.Timeout, context.DeadlineExceeded)
		}
		return out, err
	}
	if h := hooks.From(x.e.execCtx); h != nil && h.Step != nil {
		var handled bool
		attempt := st.Attempts // a branch step's start counted it already
		if !branch {
			attempt++
		}
		if out, err, handled = h.Step(x.run.ID, id, attempt); !handled {
			out, err = call()
		}
	} else {
		out, err = call()
	}
	var raw json.RawMessage
	if err == nil {
		raw, err = json.Marshal(out)
		if err != nil {
			err = NonRetriable(fmt.Errorf("step %q: result of type %T cannot be encoded as JSON: %w", id, out, err))
		}
	}
	if !branch {
		st.Attempts += 1 + x.takeInterrupted(st.Scope)
	}
	st.UpdatedAt = x.e.clock.Now()
	if err == nil {
		st.Status, st.Output = store.StepCompleted, raw
		x.recordOutcome(ctx, st)
		return raw, nil
	}
	st.Error = err.Error()
	policy := x.stepPolicy(opts)
	if IsNonRetriable(err) || st.Attempts >= policy.maxAttempts || (policy.retriable != nil && !policy.retriable(err)) {
		st.Status = store.StepFailed
		x.recordOutcome(ctx, st)
		return nil, &StepError{StepID: id, Message: st.Error, Attempts: st.Attempts, cause: err}
	}
	next, ok := retryTime(err)
	if !ok {
		next = st.UpdatedAt.Add(jitteredBackoff(policy.initial, policy.max, policy.multiplier, st.Attempts))
	}
	st.Status, st.WakeAt = store.StepRetrying, next
	x.recordOutcome(ctx, st)
	x.e.log.Info("durable: step failed; retrying", "run", x.run.ID, "step", id, "attempt", st.Attempts, "at", next, "err", err)
	x.suspend(next, store.StatusQueued, "")
	return nil, nil // unreachable: suspend ends the goroutine
}

// recordOutcome records the outcome of an attempt of a step.Run. A
// branch step's (whose start is committed) and a completed top-level
// step's go with the run's next commit: the one before the next step runs
// (see Run), or the one that parks or ends the run, so a function's last
// step and its end are one transaction. Only the code between two steps,
// which must be deterministic and free of effects, runs meanwhile. A
// top-level step's failure or retry is committed at once.
func (x *execution) recordOutcome(ctx context.Context, st store.Step) {
	x.stepEnded(st)
	if st.Scope != "" || st.Status == store.StepCompleted {
		x.settle(st)
		return
	}
	if err := x.update(func(tx store.Tx) error {
		ok, err := tx.PutOwnedStep(x.e.execCtx, st, x.e.owner)
		if err == nil && !ok {
			err = errLostRun
		}
		return err
	}); err != nil {
		x.mu.Lock()
		x.lostOutcome = true
		x.mu.Unlock()
		x.stop(err)
	}
	x.remember(st)
}

// callStep runs a step's function, turning a panic into an error.
func callStep(ctx context.Context, fn func(ctx context.Context) (any, error)) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("step panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return fn(ctx)
}

// Sleep implements runctx.Exec.
func (x *execution) Sleep(ctx context.Context, id string, d time.Duration, until time.Time) error {
	st, prior := x.next(ctx, id, journal.KindSleep)
	now := x.e.clock.Now()
	if prior != nil {
		if prior.Status == store.StepCompleted {
			return nil
		}
		if x.replay {
			x.stop(errReplayEnd)
		}
		if now.Before(prior.WakeAt) {
			x.suspend(prior.WakeAt, store.StatusSleeping, "")
		}
		// The end of a sleep has no effect to protect: it goes with the
		// run's next commit (before its next step runs, or with its end).
		// Lost with a crash, the sleep ends again on replay.
		st.Status, st.WakeAt, st.UpdatedAt = store.StepCompleted, prior.WakeAt, now
		x.settle(st)
		x.stepCommitted(ctx, st, string(st.Status), attrSleepUntil.String(st.WakeAt.UTC().Format(time.RFC3339Nano)))
		return nil
	}
	if until.IsZero() {
		until = now.Add(d)
	}
	st.WakeAt = until
	if !until.After(now) {
		st.Status = store.StepCompleted
		x.commitStep(ctx, st)
		x.stepCommitted(ctx, st, string(st.Status), attrSleepUntil.String(until.UTC().Format(time.RFC3339Nano)))
		return nil
	}
	st.Status = store.StepSleeping
	x.commitStep(ctx, st)
	x.stepCommitted(ctx, st, string(st.Status), attrSleepUntil.String(until.UTC().Format(time.RFC3339Nano)))
	x.suspend(until, store.StatusSleeping, "")
	return nil
}

// WaitForEvent implements runctx.Exec.
func (x *execution) WaitForEvent(ctx context.Context, id, name, ifExpr string, timeout, lookback time.Duration) (json.RawMessage, error) {
	if ifExpr != "" {
		if _, err := expr.Cached(ifExpr, true, defaultLimits.eval); err != nil {
			return nil, NonRetriable(fmt.Errorf("step %q: If expression: %w", id, err))
		}
	}
	st, prior := x.next(ctx, id, journal.KindWait)
	if prior != nil {
		return x.resolved(ctx, id, *prior)
	}
	var lb *lookbackScan
	if lookback > 0 {
		lb = x.newLookbackScan(name, ifExpr, st.StartedAt.Add(-lookback))
	}
	var found *store.Event
	st.Status, st.WakeAt = store.StepWaiting, st.StartedAt.Add(timeout)
	x.commit(ctx, func(tx store.Tx) error {
		found = nil
		if lb != nil {
			ev, err := lb.find(x.e.execCtx, tx)
			if err != nil {
				return err
			}
			if ev != nil {
				found = ev
				done := st
				done.Status, done.Output, done.UpdatedAt = store.StepCompleted, ev.Envelope, x.e.clock.Now()
				return tx.PutStep(x.e.execCtx, done)
			}
		}
		if err := tx.PutStep(x.e.execCtx, st); err != nil {
			return err
		}
		return tx.InsertWait(x.e.execCtx, keyed(store.Wait{RunID: x.run.ID, StepKey: st.Key, EventName: name, If: ifExpr, Trigger: x.first, ExpiresAt: st.WakeAt}))
	})
	waitAttrs := []attribute.KeyValue{attrWaitEvent.String(name), attrWaitExpires.String(st.WakeAt.UTC().Format(time.RFC3339Nano))}
	if found != nil {
		st.Status, st.Output, st.UpdatedAt = store.StepCompleted, found.Envelope, x.e.clock.Now()
		x.remember(st)
		// Matched at once by an event sent before (Lookback).
		x.stepCommitted(ctx, st, string(st.Status), append(waitAttrs, attrEventID.String(found.ID))...)
		return x.openStepOutput(st), nil
	}
	x.remember(st)
	x.stepCommitted(ctx, st, string(st.Status), waitAttrs...)
	x.suspend(st.WakeAt, store.StatusWaiting, st.Key)
	return nil, nil
}

// resolved returns the outcome of a wait or invoke reached before, or
// suspends the run again if it has none yet.
func (x *execution) resolved(ctx context.Context, id string, prior store.Step) (json.RawMessage, error) {
	if prior.Status == store.StepWaiting {
		if x.replay {
			x.stop(errReplayEnd)
		}
		now := x.e.clock.Now()
		expired := false // this commit recorded the timeout
		x.commit(ctx, func(tx store.Tx) error {
			expired = false
			s, err := tx.GetStep(x.e.execCtx, x.run.ID, prior.Key)
			if err != nil {
				return err
			}
			if s.Status == store.StepWaiting && !now.Before(s.WakeAt) {
				deleted, err := tx.DeleteWait(x.e.execCtx, x.run.ID, prior.Key)
				if err != nil {
					return err
				}
				if deleted {
					s.Status, s.Error, s.UpdatedAt = store.StepFailed, timedOut, now
					if err := tx.PutStep(x.e.execCtx, s); err != nil {
						return err
					}
					expired = true
				} else if s, err = tx.GetStep(x.e.execCtx, x.run.ID, prior.Key); err != nil {
					return err
				}
			}
			prior = s
			return nil
		})
		x.remember(prior)
		if expired {
			x.stepCommitted(ctx, prior, statusTimedOut)
		}
	}
	switch prior.Status {
	case store.StepCompleted:
		return x.openStepOutput(prior), nil
	case store.StepFailed:
		if prior.Error == timedOut {
			return nil, runctx.ErrTimeout
		}
		return nil, &StepError{StepID: id, Message: prior.Error, Attempts: max(prior.Attempts, 1)}
	}
	x.suspend(prior.WakeAt, store.StatusWaiting, prior.Key)
	return nil, nil
}

// derivedID gives events and runs created by a step IDs that are the same
// on every execution, so that re-executing the step cannot duplicate them.
func derivedID(prefix, runID, key string, i int) string {
	return prefix + "-" + hashString(runID+"\x00"+key) + "-" + strconv.Itoa(i)
}

func hashString(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:12])
}

// SendEvents implements runctx.Exec.
func (x *execution) SendEvents(ctx context.Context, id string, events []runctx.OutEvent) ([]string, error) {
	st, prior := x.next(ctx, id, journal.KindSend)
	if prior != nil && prior.Status == store.StepCompleted {
		var ids []string
		if err := json.Unmarshal(prior.Output, &ids); err != nil {
			return nil, NonRetriable(fmt.Errorf("step %q: recorded event IDs: %w", id, err))
		}
		return ids, nil
	}
	if x.e.stopping.Load() {
		x.releaseForStop()
	}
	evs := make([]Event, len(events))
	for i, ev := range events {
		evs[i] = Event{Name: ev.Name, Data: ev.Data, ID: ev.ID, TS: ev.TS, V: ev.V}
	}
	envs, err := x.e.envelopes(evs, func(i int) string { return derivedID("evt", x.run.ID, st.Key, i) })
	if err != nil {
		return nil, NonRetriable(fmt.Errorf("step %q: %w", id, err))
	}
	sctx := x.stepStarted(ctx, st, false)
	stampTrace(sctx, envs)
	x.e.evalWaits(x.e.execCtx, envs)
	ids := make([]string, len(envs))
	for i, env := range envs {
		ids[i] = env.ID
	}
	st.Output, _ = json.Marshal(ids)
	st.Status, st.Attempts = store.StepCompleted, st.Attempts+1
	var started []store.Run
	var poll bool
	dctx, fx := withTxEffects(x.e.execCtx)
	err = x.tryCommit(ctx, func(tx store.Tx) error {
		fx.reset()
		var err error
		if started, poll, err = x.e.dispatchAll(dctx, tx, envs); err != nil {
			return err
		}
		return tx.PutStep(x.e.execCtx, st)
	})
	if err != nil {
		x.stop(err)
	}
	x.remember(st)
	x.stepEnded(st)
	x.e.obs.committed(sctx, fx)
	x.e.launch(started)
	if poll {
		x.e.signal()
	}
	if h := hooks.From(x.e.execCtx); h != nil && h.Sent != nil {
		raws := make([]json.RawMessage, len(envs))
		for i, env := range envs {
			raws[i] = env.JSON
		}
		h.Sent(x.run.ID, id, raws)
	}
	return ids, nil
}

// Invoke implements runctx.Exec.
func (x *execution) Invoke(ctx context.Context, id, functionID string, data any, timeout time.Duration) (json.RawMessage, error) {
	target := x.e.fns[functionID]
	if target == nil {
		return nil, NonRetriable(fmt.Errorf("step %q: invoked function %q is not registered with this engine", id, functionID))
	}
	st, prior := x.next(ctx, id, journal.KindInvoke)
	if prior != nil {
		return x.resolved(ctx, id, *prior)
	}
	if x.e.stopping.Load() {
		x.releaseForStop()
	}
	if h := hooks.From(x.e.execCtx); h != nil && h.Invoke != nil {
		if out, err, handled := h.Invoke(x.run.ID, id, functionID, data); handled {
			return x.mockedInvoke(ctx, st, out, err)
		}
	}
	envs, err := x.e.envelopes([]Event{{Name: FunctionInvokedEvent, Data: data}}, func(i int) string { return derivedID("inv", x.run.ID, st.Key, i) })
	if err != nil {
		return nil, NonRetriable(fmt.Errorf("step %q: %w", id, err))
	}
	stampTrace(ctx, envs)
	env := envs[0]
	now := x.e.clock.Now()
	child := x.e.newRun(target, "["+string(env.JSON)+"]", now)
	child.ID = derivedID("run", x.run.ID, st.Key, 0)
	child.ParentRunID, child.ParentStepKey = x.run.ID, st.Key
	if child.Limits, err = x.e.limits(target, map[string]any{"event": env.vars}); err != nil {
		return nil, NonRetriable(fmt.Errorf("step %q: invoking %q: %w", id, functionID, err))
	}
	st.Status, st.WakeAt = store.StepWaiting, now.Add(timeout)
	x.commit(ctx, func(tx store.Tx) error {
		ctx := x.e.execCtx
		if _, err := tx.InsertEvent(ctx, store.Event{ID: env.ID, Name: env.Name, TS: env.TS, Envelope: env.JSON, ReceivedAt: now}); err != nil {
			return err
		}
		if err := tx.InsertRun(ctx, child); err != nil {
			return err
		}
		if err := tx.PutStep(ctx, st); err != nil {
			return err
		}
		return tx.InsertWait(ctx, store.Wait{RunID: x.run.ID, StepKey: st.Key, ChildRunID: child.ID, ExpiresAt: st.WakeAt})
	})
	x.remember(st)
	x.stepCommitted(ctx, st, string(st.Status), attrInvokedFn.String(functionID), attrInvokedRun.String(child.ID),
		attrWaitExpires.String(st.WakeAt.UTC().Format(time.RFC3339Nano)))
	x.e.signal()
	x.suspend(st.WakeAt, store.StatusWaiting, st.Key)
	return nil, nil
}

// mockedInvoke records the result a test hook gave for an invoke.
func (x *execution) mockedInvoke(ctx context.Context, st store.Step, out any, err error) (json.RawMessage, error) {
	st.Attempts++
	if err == nil {
		st.Output, err = json.Marshal(out)
	}
	if err != nil {
		st.Status, st.Error = store.StepFailed, err.Error()
		x.commitStep(ctx, st)
		return nil, &StepError{StepID: st.ID, Message: st.Error, Attempts: 1, cause: err}
	}
	st.Status = store.StepCompleted
	x.commitStep(ctx, st)
	return st.Output, nil
}

// Parallel implements runctx.Exec. Each branch gets its own scope, so the
// steps of one branch are numbered and checked independently of the others'
// timing. If any branch suspends, the run suspends once all have stopped.
func (x *execution) Parallel(ctx context.Context, n int, branch func(ctx context.Context, i int)) error {
	scope := scopeOf(ctx)
	x.mu.Lock()
	if x.par == nil {
		x.par = map[string]int{}
	}
	k := x.par[scope]
	x.par[scope] = k + 1
	x.mu.Unlock()
	var wg sync.WaitGroup
	var exited atomic.Bool
	var panicked atomic.Value
	for i := range n {
		wg.Add(1)
		bctx := context.WithValue(ctx, scopeKey{}, fmt.Sprintf("%sparallel/%d[%d]/", scope, k, i))
		go func() {
			defer wg.Done()
			returned := false
			defer func() {
				if returned {
					return
				}
				if p := recover(); p != nil {
					panicked.CompareAndSwap(nil, fmt.Sprintf("parallel branch %d: %v", i, p))
					return
				}
				exited.Store(true)
			}()
			branch(bctx, i)
			returned = true
		}()
	}
	wg.Wait()
	if p := panicked.Load(); p != nil {
		panic(p)
	}
	if exited.Load() {
		goruntime.Goexit()
	}
	return nil
}

// nestedExec is the Exec seen inside a step's function: steps cannot nest,
// because the inner step would be memoized while the outer one is not.
type nestedExec struct{ outer string }

func (n nestedExec) err(inner string) error {
	return NonRetriable(fmt.Errorf("step %q started inside step %q: steps cannot nest; call it from the function body", inner, n.outer))
}

func (n nestedExec) Run(_ context.Context, id string, _ func(context.Context) (any, error), _ runctx.StepOptions) (json.RawMessage, error) {
	return nil, n.err(id)
}
func (n nestedExec) Sleep(_ context.Context, id string, _ time.Duration, _ time.Time) error {
	return n.err(id)
}
func (n nestedExec) WaitForEvent(_ context.Context, id, _, _ string, _, _ time.Duration) (json.RawMessage, error) {
	return nil, n.err(id)
}
func (n nestedExec) Version(_ context.Context, id string, _ int) (int, error) {
	return 0, n.err(id)
}
func (n nestedExec) SendEvents(_ context.Context, id string, _ []runctx.OutEvent) ([]string, error) {
	return nil, n.err(id)
}
func (n nestedExec) Invoke(_ context.Context, id, _ string, _ any, _ time.Duration) (json.RawMessage, error) {
	return nil, n.err(id)
}
func (n nestedExec) Parallel(context.Context, int, func(context.Context, int)) error {
	return n.err("parallel")
}
