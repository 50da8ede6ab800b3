package fnflag

import (
	"context"

	"fnsvc/crm"
	"fnsvc/pay"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

var Two = runtime.NewFunction(runtime.FunctionOpts{ID: "two"}, runtime.EventTrigger("shop/order.paid", ""),
	func(ctx context.Context, in runtime.Input[string]) (any, error) { // want `durable function "two" has 2 steps touching 2 distinct external services \(more than 1\): fnsvc/crm, fnsvc/pay`
		step.Run(ctx, "pay", func(ctx context.Context) (string, error) { return pay.Call(ctx, "x") })
		step.Run(ctx, "crm", func(ctx context.Context) (string, error) { return crm.Call(ctx, "x") })
		return nil, nil
	})

var One = runtime.NewFunction(runtime.FunctionOpts{ID: "one"}, runtime.EventTrigger("shop/order.created", ""),
	func(ctx context.Context, in runtime.Input[string]) (any, error) {
		step.Run(ctx, "pay", func(ctx context.Context) (string, error) { return pay.Call(ctx, "x") })
		step.Run(ctx, "pay-again", func(ctx context.Context) (string, error) { return pay.Call(ctx, "y") })
		return nil, nil
	})
