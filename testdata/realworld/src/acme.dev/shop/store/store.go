// Package store keeps orders in PostgreSQL.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

var ErrNotFound = errors.New("store: not found")

type Order struct {
	ID              string
	CustomerID      string
	Email           string
	Status          string
	AmountCents     int64
	Currency        string
	PaymentIntentID string
}

// Refundable reports why the order cannot be refunded by amountCents, if
// it cannot.
func (o *Order) Refundable(amountCents int64) error {
	switch {
	case o.PaymentIntentID == "":
		return fmt.Errorf("order %s was never paid", o.ID)
	case amountCents <= 0 || amountCents > o.AmountCents:
		return fmt.Errorf("order %s: cannot refund %d of %d", o.ID, amountCents, o.AmountCents)
	}
	return nil
}

type Shipment struct {
	Warehouse  string
	TrackingNo string
}

// OrderStore is what the order workflows need from the database.
type OrderStore interface {
	Get(ctx context.Context, id string) (Order, error)
	Insert(ctx context.Context, o Order) error
	SetStatus(ctx context.Context, id, status string) error
	RecordPayment(ctx context.Context, id, paymentIntentID string) error
	Shipments(ctx context.Context, orderID string) ([]Shipment, error)
	DailyTotals(ctx context.Context, day string, orders *int, grossCents *int64, refunds *int) error
	// MarkEventProcessed records that the event was handled; it reports
	// false when it already was.
	MarkEventProcessed(ctx context.Context, eventID string) (bool, error)
}

// SQL implements OrderStore with database/sql.
type SQL struct{ db *sql.DB }

func NewSQL(db *sql.DB) *SQL { return &SQL{db: db} }

func (s *SQL) Get(ctx context.Context, id string) (Order, error) {
	var o Order
	err := s.db.QueryRowContext(ctx,
		`SELECT id, customer_id, email, status, amount_cents, currency, coalesce(payment_intent_id, '')
		   FROM orders WHERE id = $1`, id).
		Scan(&o.ID, &o.CustomerID, &o.Email, &o.Status, &o.AmountCents, &o.Currency, &o.PaymentIntentID)
	if errors.Is(err, sql.ErrNoRows) {
		return Order{}, fmt.Errorf("order %s: %w", id, ErrNotFound)
	}
	return o, err
}

func (s *SQL) Insert(ctx context.Context, o Order) error {
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO orders (id, customer_id, email, status, amount_cents, currency)
		 VALUES ($1, $2, $3, 'pending', $4, $5)`,
		o.ID, o.CustomerID, o.Email, o.AmountCents, o.Currency)
	return err
}

func (s *SQL) SetStatus(ctx context.Context, id, status string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE orders SET status = $2, updated_at = now() WHERE id = $1`, id, status)
	return err
}

func (s *SQL) RecordPayment(ctx context.Context, id, paymentIntentID string) error {
	_, err := s.db.ExecContext(ctx,
		`UPDATE orders SET payment_intent_id = $2, status = 'paid' WHERE id = $1`, id, paymentIntentID)
	return err
}

func (s *SQL) Shipments(ctx context.Context, orderID string) ([]Shipment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT warehouse, tracking_no FROM shipments WHERE order_id = $1`, orderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Shipment
	for rows.Next() {
		var sh Shipment
		if err := rows.Scan(&sh.Warehouse, &sh.TrackingNo); err != nil {
			return nil, err
		}
		out = append(out, sh)
	}
	return out, rows.Err()
}

func (s *SQL) DailyTotals(ctx context.Context, day string, orders *int, grossCents *int64, refunds *int) error {
	return s.db.QueryRowContext(ctx,
		`SELECT count(*), coalesce(sum(amount_cents), 0), count(*) FILTER (WHERE status = 'refunded')
		   FROM orders WHERE created_at::date = $1`, day).Scan(orders, grossCents, refunds)
}

func (s *SQL) MarkEventProcessed(ctx context.Context, eventID string) (bool, error) {
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO processed_events (event_id) VALUES ($1) ON CONFLICT (event_id) DO NOTHING`, eventID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
