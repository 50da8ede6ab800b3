package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/durable-go/durable/runtime/internal/expr"
	"github.com/durable-go/durable/runtime/internal/flowstate"
	"github.com/durable-go/durable/runtime/internal/journal"
	"github.com/durable-go/durable/runtime/store"
)

// forever stands for "no expiry" in a cancel watch (about a century).
const forever = 100 * 365 * 24 * time.Hour

// slotBudget counts the worker slots that the runs one Update callback
// starts at once may use. It is local to one call of the callback: store
// callbacks may run more than once and their commit may fail, so nothing
// in memory is taken inside them; the slots themselves are taken after the
// commit (launch), and a run that finds none free waits for one, leased.
// A nil budget starts nothing directly.
type slotBudget struct {
	free int
	// queued is set when the callback left work that this engine did not
	// start directly (a queued or delayed run, a resumed waiter, state a
	// later run depends on): the poll loop must then look.
	queued bool
}

// newSlotBudget reads the free slots without taking any.
func (e *Engine) newSlotBudget() *slotBudget {
	if e.stopping.Load() || !e.isRunning() {
		return &slotBudget{}
	}
	return &slotBudget{free: cap(e.slots) - len(e.slots) - int(e.claimedWaiting.Load())}
}

func (b *slotBudget) take() bool {
	if b == nil || b.free <= 0 {
		return false
	}
	b.free--
	return true
}

func (b *slotBudget) giveBack() { b.free++ }

func (b *slotBudget) markQueued() {
	if b != nil {
		b.queued = true
	}
}

// admit applies f's flow control to an event that triggers it and creates,
// updates or skips the run, all in tx, by passing it through
// admissionStages in order until one settles it. Flow-control state that
// must outlive the process (idempotency keys, rate and throttle windows,
// debounce and batch buffers, singletons) lives in the store
// (runtime/internal/flowstate). It returns the run when it was created
// leased to this engine, which budget allowed; the caller launches it after
// the commit.
func (e *Engine) admit(ctx context.Context, tx store.Tx, f *Function, env envelope, vars map[string]any, now time.Time, budget *slotBudget) (*store.Run, error) {
	a := &admission{e: e, tx: tx, f: f, flow: f.flow, env: env, now: now, budget: budget}
	a.run = e.newRun(f, "["+string(env.JSON)+"]", now)
	if a.flow == nil {
		a.flow = &flow{}
	}
	// The keys were evaluated before the transaction (see evalTriggers),
	// except for a cron run's.
	if a.keys = env.eval.keysFor(f); a.keys == nil {
		a.keys = e.flowKeys(f, vars)
	}
	for _, decide := range admissionStages {
		v, err := decide(a, ctx)
		if err != nil || v == settled {
			return nil, err
		}
	}
	if a.started {
		return &a.run, nil
	}
	return nil, nil
}

// admission is one event's admission of one function's run, as the stages
// see and build it.
type admission struct {
	e      *Engine
	tx     store.Tx
	f      *Function
	flow   *flow // f's flow control; never nil
	env    envelope
	keys   *flowKeys // f's keys evaluated with the event
	now    time.Time
	budget *slotBudget
	// run is the run being built; it is stored by the stage that settles
	// the admission or by insert.
	run store.Run
	// started says insert stored run leased to this engine, to launch.
	started bool
}

// verdict is what an admission stage decided.
type verdict int

const (
	// next: the run goes on to the next stage.
	next verdict = iota
	// settled: the stage disposed of the event (the run was skipped or
	// failed and recorded so, or the event joined a pending run); later
	// stages do not see it.
	settled
)

// admissionStage is one decision of admission, named for what it decides.
type admissionStage func(a *admission, ctx context.Context) (verdict, error)

// admissionStages are the decisions admit makes, in order. The order is
// part of the semantics: a stage that settles an event keeps it from every
// later stage's state (a duplicate does not use a rate, a skipped event
// does not replace a singleton or move a debounce), and the stages that
// set when the run is due come after the ones that decide whether it runs.
// It is set by init: the stages dispatch events (announcements), which
// admits runs, a cycle a package variable's initializer may not have.
var admissionStages []admissionStage

