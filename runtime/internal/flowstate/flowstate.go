// Package flowstate keeps flow control's state in the store, where it
// outlives the process: idempotency keys, the windows of rate limits and
// throttles (GCRA), the runs singletons hold, and the buffers of debounce
// and batch runs not started yet. The engine's admission stages
// (runtime/admission.go) decide with it, in the transaction that stores
// the event; every function here works in that transaction and keeps
// nothing in memory, since a store may run a callback more than once.
package flowstate

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// Key names the state of one flow-control option (kind: "idempotency",
// "ratelimit", "singleton", "debounce", "batch", "throttle") of a function
// for one evaluated key.
func Key(kind, functionID, key string) string { return kind + "/" + functionID + "/" + key }

// UseIdempotencyKey records that run runID uses the idempotency key for
// period, unless a run used it less than its period ago: it then returns
// that run's ID and changes nothing.
func UseIdempotencyKey(ctx context.Context, tx store.Tx, key, runID string, now time.Time, period time.Duration) (usedBy string, err error) {
	var prev struct {
		Run     string `json:"run"`
		Expires int64  `json:"expires"`
	}
	if b, err := tx.GetState(ctx, key); err == nil {
		_ = json.Unmarshal(b, &prev)
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	if prev.Run != "" && now.UnixNano() < prev.Expires {
		return prev.Run, nil
	}
	exp := now.Add(period)
	b, _ := json.Marshal(map[string]any{"run": runID, "expires": exp.UnixNano()})
	return "", tx.PutExpiringState(ctx, store.PutStateParams{Key: key, Value: b, ExpiresAt: exp})
}

// SingletonRun returns the run that holds a singleton key, if it has not
// ended.
func SingletonRun(ctx context.Context, tx store.Tx, key string) (*store.Run, error) {
	b, err := tx.GetState(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cur, err := tx.GetRun(ctx, string(b))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil || cur.Status.Terminal() {
		return nil, err
	}
	return &cur, nil
}

// HoldSingleton makes run runID the holder of a singleton key.
func HoldSingleton(ctx context.Context, tx store.Tx, key, runID string) error {
	return tx.PutState(ctx, key, []byte(runID))
}

// GCRA applies the generic cell rate algorithm on the state key: one unit
// per interval, tolerance extra at once. It returns the zero time when the
// unit conforms now, or when it would. With queue, a late unit is booked for
// that time; without, it is refused and nothing changes.
func GCRA(ctx context.Context, tx store.Tx, key string, now time.Time, interval, tolerance time.Duration, queue bool) (time.Time, error) {
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

// pending returns the buffer's state and its run, if that run has not
// started yet.
func pending(ctx context.Context, tx store.Tx, key string) (pendingRun, *store.Run, error) {
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

// Debounce either moves the pending run of the key to r's events, period
// later (but no later than timeout after its first event, if timeout is
// set), and returns that run as it was before; or it makes r, not stored
// yet, the pending run, due period from now, and returns nil.
func Debounce(ctx context.Context, tx store.Tx, key string, r *store.Run, period, timeout time.Duration, now time.Time) (superseded *store.Run, err error) {
	p, cur, err := pending(ctx, tx, key)
	if err != nil {
		return nil, err
	}
	first := now
	if cur != nil {
		first = time.Unix(0, p.First)
	}
	at := now.Add(period)
	if timeout > 0 && at.After(first.Add(timeout)) {
		at = first.Add(timeout)
	}
	if cur != nil {
		queued := store.StatusQueued
		ok, err := tx.UpdateRun(ctx, cur.ID, store.RunCond{Statuses: []store.Status{store.StatusQueued}},
			store.RunUpdate{Status: &queued, Events: r.Events, AvailableAt: &at})
		if err != nil {
			return nil, err
		}
		if ok {
			// The run is due later: so is its state's expiry.
			b, _ := json.Marshal(p)
			return cur, putPending(ctx, tx, key, b, at.Add(pendingGrace))
		}
	}
	r.AvailableAt = at
	b, _ := json.Marshal(pendingRun{Run: r.ID, First: first.UnixNano()})
	return nil, putPending(ctx, tx, key, b, at.Add(pendingGrace))
}

// Batch adds event (an envelope) to the pending run of the key, due at once
// when that makes maxSize events, and reports true; or it makes r, not
// stored yet, the pending run, due timeout from now, and reports false.
func Batch(ctx context.Context, tx store.Tx, key string, r *store.Run, event json.RawMessage, maxSize int, timeout time.Duration, now time.Time) (merged bool, err error) {
	_, cur, err := pending(ctx, tx, key)
	if err != nil {
		return false, err
	}
	if cur != nil {
		var events []json.RawMessage
		if err := json.Unmarshal(cur.Events, &events); err != nil {
			return false, err
		}
		if len(events) < maxSize {
			events = append(events, event)
			raw, _ := json.Marshal(events)
			u := store.RunUpdate{Events: raw}
			full := len(events) >= maxSize
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
	if maxSize == 1 {
		return false, putPending(ctx, tx, key, noPending, now)
	}
	r.AvailableAt = now.Add(timeout)
	st, _ := json.Marshal(pendingRun{Run: r.ID, First: now.UnixNano()})
	return false, putPending(ctx, tx, key, st, r.AvailableAt.Add(pendingGrace))
}
