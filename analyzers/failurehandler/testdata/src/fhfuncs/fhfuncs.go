package fhfuncs // want package:`functions\(defined=2 onFailure=0 handlers=\[\] engines=0\)`

// This package fhfuncs defines durable functions and no failure handler.

import (
	"context"

	"github.com/durable-go/durable/runtime"
)

type Order struct{ ID string }

var OrderCreated = runtime.NewEventType[Order]("shop/order.created", "1", nil)

func h(ctx context.Context, in runtime.Input[Order]) (any, error) { return nil, nil }

var Ship = runtime.NewFunction(runtime.FunctionOpts{ID: "ship"}, OrderCreated.Trigger(), h)
var Bill = runtime.NewFunction(runtime.FunctionOpts{ID: "bill"}, OrderCreated.Trigger(), h)

func Functions() []*runtime.Function { return []*runtime.Function{Ship, Bill} }
