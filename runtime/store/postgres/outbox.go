package postgres

import (
	"context"
	"fmt"

	"github.com/durable-go/durable/runtime/store"
	"github.com/jackc/pgx/v5"
)

// InTx returns the application's transaction tx as a store transaction, for
// runtime's Engine.SendTx: what the engine writes through it commits or
// rolls back with the application's own writes. tx may come from any pool
// or connection to the store's database.
//
// The wake-up is part of tx too: InTx queues a NOTIFY in it, which
// PostgreSQL delivers to the listening engines only if tx commits, and
// after its writes are visible. (The store's own transactions notify after
// their commit instead, for speed under load; an application transaction
// pays one NOTIFY for correctness, as nothing runs after its commit.)
func (s *Store) InTx(ctx context.Context, tx pgx.Tx) (store.Tx, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, '')`, s.notify.channel); err != nil {
		return nil, fmt.Errorf("postgres: InTx: %w", err)
	}
	return &pgTx{s: s, db: tx}, nil
}
