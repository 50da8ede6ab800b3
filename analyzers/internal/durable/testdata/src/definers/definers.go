package definers // want package:`durable\(bodies=1 definitions=1 stepStarters=0\)`

import (
	"context"

	"github.com/durable-go/durable/runtime"
)

// The registration helpers of this package carry DefinesFunctions facts:
// other packages learn that the literals given to them are bodies.

type Job struct{ ID string }

// Every defines a cron function around fn.
func Every(spec, id string, fn func(ctx context.Context) error) *runtime.Function { // want Every:"definesFunctions"
	return runtime.NewFunction(runtime.FunctionOpts{ID: id}, runtime.CronTrigger(spec),
		func(ctx context.Context, in runtime.Input[runtime.CronData]) (any, error) { return nil, fn(ctx) })
}

// Run calls fn: it defines nothing.
func Run(ctx context.Context, fn func(ctx context.Context) error) error { return fn(ctx) }
