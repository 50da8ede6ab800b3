package paring

import (
	"context"

	"parhelp"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
)

var crm parhelp.CRM

func Register(c inngestgo.Client) {
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "load"}, inngestgo.EventTrigger("crm/contact.loaded", nil),
		func(ctx context.Context, in inngestgo.Input[map[string]any]) (any, error) {
			a, err := step.Run(ctx, "profile", func(ctx context.Context) (parhelp.Doc, error) { return crm.Profile(ctx, "a") }) // want `step.Run "profile" and step.Run "orders" are independent .*run them concurrently with group.Parallel`
			if err != nil {
				return nil, err
			}
			b, err := step.Run(ctx, "orders", func(ctx context.Context) (parhelp.Doc, error) { return crm.Orders(ctx, "a") })
			if err != nil {
				return nil, err
			}
			return []parhelp.Doc{a, b}, nil
		})
}
