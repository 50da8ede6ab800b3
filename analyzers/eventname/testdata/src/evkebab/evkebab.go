// Package evkebab names its events prefix/noun-verb, with the Inngest SDK:
// a different convention, followed consistently, is not reported.
package evkebab

import (
	"context"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
)

func handle(ctx context.Context, in inngestgo.Input[map[string]any]) (any, error) {
	_, err := step.Send(ctx, "emit", inngestgo.Event{Name: "billing/invoice-sent"})
	return nil, err
}

func Register(c inngestgo.Client) {
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "signed-up"}, inngestgo.EventTrigger("user/signed-up", nil), handle)
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "deleted"}, inngestgo.EventTrigger("user/deleted", nil), handle)
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "paid"}, inngestgo.EventTrigger("billing/invoice-paid", nil), handle)
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "voided"}, inngestgo.EventTrigger("billing/invoice.voided", nil), handle)     // want `trigger "billing/invoice.voided" .*: it uses noun.verb while 4 of 5 names in this package join noun and verb like their words \(noun-verb\)`
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "refunded"}, inngestgo.EventTrigger("billing/invoice_refunded", nil), handle) // want `trigger "billing/invoice_refunded" .*: it joins words with underscores while 3 of 4 names in this package use hyphens; e.g. "billing/invoice-refunded"`
}
