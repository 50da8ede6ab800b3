package unreg // want package:`defines\(unreg.Exported, unreg.generic, unreg.invokedOnly, unreg.listed, unreg.method, unreg.orphan\) registers\(unreg.listed\)`

import (
	"context"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/inngest/inngestgo"
)

type Ev struct{}

func handle(ctx context.Context, in runtime.Input[Ev]) (any, error) { return nil, nil }

func genericHandle[T any](ctx context.Context, in runtime.Input[T]) (any, error) { return nil, nil }

type Svc struct{}

func (Svc) Handle(ctx context.Context, in runtime.Input[Ev]) (any, error) { return nil, nil }

// Negative: exported (registered by another package, checked at runtime.New).
var Exported = runtime.NewFunction(runtime.FunctionOpts{ID: "exported"}, runtime.CronTrigger("@daily"), handle)

// Negative: listed in a slice.
var listed = runtime.NewFunction(runtime.FunctionOpts{ID: "listed"}, runtime.CronTrigger("@daily"), handle)

// Positive: never used.
var orphan = runtime.NewFunction(runtime.FunctionOpts{ID: "orphan"}, runtime.CronTrigger("@daily"), handle) // want `durable function "orphan" \(orphan\) is defined but never registered with an engine`

// Positive: only invoked, never registered.
var invokedOnly = runtime.NewFunction(runtime.FunctionOpts{ID: "invoked-only"}, runtime.CronTrigger("@daily"), handle) // want `durable function "invoked-only" \(invokedOnly\) is defined but never registered`

// Positive: generic handler, never used.
var generic = runtime.NewFunction(runtime.FunctionOpts{ID: "generic"}, runtime.CronTrigger("@daily"), genericHandle[Ev]) // want `durable function "generic" \(generic\) is defined but never registered`

// Positive: method handler, only its ID is read.
var method = runtime.NewFunction(runtime.FunctionOpts{ID: "method"}, runtime.CronTrigger("@daily"), Svc{}.Handle) // want `durable function "method" \(method\) is defined but never registered`

var _ = method.ID()

// Positive: discarded.
var _ = runtime.NewFunction(runtime.FunctionOpts{ID: "blank"}, runtime.CronTrigger("@daily"), handle) // want `durable function "blank" is defined but its result is discarded`

func Setup(ctx context.Context, c inngestgo.Client) []*runtime.Function {
	runtime.NewFunction(runtime.FunctionOpts{ID: "dropped"}, runtime.CronTrigger("@daily"), handle) // want `durable function "dropped" is defined but its result is discarded`
	_, _ = step.Invoke[int](ctx, "x", invokedOnly, step.InvokeOpts{Timeout: time.Minute})
	// Negative: inngestgo registers with its client.
	_, _ = inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "ing"}, inngestgo.CronTrigger("@daily"),
		func(ctx context.Context, in inngestgo.Input[Ev]) (any, error) { return nil, nil })
	// Negative: a local variable that is registered.
	local := runtime.NewFunction(runtime.FunctionOpts{ID: "local"}, runtime.CronTrigger("@daily"), handle)
	// Negative: defined inline in a slice.
	return []*runtime.Function{listed, local, runtime.NewFunction(runtime.FunctionOpts{ID: "inline"}, runtime.CronTrigger("@daily"), handle)}
}
