// Package idemhelp has helpers making external calls.
package idemhelp

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"net/smtp"

	stripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/charge"
)

// Welcome sends an email.
func Welcome(to string) error { // want Welcome:`nonIdempotent\(smtp.SendMail\)`
	return smtp.SendMail("localhost:25", nil, "shop@example.com", []string{to}, nil)
}

// Charge charges with no key.
func Charge(amount int64) (string, error) { // want Charge:`nonIdempotent\(charge.New\)`
	c, err := charge.New(&stripe.ChargeParams{Amount: stripe.Int64(amount)})
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

// ChargeKeyed charges with a Stripe idempotency key.
func ChargeKeyed(orderID string, amount int64) (string, error) {
	p := &stripe.ChargeParams{Amount: stripe.Int64(amount)}
	p.SetIdempotencyKey("charge-" + orderID)
	c, err := charge.New(p)
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

// Notify POSTs a webhook through Client.Do.
func Notify(ctx context.Context, url string) error { // want Notify:`nonIdempotent\(http.Client.Do\)`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(nil))
	if err != nil {
		return err
	}
	_, err = http.DefaultClient.Do(req)
	return err
}

// NotifyKeyed POSTs with an Idempotency-Key header.
func NotifyKeyed(ctx context.Context, url, key string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Idempotency-Key", key)
	_, err = http.DefaultClient.Do(req)
	return err
}

// Fetch GETs: idempotent.
func Fetch(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	_, err = http.DefaultClient.Do(req)
	return err
}

// Insert writes a row.
func Insert(ctx context.Context, db *sql.DB, id string) error { // want Insert:`nonIdempotent\(sql.DB.ExecContext\)`
	_, err := db.ExecContext(ctx, "INSERT INTO orders (id) VALUES ($1)", id)
	return err
}

// Upsert is idempotent by construction? No: it still counts as a write,
// but a SELECT does not.
func Count(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "SELECT 1")
	return err
}
