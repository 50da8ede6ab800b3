// Package payments charges and refunds customers through Stripe.
package payments

import (
	"context"
	"fmt"

	stripe "github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/paymentintent"
	"github.com/stripe/stripe-go/v82/refund"
)

type Stripe struct{}

func NewStripe(key string) *Stripe {
	stripe.Key = key
	return &Stripe{}
}

// Charge confirms a PaymentIntent off-session. Stripe dedupes retries on
// the idempotency key, so a retried step does not charge twice.
func (s *Stripe) Charge(ctx context.Context, orderID, customerID, paymentMethod string, amountCents int64, currency string) (string, error) {
	params := &stripe.PaymentIntentParams{
		Amount:        stripe.Int64(amountCents),
		Currency:      stripe.String(currency),
		Customer:      stripe.String(customerID),
		PaymentMethod: stripe.String(paymentMethod),
		Confirm:       stripe.Bool(true),
		OffSession:    stripe.Bool(true),
	}
	params.SetIdempotencyKey("charge-" + orderID)
	params.AddMetadata("order_id", orderID)
	pi, err := paymentintent.New(params)
	if err != nil {
		return "", fmt.Errorf("charge order %s: %w", orderID, err)
	}
	return pi.ID, nil
}

// Refund refunds part or all of a payment.
func (s *Stripe) Refund(ctx context.Context, paymentIntentID string, amountCents int64, reason string) (string, error) {
	r, err := refund.New(&stripe.RefundParams{
		PaymentIntent: stripe.String(paymentIntentID),
		Amount:        stripe.Int64(amountCents),
		Reason:        stripe.String(reason),
	})
	if err != nil {
		return "", fmt.Errorf("refund %s: %w", paymentIntentID, err)
	}
	return r.ID, nil
}
