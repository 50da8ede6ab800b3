// Package idemapp declares its own non-idempotent call, configured with -calls.
package idemapp

import (
	"context"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

func Refund(id string) error { return nil }

func Lookup(id string) error { return nil }

var F = runtime.NewFunction(runtime.FunctionOpts{ID: "refund"}, runtime.EventTrigger("shop/refund.requested", ""), // want `durable function "refund" makes the non-idempotent call idemapp.Refund`
	func(ctx context.Context, in runtime.Input[string]) (any, error) {
		return step.Run(ctx, "refund", func(ctx context.Context) (int, error) { return 0, Refund(in.Event.Data) })
	})

var G = runtime.NewFunction(runtime.FunctionOpts{ID: "lookup"}, runtime.EventTrigger("shop/order.viewed", ""),
	func(ctx context.Context, in runtime.Input[string]) (any, error) {
		return step.Run(ctx, "lookup", func(ctx context.Context) (int, error) { return 0, Lookup(in.Event.Data) })
	})
