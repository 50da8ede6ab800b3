package durabletest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/internal/hooks"
	"github.com/durable-go/durable/runtime/internal/vclock"
	"github.com/durable-go/durable/runtime/store"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

// kindWait is the journal kind of a step.WaitForEvent.
const kindWait = "wait"

// stopTimeout bounds how long the harness waits for the engine to stop.
const stopTimeout = 10 * time.Second

// Run runs fn for event on a real engine with a real SQLite store (a file
// in t.TempDir) and a virtual clock, and returns the result once every run
// it started has ended.
//
// The run starts the way production starts it: event is sent to the engine,
// and fn's trigger (with its If expression) decides. To start a function
// that has a cron trigger, pass an Event with no name (or named
// runtime.CronEvent): virtual time moves to the next tick and the engine's
// cron loop starts the run.
//
// While runs sleep, wait for an event, or wait for a retry, and nothing else
// is due, virtual time jumps to the next moment something is: a step.Sleep of
// a week takes no wall time. Events given with DeliverEvent are sent when the
// run waits for them.
//
// Afterwards Run replays every run against its journal (Engine.CheckReplay)
// and fails the test if the code took a different path on replay, which is
// what makes production runs fail after a sleep. It also fails the test for
// a mock or delivery that was never used (see AllowUnused), a run that did
// not end within TimeLimit, and an event that did not match its wait.
//
// The engine is stopped and the store closed before Run returns. Run may be
// called from parallel tests. Run and the Result helpers use only t's
// Helper, Errorf, Fatalf, FailNow, Logf, Cleanup, TempDir and Failed.
func Run(t testing.TB, fn *runtime.Function, event runtime.Event, opts ...Option) *Result {
	t.Helper()
	cfg := newConfig(opts)
	if fn == nil {
		t.Fatalf("durabletest.Run: nil function")
	}
	if err := fn.Err(); err != nil {
		t.Fatalf("durabletest.Run: %v", err)
	}
	if len(cfg.errs) > 0 {
		t.Fatalf("durabletest.Run(%q): invalid options:\n  %s", fn.ID(), strings.Join(cfg.errs, "\n  "))
	}
	h := &harness{t: t, cfg: cfg, fn: fn, clock: vclock.New(cfg.start), logs: &logBuffer{}}
	h.start(t)
	defer h.stop()

	ctx := context.Background()
	root := h.startRun(ctx, event)
	h.drive(ctx, root)
	h.replayCheck(ctx)
	res := h.result(ctx, root)
	h.checkUse(res)
	return res
}

type harness struct {
	t     testing.TB
	cfg   *config
	fn    *runtime.Function
	clock *vclock.Clock
	logs  *logBuffer
	store *sqlite.Store
	eng   *runtime.Engine

	stopOnce sync.Once

	mu          sync.Mutex
	sent        []SentEvent
	invocations []Invocation
	delivered   []Delivery
}

