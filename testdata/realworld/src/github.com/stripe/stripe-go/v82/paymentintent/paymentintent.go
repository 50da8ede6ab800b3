// Package paymentintent is a stand-in for stripe-go's paymentintent package.
package paymentintent

import stripe "github.com/stripe/stripe-go/v82"

// New creates a PaymentIntent (with Confirm set, it charges the card).
func New(params *stripe.PaymentIntentParams) (*stripe.PaymentIntent, error) {
	return &stripe.PaymentIntent{}, nil
}

// Get retrieves a PaymentIntent.
func Get(id string, params *stripe.PaymentIntentParams) (*stripe.PaymentIntent, error) {
	return &stripe.PaymentIntent{ID: id}, nil
}
