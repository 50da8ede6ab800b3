package runtime

import (
	"context"
	"fmt"

	"github.com/durable-go/durable/runtime/store"
)

// SendTx stores events, and starts the runs they trigger and resumes the
// runs waiting for them, inside tx, a transaction the caller owns and
// commits (the outbox pattern): the events and their runs exist if and only
// if the caller's transaction commits. With PostgreSQL, tx is the
// application's own transaction seen as a store transaction:
//
//	tx, _ := pool.Begin(ctx)
//	// ... the application's writes ...
//	stx, err := pgStore.InTx(ctx, tx)
//	ids, err := eng.SendTx(ctx, stx, events...)
//	err = tx.Commit(ctx)
//
// Runs it starts are queued, not leased to this engine (nothing may
// execute before the commit): the store announces them when the
// transaction commits, and an engine claims them. tx must not be used after
// SendTx returns an error other than to roll it back.
func (e *Engine) SendTx(ctx context.Context, tx store.Tx, events ...Event) ([]string, error) {
	envs, err := e.envelopes(events, nil)
	if err != nil {
		return nil, err
	}
	stampTrace(ctx, envs)
	e.evalWaits(ctx, envs)
	ids := make([]string, len(envs))
	for i, env := range envs {
		ids[i] = env.ID
		// A nil budget leases no run to this engine.
		if _, err := e.dispatch(ctx, tx, env, nil); err != nil {
			return nil, fmt.Errorf("runtime: send in transaction: %w", err)
		}
	}
	return ids, nil
}
