package ing

import (
	"context"
	"time"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/group"
	"github.com/inngest/inngestgo/step"
)

type Data struct{ OrderID string }

type handle struct{ fd uintptr }

// Event is how inngestgo users type awaited events.
type Event[D any] struct {
	Name string
	Data D
}

var _, _ = inngestgo.CreateFunction(nil, inngestgo.FunctionOpts{ID: "ing"}, inngestgo.EventTrigger("shop/order.created", nil),
	func(ctx context.Context, in inngestgo.Input[Data]) (any, error) {
		_, _ = step.Run(ctx, "open", func(ctx context.Context) (handle, error) { return handle{}, nil })            // want `step.Run records result type handle, which cannot round-trip through JSON: handle has no exported fields`
		x, _ := step.Invoke[any](ctx, "invoke", step.InvokeOpts{FunctionId: "other", Timeout: time.Hour})           // an any result is no bug by itself; assertions on it are checked
		_, _ = step.WaitForEvent[Event[func()]](ctx, "wait", step.WaitForEventOpts{Event: "x", Timeout: time.Hour}) // want `Event\[func\(\)\].Data: a func cannot be encoded`

		d, err := step.Run(ctx, "ok", func(ctx context.Context) (Data, error) { return Data{}, nil })
		_, _ = step.WaitForEvent[Event[Data]](ctx, "wait-ok", step.WaitForEventOpts{Event: "x", Timeout: time.Hour})
		_ = group.Parallel(ctx, func(ctx context.Context) (any, error) { return d, nil })
		return x, err
	})
