package postgres

import (
	"context"
	"fmt"

	"github.com/durable-go/durable/runtime/store"
	"github.com/jackc/pgx/v5"
)

var _ store.EventLister = (*pgTx)(nil)

// ListEvents implements store.EventLister with the indexes events_received
// and events_name.
func (t *pgTx) ListEvents(ctx context.Context, f store.EventFilter) ([]store.Event, error) {
	q := `SELECT id, name, ts, envelope, received_at FROM $S.events WHERE true`
	var args []any
	if f.Name != "" {
		args = append(args, f.Name)
		q += fmt.Sprintf(` AND name = $%d`, len(args))
	}
	if f.Before != nil {
		args = append(args, nanos(f.Before.ReceivedAt), f.Before.ID)
		q += fmt.Sprintf(` AND (received_at, id) < ($%d::int8, $%d)`, len(args)-1, len(args))
	}
	q += ` ORDER BY received_at DESC, id DESC`
	if f.Limit > 0 {
		args = append(args, f.Limit)
		q += fmt.Sprintf(` LIMIT $%d::int8`, len(args))
	}
	return collect(ctx, t, q, args, func(rows pgx.Rows) (store.Event, error) {
		var ev store.Event
		var recv *int64
		var env []byte
		err := rows.Scan(&ev.ID, &ev.Name, &ev.TS, &env, &recv)
		ev.Envelope, ev.ReceivedAt = env, fromNanos(recv)
		return ev, err
	})
}
