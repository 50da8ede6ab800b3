package sestore // want package:"hasEffects"

// sestore is the SQL implementation of the repositories.

import (
	"context"
	"database/sql"

	"sedomain"
)

type Orders struct{ DB *sql.DB }

func (s *Orders) Get(ctx context.Context, id string) (sedomain.Order, error) { // want Get:`sideEffect\(database call via sql.DB.QueryRowContext\)`
	var o sedomain.Order
	err := s.DB.QueryRowContext(ctx, "SELECT id, status FROM orders WHERE id = $1", id).Scan(&o.ID, &o.Status)
	return o, err
}

func (s *Orders) Save(ctx context.Context, o sedomain.Order) error { // want Save:`sideEffect\(database call via sql.DB.ExecContext\)`
	_, err := s.DB.ExecContext(ctx, "UPDATE orders SET status = $2 WHERE id = $1", o.ID, o.Status)
	return err
}