// start opens the store and starts the engine with the harness's hooks.
func (h *harness) start(t testing.TB) {
	t.Helper()
	fns := []*runtime.Function{h.fn}
	ids := map[string]bool{h.fn.ID(): true}
	for _, f := range h.cfg.with {
		if f == nil {
			t.Fatalf("durabletest.Run: nil function given to With")
		}
		if ids[f.ID()] {
			continue
		}
		ids[f.ID()] = true
		fns = append(fns, f)
	}
	// A mocked invoke never starts a run, but the engine only invokes
	// functions it knows: stand-ins that no event triggers take their place.
	mocked := make([]string, 0, len(h.cfg.invokes))
	for id := range h.cfg.invokes {
		mocked = append(mocked, id)
	}
	sort.Strings(mocked)
	for _, id := range mocked {
		if !ids[id] {
			ids[id] = true
			fns = append(fns, standIn(id))
		}
	}

	st, err := sqlite.Open(filepath.Join(t.TempDir(), "durabletest.db"), sqlite.Synchronous("OFF"))
	if err != nil {
		t.Fatalf("durabletest.Run: opening the store: %v", err)
	}
	eng, err := runtime.New(runtime.Options{
		Store:     st,
		Functions: fns,
		Logger:    slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{ReplaceAttr: dropTime})),
		Clock:     h.clock,
		// Leases are renewed in wall time; the harness never moves virtual
		// time while a run executes, so they only need to outlast the test.
		LeaseDuration: time.Hour,
		PollInterval:  time.Minute,
	})
	if err != nil {
		st.Close()
		t.Fatalf("durabletest.Run: %v", err)
	}
	h.store, h.eng = st, eng
	t.Cleanup(func() {
		h.stop()
		if t.Failed() {
			if l := h.logs.String(); l != "" {
				t.Logf("durabletest: engine log of %q:\n%s", h.fn.ID(), l)
			}
		}
	})
	if err := eng.Start(hooks.With(context.Background(), h.hooks())); err != nil {
		t.Fatalf("durabletest.Run: %v", err)
	}
}

// stop stops the engine and closes the store, once.
func (h *harness) stop() {
	h.stopOnce.Do(func() {
		if h.eng != nil {
			ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
			defer cancel()
			if err := h.eng.Stop(ctx); err != nil {
				h.t.Errorf("durabletest: the engine did not stop within %v (a step is still executing and ignores its context): %v", stopTimeout, err)
			}
		}
		if h.store != nil {
			if err := h.store.Close(); err != nil {
				h.t.Errorf("durabletest: closing the store: %v", err)
			}
		}
	})
}

func standIn(id string) *runtime.Function {
	return runtime.NewFunction(runtime.FunctionOpts{ID: id, Retries: runtime.Retries(0)},
		runtime.EventTrigger("durabletest/mocked-function.never-sent", ""),
		func(context.Context, runtime.Input[json.RawMessage]) (any, error) {
			return nil, runtime.NonRetriable(fmt.Errorf("durabletest: function %q is mocked with MockInvoke and must not run", id))
		})
}