func init() {
	admissionStages = []admissionStage{
		// First: a duplicate must change no other state. The key is
		// recorded even when a later stage skips the run or merges the
		// event: a duplicate of it is a duplicate still.
		(*admission).idempotency,
		// Before anything the run replaces or joins: an event over the
		// rate is dropped, so it must not cancel a singleton's run or
		// move a debounce.
		(*admission).rateLimit,
		// Before the buffers: an event a singleton skips does not join
		// or move a pending run.
		(*admission).singleton,
		// The buffers come before the stages that schedule: an event
		// that joins a pending run is not a new run, so it takes no
		// throttle place; a new pending run is due when its buffer ends.
		(*admission).debounce,
		(*admission).batch,
		// After the buffers, which set when a new pending run is due: a
		// throttle may only delay that further.
		(*admission).throttle,
		// After the throttle: priority moves the due time it set.
		(*admission).priority,
		// After priority: a delayed event starts its runs at its
		// timestamp whatever their priority.
		(*admission).delayedEvent,
		// Just before insert, which takes the slots the keys name: a key
		// error fails the run only after the stages that could settle it
		// without one.
		(*admission).concurrencyKeys,
		// Stores the run, started at once if it is due and a slot is free
		// (budget and concurrency limits), queued otherwise.
		(*admission).insert,
		// After the run is stored: the waits name it.
		(*admission).watchCancels,
	}
}

// key returns the key k evaluated with the event ("" for no key), or the
// error that fails the run.
func (a *admission) key(k *expr.Key) (string, error) {
	if k == nil {
		return "", nil
	}
	r := a.keys.vals[k]
	return r.s, r.err
}

// state names the state of an option of a.f for a key.
func (a *admission) state(kind, key string) string { return flowstate.Key(kind, a.f.ID(), key) }

// fail records the run as failed with cause (a key that does not evaluate,
// with the option and the expression named) rather than let it share a
// key, and settles the admission.
func (a *admission) fail(ctx context.Context, cause error) (verdict, error) {
	return settled, a.e.failNew(ctx, a.tx, a.run, cause)
}

// skip records the run as skipped by flow control (kind is one of the Skip
// constants) and settles the admission.
func (a *admission) skip(ctx context.Context, kind, reason string) (verdict, error) {
	return settled, a.e.skipNew(ctx, a.tx, a.run, kind, reason)
}

func (a *admission) idempotency(ctx context.Context) (verdict, error) {
	if a.flow.idempotency == nil {
		return next, nil
	}
	key, err := a.key(a.flow.idempotency)
	if err != nil {
		return a.fail(ctx, err)
	}
	usedBy, err := flowstate.UseIdempotencyKey(ctx, a.tx, a.state("idempotency", key), a.run.ID, a.now, a.flow.idemPeriod)
	if err != nil {
		return next, err
	}
	if usedBy != "" {
		return a.skip(ctx, SkipIdempotency, fmt.Sprintf("skipped: idempotency key %q was used by run %s", key, usedBy))
	}
	return next, nil
}

func (a *admission) rateLimit(ctx context.Context) (verdict, error) {
	rl := a.flow.rateLimit
	if rl == nil {
		return next, nil
	}
	key, err := a.key(a.flow.rateKey)
	if err != nil {
		return a.fail(ctx, err)
	}
	// GCRA: Limit events per Period, all at once if they come at once.
	interval := rl.Period / time.Duration(rl.Limit)
	over, err := flowstate.GCRA(ctx, a.tx, a.state("ratelimit", key), a.now, interval, rl.Period-interval, false)
	if err != nil {
		return next, err
	}
	if !over.IsZero() {
		return a.skip(ctx, SkipRateLimit, fmt.Sprintf("skipped: rate limit of %d per %v reached for key %q", rl.Limit, rl.Period, key))
	}
	return next, nil
}

func (a *admission) singleton(ctx context.Context) (verdict, error) {
	s := a.flow.singleton
	if s == nil {
		return next, nil
	}
	key, err := a.key(a.flow.singleKey)
	if err != nil {
		return a.fail(ctx, err)
	}
	sk := a.state("singleton", key)
	cur, err := flowstate.SingletonRun(ctx, a.tx, sk)
	if err != nil {
		return next, err
	}
	if cur != nil {
		if s.Mode == SingletonSkip {
			return a.skip(ctx, SkipSingleton, fmt.Sprintf("skipped: run %s of singleton key %q is in progress", cur.ID, key))
		}
		if err := a.e.finishRun(ctx, a.tx, *cur, store.StatusCancelled, nil, "cancelled: replaced by run "+a.run.ID+" (Singleton)", false, true); err != nil {
			return next, err
		}
	}
	return next, flowstate.HoldSingleton(ctx, a.tx, sk, a.run.ID)
}

