package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/durable-go/durable/runtime/internal/expr"
	"github.com/durable-go/durable/runtime/store"
)

// cancelPrefix marks the waits that watch for a function's Cancel events.
const cancelPrefix = "cancel/"

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
// updates or skips the run, all in tx. Flow-control state that must outlive
// the process (idempotency keys, rate and throttle windows, debounce and
// batch buffers, singletons) lives in the store. It returns the run when it
// was created leased to this engine, which budget allowed; the caller
// launches it after the commit.
func (e *Engine) admit(ctx context.Context, tx store.Tx, f *Function, env envelope, vars map[string]any, now time.Time, budget *slotBudget) (*store.Run, error) {
	fl := f.flow
	r := e.newRun(f, "["+string(env.JSON)+"]", now)
	if fl == nil {
		fl = &flow{}
	}
	// The keys were evaluated before the transaction (see evalTriggers),
	// except for a cron run's.
	fk := env.eval.keysFor(f)
	if fk == nil {
		fk = e.flowKeys(f, vars)
	}
	// keyOf returns a key; on error the run is recorded as failed, with
	// the option and the expression named, rather than sharing a key.
	var keyErr error
	keyOf := func(k *expr.Key) string {
		if k == nil || keyErr != nil {
			return ""
		}
		r := fk.vals[k]
		keyErr = r.err
		return r.s
	}
	state := func(kind, key string) string { return kind + "/" + f.ID() + "/" + key }

	if fl.idempotency != nil {
		key := keyOf(fl.idempotency)
		if keyErr != nil {
			return nil, e.failNew(ctx, tx, r, keyErr)
		}
		sk := state("idempotency", key)
		var prev struct {
			Run     string `json:"run"`
			Expires int64  `json:"expires"`
		}
		if b, err := tx.GetState(ctx, sk); err == nil {
			_ = json.Unmarshal(b, &prev)
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if prev.Run != "" && now.UnixNano() < prev.Expires {
			return nil, e.skipNew(ctx, tx, r, SkipIdempotency, fmt.Sprintf("skipped: idempotency key %q was used by run %s", key, prev.Run))
		}
		exp := now.Add(fl.idemPeriod)
		b, _ := json.Marshal(map[string]any{"run": r.ID, "expires": exp.UnixNano()})
		if err := tx.PutExpiringState(ctx, store.PutStateParams{Key: sk, Value: b, ExpiresAt: exp}); err != nil {
			return nil, err
		}
	}
	if rl := fl.rateLimit; rl != nil {
		key := keyOf(fl.rateKey)
		if keyErr != nil {
			return nil, e.failNew(ctx, tx, r, keyErr)
		}
		// GCRA: Limit events per Period, all at once if they come at once.
		interval := rl.Period / time.Duration(rl.Limit)
		ok, err := gcra(ctx, tx, state("ratelimit", key), now, interval, rl.Period-interval, false)
		if err != nil {
			return nil, err
		}
		if !ok.IsZero() {
			return nil, e.skipNew(ctx, tx, r, SkipRateLimit, fmt.Sprintf("skipped: rate limit of %d per %v reached for key %q", rl.Limit, rl.Period, key))
		}
	}
	if s := fl.singleton; s != nil {
		key := keyOf(fl.singleKey)
		if keyErr != nil {
			return nil, e.failNew(ctx, tx, r, keyErr)
		}
		sk := state("singleton", key)
		if b, err := tx.GetState(ctx, sk); err == nil {
			if cur, err := tx.GetRun(ctx, string(b)); err == nil && !cur.Status.Terminal() {
				if s.Mode == SingletonSkip {
					return nil, e.skipNew(ctx, tx, r, SkipSingleton, fmt.Sprintf("skipped: run %s of singleton key %q is in progress", cur.ID, key))
				}
				if err := e.finishRun(ctx, tx, cur, store.StatusCancelled, nil, "cancelled: replaced by run "+r.ID+" (Singleton)", false, true); err != nil {
					return nil, err
				}
			} else if err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if err := tx.PutState(ctx, sk, []byte(r.ID)); err != nil {
			return nil, err
		}
	}
	if d := fl.debounce; d != nil {
		key := keyOf(fl.debounceKey)
		if keyErr != nil {
			return nil, e.failNew(ctx, tx, r, keyErr)
		}
		merged, err := e.debounce(ctx, tx, d, state("debounce", key), &r, now)
		if err != nil || merged {
			return nil, err
		}
	}
	if b := fl.batch; b != nil {
		key := keyOf(fl.batchKey)
		if keyErr != nil {
			return nil, e.failNew(ctx, tx, r, keyErr)
		}
		merged, err := e.batch(ctx, tx, b, state("batch", key), &r, env, now)
		if err != nil || merged {
			return nil, err
		}
	}
	if t := fl.throttle; t != nil {
		key := keyOf(fl.throttleKey)
		if keyErr != nil {
			return nil, e.failNew(ctx, tx, r, keyErr)
		}
		// GCRA: Limit runs per Period, Limit+Burst at once; late runs get a
		// start time instead of being dropped.
		interval := t.Period / time.Duration(t.Limit)
		at, err := gcra(ctx, tx, state("throttle", key), r.AvailableAt, interval, time.Duration(t.Limit+t.Burst-1)*interval, true)
		if err != nil {
			return nil, err
		}
		if !at.IsZero() {
			r.AvailableAt = at
		}
	}
	if fl.priority != nil {
		pr := fk.vals[fl.priority]
		if pr.err != nil {
			return nil, e.failNew(ctx, tx, r, pr.err)
		}
		p := pr.n
		p = math.Max(-maxPriority, math.Min(maxPriority, p))
		r.AvailableAt = r.AvailableAt.Add(-time.Duration(p * float64(time.Second)))
	}
	// A delayed event (a timestamp in the future) starts its runs then, not
	// before, whatever their priority; Timeouts.Start counts from then.
	if ts := time.UnixMilli(env.TS); ts.After(r.AvailableAt) && ts.After(now) {
		r.AvailableAt = ts
		if d := f.opts.Timeouts.Start; d > 0 {
			r.Deadline = ts.Add(d)
		}
	}
	limits, err := limitsOf(f, fk)
	if err != nil {
		return nil, e.failNew(ctx, tx, r, err)
	}
	r.Limits = limits

	started := false
	if !r.AvailableAt.After(now) && budget.take() {
		started = true
		if len(r.Limits) > 0 {
			var err error
			if started, err = tx.TakeSlots(ctx, r.ID, r.Limits); err != nil {
				return nil, err
			}
		}
		if !started {
			budget.giveBack()
		}
	}
	if started {
		// Leased to this engine and starting now: its start is recorded
		// here rather than by its first commit. Unless its function is
		// paused: the store then inserts it queued, for a claim to hold.
		held := r
		r.Status, r.LeaseOwner, r.LeaseUntil = store.StatusRunning, e.owner, now.Add(e.lease)
		r.StartedAt, r.Deadline = now, time.Time{}
		if d := f.opts.Timeouts.Finish; d > 0 {
			r.Deadline = now.Add(d)
		}
		var err error
		if started, err = tx.InsertStartedRun(ctx, store.StartRunParams{Run: r, HeldDeadline: held.Deadline}); err != nil {
			return nil, err
		}
		if !started {
			budget.giveBack()
			r = held
		}
	} else if err := tx.InsertRun(ctx, r); err != nil {
		return nil, err
	}
	if err := e.watchCancels(ctx, tx, f, r.ID, env.JSON, now); err != nil {
		return nil, err
	}
	if started {
		return &r, nil
	}
	return nil, nil
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
		if err := tx.InsertWait(ctx, keyed(store.Wait{RunID: runID, StepKey: cancelPrefix + strconv.Itoa(i), EventName: c.Event, If: c.If, Trigger: trigger, ExpiresAt: exp})); err != nil {
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

// gcra applies the generic cell rate algorithm on the state key: one unit
// per interval, tolerance extra at once. It returns the zero time when the
// unit conforms now, or when it would. With queue, a late unit is booked for
// that time; without, it is refused and nothing changes.
func gcra(ctx context.Context, tx store.Tx, key string, now time.Time, interval, tolerance time.Duration, queue bool) (time.Time, error) {
	var tat time.Time
	if b, err := tx.GetState(ctx, key); err == nil {
		n, _ := strconv.ParseInt(string(b), 10, 64)
		tat = time.Unix(0, n)
	} else if !errors.Is(err, store.ErrNotFound) {
		return time.Time{}, err
	}
	if tat.Before(now) {
		tat = now
	}
	allowed := tat.Add(-tolerance)
	var late time.Time
	if allowed.After(now) {
		if !queue {
			return allowed, nil
		}
		late = allowed
	}
	// Once its time has passed, a window's state means what no state
	// means (tat is then now): it may be deleted.
	next := tat.Add(interval)
	return late, tx.PutExpiringState(ctx, store.PutStateParams{Key: key, Value: []byte(strconv.FormatInt(next.UnixNano(), 10)), ExpiresAt: next})
}

// noPending is the state of a key with no open debounce or batch run; it
// means what no state means, so it may be deleted at once.
var noPending = []byte("{}")

// pendingGrace is how long after its run is due a debounce or batch
// buffer's state is kept: the run normally starts then, and the state
// means nothing once it has, but an engine that was down may start it late.
const pendingGrace = 24 * time.Hour

// putPending records the state of a debounce or batch buffer.
func putPending(ctx context.Context, tx store.Tx, key string, value []byte, expires time.Time) error {
	return tx.PutExpiringState(ctx, store.PutStateParams{Key: key, Value: value, ExpiresAt: expires})
}

// pendingRun is the state of a debounce or batch buffer: a run not started yet.
type pendingRun struct {
	Run   string `json:"run"`
	First int64  `json:"first"`
}

func (e *Engine) pending(ctx context.Context, tx store.Tx, key string) (pendingRun, *store.Run, error) {
	var p pendingRun
	b, err := tx.GetState(ctx, key)
	if errors.Is(err, store.ErrNotFound) || (err == nil && len(b) == 0) {
		return p, nil, nil
	}
	if err != nil {
		return p, nil, err
	}
	if err := json.Unmarshal(b, &p); err != nil || p.Run == "" {
		return p, nil, nil
	}
	r, err := tx.GetRun(ctx, p.Run)
	if errors.Is(err, store.ErrNotFound) {
		return p, nil, nil
	}
	if err != nil {
		return p, nil, err
	}
	if r.Status != store.StatusQueued || !r.StartedAt.IsZero() {
		return p, nil, nil // it started: the next event opens a new one
	}
	return p, &r, nil
}

// debounce either moves the pending run of the key to this event, later, or
// makes r the pending run. It reports whether the event was merged.
func (e *Engine) debounce(ctx context.Context, tx store.Tx, d *Debounce, key string, r *store.Run, now time.Time) (bool, error) {
	p, cur, err := e.pending(ctx, tx, key)
	if err != nil {
		return false, err
	}
	first := now
	if cur != nil {
		first = time.Unix(0, p.First)
	}
	at := now.Add(d.Period)
	if d.Timeout > 0 && at.After(first.Add(d.Timeout)) {
		at = first.Add(d.Timeout)
	}
	if cur != nil {
		queued := store.StatusQueued
		ok, err := tx.UpdateRun(ctx, cur.ID, store.RunCond{Statuses: []store.Status{store.StatusQueued}},
			store.RunUpdate{Status: &queued, Events: r.Events, AvailableAt: &at})
		if err != nil || ok {
			if ok {
				// The run is due later: so is its state's expiry.
				b, _ := json.Marshal(p)
				err = putPending(ctx, tx, key, b, at.Add(pendingGrace))
			}
			if ok && err == nil {
				err = e.announceSuperseded(ctx, tx, *cur, r.Events)
			}
			return ok, err
		}
	}
	r.AvailableAt = at
	b, _ := json.Marshal(pendingRun{Run: r.ID, First: first.UnixNano()})
	return false, putPending(ctx, tx, key, b, at.Add(pendingGrace))
}

// batch adds the event to the open batch of the key, or opens one with r.
func (e *Engine) batch(ctx context.Context, tx store.Tx, b *BatchEvents, key string, r *store.Run, env envelope, now time.Time) (bool, error) {
	_, cur, err := e.pending(ctx, tx, key)
	if err != nil {
		return false, err
	}
	if cur != nil {
		var events []json.RawMessage
		if err := json.Unmarshal(cur.Events, &events); err != nil {
			return false, err
		}
		if len(events) < b.MaxSize {
			events = append(events, env.JSON)
			raw, _ := json.Marshal(events)
			u := store.RunUpdate{Events: raw}
			full := len(events) >= b.MaxSize
			if full {
				u.AvailableAt = &now
			}
			ok, err := tx.UpdateRun(ctx, cur.ID, store.RunCond{Statuses: []store.Status{store.StatusQueued}}, u)
			if err != nil || !ok {
				return false, err
			}
			if full {
				return true, putPending(ctx, tx, key, noPending, now)
			}
			return true, nil
		}
	}
	if b.MaxSize == 1 {
		return false, putPending(ctx, tx, key, noPending, now)
	}
	r.AvailableAt = now.Add(b.Timeout)
	st, _ := json.Marshal(pendingRun{Run: r.ID, First: now.UnixNano()})
	return false, putPending(ctx, tx, key, st, r.AvailableAt.Add(pendingGrace))
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
