package sqlite

import (
	"context"
	"database/sql"

	"github.com/durable-go/durable/runtime/store"
)

var _ store.EventLister = (*sqlTx)(nil)

// ListEvents implements store.EventLister with the indexes events_received
// and events_name.
func (t *sqlTx) ListEvents(ctx context.Context, f store.EventFilter) ([]store.Event, error) {
	q := `SELECT id, name, ts, envelope, received_at FROM events WHERE 1 = 1`
	var args []any
	if f.Name != "" {
		q += ` AND name = ?`
		args = append(args, f.Name)
	}
	if f.Before != nil {
		at := nanos(f.Before.ReceivedAt)
		q += ` AND (received_at < ? OR (received_at = ? AND id < ?))`
		args = append(args, at, at, f.Before.ID)
	}
	q += ` ORDER BY received_at DESC, id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		var ev store.Event
		var recv sql.NullInt64
		if err := rows.Scan(&ev.ID, &ev.Name, &ev.TS, &ev.Envelope, &recv); err != nil {
			return nil, err
		}
		ev.ReceivedAt = fromNanos(recv)
		out = append(out, ev)
	}
	return out, rows.Err()
}