func (a *admission) debounce(ctx context.Context) (verdict, error) {
	d := a.flow.debounce
	if d == nil {
		return next, nil
	}
	key, err := a.key(a.flow.debounceKey)
	if err != nil {
		return a.fail(ctx, err)
	}
	superseded, err := flowstate.Debounce(ctx, a.tx, a.state("debounce", key), &a.run, d.Period, d.Timeout, a.now)
	if err != nil {
		return next, err
	}
	if superseded != nil {
		return settled, a.e.announceSuperseded(ctx, a.tx, *superseded, a.run.Events)
	}
	return next, nil
}

func (a *admission) batch(ctx context.Context) (verdict, error) {
	b := a.flow.batch
	if b == nil {
		return next, nil
	}
	key, err := a.key(a.flow.batchKey)
	if err != nil {
		return a.fail(ctx, err)
	}
	merged, err := flowstate.Batch(ctx, a.tx, a.state("batch", key), &a.run, a.env.JSON, b.MaxSize, b.Timeout, a.now)
	if err != nil || !merged {
		return next, err
	}
	return settled, nil
}

func (a *admission) throttle(ctx context.Context) (verdict, error) {
	t := a.flow.throttle
	if t == nil {
		return next, nil
	}
	key, err := a.key(a.flow.throttleKey)
	if err != nil {
		return a.fail(ctx, err)
	}
	// GCRA: Limit runs per Period, Limit+Burst at once; late runs get a
	// start time instead of being dropped.
	interval := t.Period / time.Duration(t.Limit)
	at, err := flowstate.GCRA(ctx, a.tx, a.state("throttle", key), a.run.AvailableAt, interval, time.Duration(t.Limit+t.Burst-1)*interval, true)
	if err != nil {
		return next, err
	}
	if !at.IsZero() {
		a.run.AvailableAt = at
	}
	return next, nil
}

func (a *admission) priority(ctx context.Context) (verdict, error) {
	if a.flow.priority == nil {
		return next, nil
	}
	pr := a.keys.vals[a.flow.priority]
	if pr.err != nil {
		return a.fail(ctx, pr.err)
	}
	p := math.Max(-maxPriority, math.Min(maxPriority, pr.n))
	a.run.AvailableAt = a.run.AvailableAt.Add(-time.Duration(p * float64(time.Second)))
	return next, nil
}

// delayedEvent makes the run of an event with a timestamp in the future
// due then, not before; Timeouts.Start counts from then.
func (a *admission) delayedEvent(ctx context.Context) (verdict, error) {
	r := &a.run
	if ts := time.UnixMilli(a.env.TS); ts.After(r.AvailableAt) && ts.After(a.now) {
		r.AvailableAt = ts
		if d := a.f.opts.Timeouts.Start; d > 0 {
			r.Deadline = ts.Add(d)
		}
	}
	return next, nil
}

func (a *admission) concurrencyKeys(ctx context.Context) (verdict, error) {
	limits, err := limitsOf(a.f, a.keys)
	if err != nil {
		return a.fail(ctx, err)
	}
	a.run.Limits = limits
	return next, nil
}

// insert stores the run: leased to this engine and started at once if it
// is due and both a free slot of the budget and its concurrency limits
// allow it, queued otherwise.
func (a *admission) insert(ctx context.Context) (verdict, error) {
	tx, r := a.tx, &a.run
	if !a.due() {
		return next, tx.InsertRun(ctx, *r)
	}
	if len(r.Limits) > 0 {
		ok, err := tx.TakeSlots(ctx, r.ID, r.Limits)
		if err != nil {
			return next, err
		}
		if !ok {
			a.budget.giveBack()
			return next, tx.InsertRun(ctx, *r)
		}
	}
	held := *r
	started, err := tx.InsertStartedRun(ctx, a.lease())
	if err != nil {
		return next, err
	}
	if !started {
		a.budget.giveBack()
		*r = held
	}
	a.started = started
	return next, nil
}

// due says the run may start now: it is available and the budget has a
// free slot, which it takes.
func (a *admission) due() bool {
	return !a.run.AvailableAt.After(a.now) && a.budget.take()
}

