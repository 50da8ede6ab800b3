package fning

import (
	"context"

	"fnsvc/crm"
	"fnsvc/ledger"
	"fnsvc/mail"
	"fnsvc/pay"
	"fnsvc/ship"
	"fnsvc/slack"
	"fnsvc/stock"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
)

func Register(c inngestgo.Client) {
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "big"}, inngestgo.EventTrigger("shop/order.paid", nil),
		func(ctx context.Context, in inngestgo.Input[map[string]any]) (any, error) { // want `durable function "big" has 7 steps touching 7 distinct external services`
			step.Run(ctx, "pay", func(ctx context.Context) (string, error) { return pay.Call(ctx, "x") })
			step.Run(ctx, "reserve", func(ctx context.Context) (string, error) { return stock.Call(ctx, "x") })
			step.Run(ctx, "ship", func(ctx context.Context) (string, error) { return ship.Call(ctx, "x") })
			step.Run(ctx, "crm", func(ctx context.Context) (string, error) { return crm.Call(ctx, "x") })
			step.Run(ctx, "email", func(ctx context.Context) (string, error) { return mail.Call(ctx, "x") })
			step.Run(ctx, "slack", func(ctx context.Context) (string, error) { return slack.Call(ctx, "x") })
			step.Run(ctx, "ledger", func(ctx context.Context) (string, error) { return ledger.Call(ctx, "x") })
			return nil, nil
		})
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "small"}, inngestgo.EventTrigger("shop/order.small", nil),
		func(ctx context.Context, in inngestgo.Input[map[string]any]) (any, error) {
			step.Run(ctx, "pay", func(ctx context.Context) (string, error) { return pay.Call(ctx, "x") })
			return nil, nil
		})
}
