// Package refund is a test stub with the shapes of stripe-go's refund package.
package refund

import stripe "github.com/stripe/stripe-go/v76"

func New(params *stripe.RefundParams) (*stripe.Refund, error) { return &stripe.Refund{}, nil }
