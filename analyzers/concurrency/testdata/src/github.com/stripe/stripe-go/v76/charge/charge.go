// Package charge is a test stub with the shapes of stripe-go's charge package.
package charge

import stripe "github.com/stripe/stripe-go/v76"

func New(params *stripe.ChargeParams) (*stripe.Charge, error) { return &stripe.Charge{}, nil }