func dropTime(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// hooks are how the harness stands in for steps and invokes, and sees sends.
func (h *harness) hooks() *hooks.Hooks {
	return &hooks.Hooks{
		Step: func(runID, stepID string, attempt int) (any, error, bool) {
			m := h.cfg.steps[stepID]
			if m == nil {
				return nil, nil, false
			}
			h.mu.Lock()
			m.used = true
			h.mu.Unlock()
			switch {
			case attempt <= m.failFirst:
				err := m.failErr
				if err == nil {
					err = fmt.Errorf("durabletest: attempt %d of step %q fails (MockStepFailures)", attempt, stepID)
				}
				return nil, err, true
			case m.fn != nil:
				out, err := m.fn(attempt)
				return out, err, true
			case m.hasValue:
				return m.out, m.err, true
			}
			return nil, nil, false
		},
		Invoke: func(runID, stepID, functionID string, data any) (any, error, bool) {
			m := h.cfg.invokes[functionID]
			if m == nil {
				return nil, nil, false
			}
			raw, err := json.Marshal(data)
			if err != nil {
				raw = nil
			}
			h.mu.Lock()
			m.used = true
			h.invocations = append(h.invocations, Invocation{RunID: runID, StepID: stepID, FunctionID: functionID, Data: raw})
			h.mu.Unlock()
			return m.out, m.err, true
		},
		Sent: func(runID, stepID string, envelopes []json.RawMessage) {
			h.mu.Lock()
			defer h.mu.Unlock()
			for _, env := range envelopes {
				var e struct {
					Name string          `json:"name"`
					Data json.RawMessage `json:"data"`
					ID   string          `json:"id"`
					TS   int64           `json:"ts"`
					V    string          `json:"v"`
				}
				_ = json.Unmarshal(env, &e)
				h.sent = append(h.sent, SentEvent{RunID: runID, StepID: stepID, Name: e.Name, Data: e.Data, ID: e.ID, TS: e.TS, V: e.V, Envelope: env})
			}
		},
	}
}

// startRun starts the run under test and returns its ID.
func (h *harness) startRun(ctx context.Context, event runtime.Event) string {
	h.t.Helper()
	cron := cronSpec(h.fn)
	if event.Name == "" || event.Name == runtime.CronEvent {
		if cron == "" {
			h.t.Fatalf("durabletest.Run(%q): the event has no name (%+v); only a function with a cron trigger can start without one", h.fn.ID(), event)
		}
		sched, err := runtime.ParseCron(cron)
		if err != nil {
			h.t.Fatalf("durabletest.Run(%q): %v", h.fn.ID(), err)
		}
		tick := sched.Next(h.clock.Now())
		deadline := time.Now().Add(h.cfg.wall)
		// The cron loop computes its next tick when it starts; move the
		// clock only once it waits for it, or it would skip this tick.
		for !h.clock.HasTimerAt(tick) {
			if time.Now().After(deadline) {
				h.t.Fatalf("durabletest.Run(%q): the engine's cron loop did not schedule the tick at %v within %v", h.fn.ID(), tick, h.cfg.wall)
			}
			time.Sleep(50 * time.Microsecond)
		}
		h.clock.Set(tick)
		for {
			runs := h.runs(ctx, h.fn.ID())
			if len(runs) > 0 {
				return runs[len(runs)-1].ID
			}
			if time.Now().After(deadline) {
				h.t.Fatalf("durabletest.Run(%q): no run started at the cron tick %v within %v\n%s", h.fn.ID(), tick, h.cfg.wall, h.logs.String())
			}
			time.Sleep(50 * time.Microsecond)
		}
	}
	mark := h.logs.Len()
	if _, err := h.eng.Send(ctx, event); err != nil {
		h.t.Fatalf("durabletest.Run(%q): sending the event: %v", h.fn.ID(), err)
	}
	runs := h.runs(ctx, h.fn.ID())
	if len(runs) == 0 {
		msg := fmt.Sprintf("durabletest.Run(%q): event %q did not start a run: %s", h.fn.ID(), event.Name, describeTriggers(h.fn))
		if l := h.logs.Since(mark); l != "" {
			msg += "\nengine log:\n" + l
		}
		h.t.Fatalf("%s", msg)
	}
	return runs[len(runs)-1].ID
}

func cronSpec(fn *runtime.Function) string {
	for _, t := range fn.Triggers() {
		if t.Cron() != "" {
			return t.Cron()
		}
	}
	return ""
}

func describeTriggers(fn *runtime.Function) string {
	var parts []string
	for _, t := range fn.Triggers() {
		switch {
		case t.Cron() != "":
			parts = append(parts, fmt.Sprintf("cron %q", t.Cron()))
		case t.If() != "":
			parts = append(parts, fmt.Sprintf("event %q if %s", t.Event(), t.If()))
		default:
			parts = append(parts, fmt.Sprintf("event %q", t.Event()))
		}
	}
	return "the function's triggers are " + strings.Join(parts, ", ")
}

// runs lists the runs of fnID ("" for all), newest first.
func (h *harness) runs(ctx context.Context, fnID string) []store.Run {
	h.t.Helper()
	var runs []store.Run
	err := h.store.View(ctx, func(tx store.Tx) error {
		var err error
		runs, err = tx.ListRuns(ctx, store.RunFilter{FunctionID: fnID})
		return err
	})
	if err != nil {
		h.t.Fatalf("durabletest: listing runs: %v", err)
	}
	return runs
}

// drive moves the runs forward until every run has ended: it waits while
// something executes or is due, delivers the events the test supplies once
// a run waits for them, and otherwise moves virtual time to the next moment
// something is due.
func (h *harness) drive(ctx context.Context, rootID string) {
	h.t.Helper()
	wallDeadline := time.Now().Add(h.cfg.wall)
	horizon := h.cfg.start.Add(h.cfg.limit)
	pause := 20 * time.Microsecond
	for {
		runs := h.runs(ctx, "")
		now := h.clock.Now()
		var active []store.Run
		busy, stalled := false, false
		for _, r := range runs {
			if r.Status.Terminal() {
				continue
			}
			active = append(active, r)
			switch {
			case r.Status == store.StatusRunning, r.Status == store.StatusBlocked:
				// A blocked run waits for a running one to free a
				// concurrency slot, not for time to pass.
				busy = true
			case !r.AvailableAt.After(now):
				busy, stalled = true, true
			}
		}
		if len(active) == 0 {
			return
		}
		if time.Now().After(wallDeadline) {
			h.t.Errorf("durabletest: runs still going after %v of wall time (WallTimeout); a step may never return, or functions keep starting work:\n%s",
				h.cfg.wall, h.describeActive(ctx, active, now))
			return
		}
		if busy {
			if stalled {
				// Due but not claimed: make sure the poll loop looks.
				h.clock.Kick()
			}
			time.Sleep(pause)
			pause = min(2*pause, time.Millisecond)
			continue
		}
		pause = 20 * time.Microsecond
		sent, next := h.deliver(ctx, active, now)
		if sent {
			continue
		}
		for _, r := range active {
			if next.IsZero() || r.AvailableAt.Before(next) {
				next = r.AvailableAt
			}
		}
		if next.After(horizon) {
			rootActive := false
			for _, r := range active {
				rootActive = rootActive || r.ID == rootID
			}
			if rootActive {
				h.t.Errorf("durabletest: the run did not end within the time limit of %v (TimeLimit); the next thing due is at %v:\n%s",
					h.cfg.limit, next.Sub(h.cfg.start), h.describeActive(ctx, active, now))
			}
			return
		}
		h.clock.Set(next)
	}
}

// describeActive lists runs that have not ended and what they wait for.
func (h *harness) describeActive(ctx context.Context, active []store.Run, now time.Time) string {
	var b strings.Builder
	for _, r := range active {
		fmt.Fprintf(&b, "  run %s of %q: %s", r.ID, r.FunctionID, r.Status)
		if r.Status != store.StatusRunning {
			fmt.Fprintf(&b, " until %v (virtual time +%v)", r.AvailableAt.Sub(now), r.AvailableAt.Sub(h.cfg.start))
		}
		b.WriteString("\n")
		for _, s := range h.steps(ctx, r.ID) {
			if s.Status == store.StepCompleted || s.Status == store.StepFailed {
				continue
			}
			fmt.Fprintf(&b, "    step %q (%s) is %s until +%v\n", s.ID, s.Kind, s.Status, s.WakeAt.Sub(h.cfg.start))
		}
	}
	return b.String()
}

func (h *harness) steps(ctx context.Context, runID string) []store.Step {
	var steps []store.Step
	err := h.store.View(ctx, func(tx store.Tx) error {
		var err error
		steps, err = tx.ListSteps(ctx, runID)
		return err
	})
	if err != nil {
		h.t.Fatalf("durabletest: listing steps of run %s: %v", runID, err)
	}
	return steps
}

// deliver sends the next event the test supplied for a wait that is
// pending, if one is due, and reports whether it sent one; otherwise it
// returns the time the earliest delayed delivery is due, if any.
func (h *harness) deliver(ctx context.Context, active []store.Run, now time.Time) (sent bool, due time.Time) {
	h.t.Helper()
	for _, r := range active {
		if r.Status != store.StatusWaiting {
			continue
		}
		for _, s := range h.steps(ctx, r.ID) {
			if s.Kind != kindWait || s.Status != store.StepWaiting {
				continue
			}
			var d *delivery
			for _, c := range h.cfg.deliveries[s.ID] {
				if !c.done {
					d = c
					break
				}
			}
			if d == nil {
				continue
			}
			if at := s.StartedAt.Add(d.after); at.After(now) {
				if due.IsZero() || at.Before(due) {
					due = at
				}
				continue
			}
			d.done = true
			h.send(ctx, r, s, d)
			return true, time.Time{}
		}
	}
	return false, due
}

// send delivers d to the wait at step s of run r through the engine and
// checks the outcome against what the test expects.
func (h *harness) send(ctx context.Context, r store.Run, s store.Step, d *delivery) {
	h.t.Helper()
	// The wait's record says what it accepts; read it before the event
	// resolves (and deletes) it.
	var wait *store.Wait
	if d.event.Name != "" {
		err := h.store.View(ctx, func(tx store.Tx) error {
			waits, err := tx.WaitsForEvent(ctx, d.event.Name)
			for _, w := range waits {
				if w.RunID == r.ID && w.StepKey == s.Key {
					wait = &w
				}
			}
			return err
		})
		if err != nil {
			h.t.Fatalf("durabletest: reading the waits for %q: %v", d.event.Name, err)
		}
	}
	mark := h.logs.Len()
	name := "DeliverEvent"
	if !d.wantMatch {
		name = "DeliverNonMatchingEvent"
	}
	if _, err := h.eng.Send(ctx, d.event); err != nil {
		h.t.Errorf("durabletest: %s(%q): sending the event: %v", name, s.ID, err)
		return
	}
	var after store.Step
	err := h.store.View(ctx, func(tx store.Tx) error {
		var err error
		after, err = tx.GetStep(ctx, r.ID, s.Key)
		return err
	})
	if err != nil {
		h.t.Fatalf("durabletest: reading step %q: %v", s.ID, err)
	}
	matched := after.Status != store.StepWaiting
	h.mu.Lock()
	h.delivered = append(h.delivered, Delivery{RunID: r.ID, StepID: s.ID, Event: d.event, Matched: matched})
	h.mu.Unlock()
	evJSON, _ := json.Marshal(d.event)
	switch {
	case d.wantMatch && !matched && wait == nil:
		h.t.Errorf("durabletest: DeliverEvent(%q): the wait at step %q of run %s (%q) does not wait for events named %q, so event %s did not resolve it; "+
			"in production it would time out", s.ID, s.ID, r.ID, r.FunctionID, d.event.Name, evJSON)
	case d.wantMatch && !matched:
		msg := fmt.Sprintf("durabletest: DeliverEvent(%q): event %s does not match the wait's If expression\n    %s\nwith `event` the run's triggering event %s; "+
			"the wait goes on and times out at +%v, as in production", s.ID, evJSON, wait.If, wait.Trigger, wait.ExpiresAt.Sub(h.cfg.start))
		if l := h.logs.Since(mark); l != "" {
			msg += "\nengine log:\n" + l
		}
		h.t.Errorf("%s", msg)
	case !d.wantMatch && matched:
		cond := "(the wait has no If expression)"
		if wait != nil && wait.If != "" {
			cond = "\n    " + wait.If
		}
		h.t.Errorf("durabletest: DeliverNonMatchingEvent(%q): event %s resolved the wait; its If expression accepted it %s", s.ID, evJSON, cond)
	}
}

// replayCheck replays every run against its journal.
func (h *harness) replayCheck(ctx context.Context) {
	h.t.Helper()
	runs := h.runs(ctx, "")
	for i := len(runs) - 1; i >= 0; i-- {
		r := runs[i]
		err := h.eng.CheckReplay(ctx, r.ID)
		if err == nil {
			continue
		}
		// A run that failed by panicking panics again on replay: that is the
		// same path.
		if r.Status == store.StatusFailed && strings.HasPrefix(r.Error, "panic:") && strings.Contains(err.Error(), "replay panicked") {
			continue
		}
		var nd *runtime.NonDeterminismError
		if errors.As(err, &nd) {
			h.t.Errorf("durabletest: replay check: function %q takes a different path when replayed from its journal: expected step %s, reached step %s.\n"+
				"A run that resumes after a sleep, a wait or a retry would fail like this in production. Code outside step.Run must be deterministic: "+
				"move time, random values, I/O and anything that can change between executions into a step.\n(%v)", r.FunctionID, nd.Expected, nd.Actual, err)
			continue
		}
		h.t.Errorf("durabletest: replay check of function %q: %v", r.FunctionID, err)
	}
}

// checkUse fails the test for options that had no effect.
func (h *harness) checkUse(res *Result) {
	h.t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.cfg.allowIdle {
		var ids []string
		for id := range h.cfg.steps {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			if !h.cfg.steps[id].used {
				h.t.Errorf("durabletest: the mock of step %q was never used: no step.Run with this ID ran (steps reached: %s)", id, res.stepIDs())
			}
		}
		ids = ids[:0]
		for id := range h.cfg.invokes {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			if !h.cfg.invokes[id].used {
				h.t.Errorf("durabletest: MockInvoke(%q) was never used: no step.Invoke of this function ran (steps reached: %s)", id, res.stepIDs())
			}
		}
		ids = ids[:0]
		for id := range h.cfg.deliveries {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			for _, d := range h.cfg.deliveries[id] {
				if d.done {
					continue
				}
				evJSON, _ := json.Marshal(d.event)
				if w, ok := res.findStep(id, kindWait); ok {
					h.t.Errorf("durabletest: the event %s for step %q was never delivered: the wait ended (%s) before the event was due, %v after the wait began",
						evJSON, id, describeStep(w), d.after)
					continue
				}
				h.t.Errorf("durabletest: the event %s for step %q was never delivered: no run waited at a step.WaitForEvent with this ID (steps reached: %s)", evJSON, id, res.stepIDs())
			}
		}
	}
	for _, id := range h.cfg.timeouts {
		found := false
		for _, run := range res.shared.runs {
			for _, s := range run.Steps {
				if s.ID != id || s.Kind != kindWait {
					continue
				}
				found = true
				if s.Status != runtime.StepFailed || s.Error != "timed out" {
					h.t.Errorf("durabletest: TimeoutWait(%q): the wait did not time out: it is %s%s", id, s.Status, describeOutput(s.Output))
				}
			}
		}
		if !found {
			h.t.Errorf("durabletest: TimeoutWait(%q): no run reached a step.WaitForEvent with this ID (steps reached: %s)", id, res.stepIDs())
		}
	}
}

func describeOutput(out json.RawMessage) string {
	if len(out) == 0 {
		return ""
	}
	return " with " + abbrev(string(out))
}

// result collects what the runs did.
func (h *harness) result(ctx context.Context, rootID string) *Result {
	h.t.Helper()
	runs := h.runs(ctx, "")
	sh := &shared{start: h.cfg.start, end: h.clock.Now()}
	for i := len(runs) - 1; i >= 0; i-- {
		info, err := h.eng.Run(ctx, runs[i].ID)
		if err != nil {
			h.t.Fatalf("durabletest: reading run %s: %v", runs[i].ID, err)
		}
		sh.runs = append(sh.runs, info)
	}
	h.mu.Lock()
	sh.sent = append([]SentEvent(nil), h.sent...)
	sh.invocations = append([]Invocation(nil), h.invocations...)
	sh.delivered = append([]Delivery(nil), h.delivered...)
	h.mu.Unlock()
	for _, info := range sh.runs {
		if info.ID == rootID {
			return &Result{info: info, found: true, fnID: info.FunctionID, shared: sh}
		}
	}
	h.t.Fatalf("durabletest: run %s vanished", rootID)
	return nil
}

// logBuffer keeps the engine's log.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Since returns what was logged after the log had n bytes.
func (l *logBuffer) Since(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()[n:]
}
