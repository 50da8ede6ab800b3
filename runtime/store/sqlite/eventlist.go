package sqlite

import (
	"context"

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
	return scanEvents(rows)
}