// lease makes the run leased to this engine and starting now: its start is
// recorded with its insert rather than by its first commit. Unless its
// function is paused: the store then inserts it queued, as it was, with its
// deadline to start (HeldDeadline), for a claim to hold.
func (a *admission) lease() store.StartRunParams {
	r := &a.run
	held := r.Deadline
	r.Status, r.LeaseOwner, r.LeaseUntil = store.StatusRunning, a.e.owner, a.now.Add(a.e.lease)
	r.StartedAt, r.Deadline = a.now, time.Time{}
	if d := a.f.opts.Timeouts.Finish; d > 0 {
		r.Deadline = a.now.Add(d)
	}
	return store.StartRunParams{Run: *r, HeldDeadline: held}
}

// admitFree is admit for a function without flow control, whose run needs
// nothing read or decided in a transaction: of the admission stages only
// delayedEvent changes it (every other one is about an option of flow
// control), and insert's choice between leased and queued needs only the
// budget. It returns the run as the store is to insert it, and whether it
// is leased to this engine.
func (e *Engine) admitFree(f *Function, env envelope, now time.Time, budget *slotBudget) (store.StartRunParams, bool) {
	a := &admission{e: e, f: f, flow: &flow{}, env: env, now: now, budget: budget}
	a.run = e.newRun(f, "["+string(env.JSON)+"]", now)
	a.delayedEvent(context.Background())
	if !a.due() {
		return store.StartRunParams{Run: a.run}, false
	}
	return a.lease(), true
}

func (a *admission) watchCancels(ctx context.Context) (verdict, error) {
	return next, a.e.watchCancels(ctx, a.tx, a.f, a.run.ID, a.env.JSON, a.now)
}

// watchCancels records the waits by which f's cancel events cancel run
// runID, whose triggering envelope is trigger.
func (e *Engine) watchCancels(ctx context.Context, tx store.Tx, f *Function, runID string, trigger json.RawMessage, now time.Time) error {
	if f.flow == nil {
		return nil
	}
	for i, c := range f.flow.cancels {
		exp := now.Add(forever)
		if c.Timeout > 0 {
			exp = now.Add(c.Timeout)
		}
		if err := tx.InsertWait(ctx, keyed(store.Wait{RunID: runID, StepKey: journal.CancelPrefix + strconv.Itoa(i), EventName: c.Event, If: c.If, Trigger: trigger, ExpiresAt: exp})); err != nil {
			return err
		}
	}
	return nil
}

// limits evaluates a function's concurrency keys for an event.
func (e *Engine) limits(f *Function, vars map[string]any) ([]store.Limit, error) {
	return limitsOf(f, e.flowKeys(f, vars))
}

// limitsOf returns a function's concurrency limits with their keys.
func limitsOf(f *Function, fk *flowKeys) ([]store.Limit, error) {
	if f.flow == nil {
		return nil, nil
	}
	if fk.limitsErr != nil {
		return nil, fk.limitsErr
	}
	var out []store.Limit
	for i, c := range f.flow.concurrency {
		key := "function/" + f.ID()
		if c.key != nil {
			v := fk.limits[i].s
			key += "/" + v
			if c.Scope == ScopeGlobal {
				key = "global/" + v
			}
		}
		out = append(out, store.Limit{Key: key, Limit: c.Limit})
	}
	return out, nil
}

// failNew records a run that cannot start because its definition does not
// fit the event (a key names a missing field), and announces the failure.
func (e *Engine) failNew(ctx context.Context, tx store.Tx, r store.Run, cause error) error {
	e.log.Warn("durable: run failed before it started", "function", r.FunctionID, "run", r.ID, "err", cause)
	if err := tx.InsertRun(ctx, r); err != nil {
		return err
	}
	return e.finishRun(ctx, tx, r, store.StatusFailed, nil, cause.Error(), false, true)
}

// skipNew records a run that flow control decided not to start, and why
// (kind is one of the Skip constants), and announces it.
func (e *Engine) skipNew(ctx context.Context, tx store.Tx, r store.Run, kind, reason string) error {
	r.Status, r.Error, r.EndedAt = store.StatusSkipped, reason, r.CreatedAt
	if err := tx.InsertRun(ctx, r); err != nil {
		return err
	}
	txEffectsOf(ctx).runEnded(r.FunctionID, store.StatusSkipped)
	return e.announceSkip(ctx, tx, r, firstEvent(r), kind, reason)
}
