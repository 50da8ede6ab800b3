package runtime

import (
	"context"
	"errors"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// retentionBatch bounds the rows one sweep transaction deletes, so that a
// large backlog never holds the store's writer (SQLite's only one) for long:
// other commits interleave between batches.
const retentionBatch = 500

// retentionLoop sweeps the store now and then (Options.Retention).
func (e *Engine) retentionLoop() {
	defer e.loops.Done()
	wait := min(time.Minute, e.retention.Interval)
	for {
		select {
		case <-e.stopCh:
			return
		case <-e.clock.After(wait):
		}
		wait = e.retention.Interval
		if err := e.sweep(e.execCtx); err != nil && !errors.Is(err, store.ErrClosed) && !errors.Is(err, context.Canceled) {
			e.log.Error("durable: retention sweep; retrying at the next one", "err", err)
		}
	}
}

// sweep deletes what the retention horizons let go, batch by batch, until
// nothing is left or the engine stops.
func (e *Engine) sweep(ctx context.Context) error {
	now := e.clock.Now()
	r := e.retention
	var ops []func(tx store.Tx) (int, error)
	// One status per operation: the stores' index on (status, ended_at)
	// then yields the oldest runs without sorting every expired one.
	runs := func(d time.Duration, statuses ...store.Status) {
		if d < 0 {
			return
		}
		for _, st := range statuses {
			p := store.DeleteRunsParams{Statuses: []store.Status{st}, EndedBefore: now.Add(-d), Limit: retentionBatch}
			ops = append(ops, func(tx store.Tx) (int, error) { return tx.DeleteFinishedRuns(ctx, p) })
		}
	}
	runs(r.Completed, store.StatusCompleted, store.StatusSkipped)
	runs(r.Failed, store.StatusFailed)
	runs(r.Cancelled, store.StatusCancelled)
	if r.Events >= 0 {
		p := store.DeleteEventsParams{ReceivedBefore: now.Add(-r.Events), Limit: retentionBatch}
		ops = append(ops, func(tx store.Tx) (int, error) { return tx.DeleteEvents(ctx, p) })
	}
	state := store.DeleteStateParams{Now: now, Limit: retentionBatch}
	ops = append(ops, func(tx store.Tx) (int, error) { return tx.DeleteExpiredState(ctx, state) })
	for _, op := range ops {
		for {
			if e.stopping.Load() {
				return nil
			}
			var n int
			err := e.store.Update(ctx, func(tx store.Tx) error {
				var err error
				n, err = op(tx)
				return err
			})
			if err != nil {
				return err
			}
			if n < retentionBatch {
				break
			}
		}
	}
	return nil
}
