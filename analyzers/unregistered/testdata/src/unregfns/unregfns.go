package unregfns // want package:`defines\(unregfns.Charge, unregfns.Refund, unregfns.Ship, unregfns.helper\) registers\(unregfns.helper\)`

// unregfns defines durable functions for an app.

import (
	"context"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

type Order struct{ ID string }

var Charge = runtime.NewFunction(runtime.FunctionOpts{ID: "charge"}, runtime.CronTrigger("@daily"), handle)

var Ship = runtime.NewFunction(runtime.FunctionOpts{ID: "ship"}, runtime.CronTrigger("@daily"), handle)

// Refund is added after the registry was generated.
var Refund = runtime.NewFunction(runtime.FunctionOpts{ID: "refund"}, runtime.CronTrigger("@daily"), handle)

// helper is only invoked, and listed in All below.
var helper = runtime.NewFunction(runtime.FunctionOpts{ID: "helper"}, runtime.CronTrigger("@daily"), leaf)

func leaf(ctx context.Context, in runtime.Input[Order]) (any, error) { return nil, nil }

func handle(ctx context.Context, in runtime.Input[Order]) (any, error) {
	return step.Invoke[int](ctx, "call-helper", helper, step.InvokeOpts{Timeout: time.Minute})
}

// Extra lists the unexported functions of the package.
func Extra() []*runtime.Function { return []*runtime.Function{helper} }
