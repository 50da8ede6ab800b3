// Package registry registers its functions through a shared helper, as
// applications do: the handlers are not handler-shaped, the helper adapts
// them. Their steps belong to the functions the helper defines, not to the
// code that registers them.
package registry

import (
	"context"
	"time"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
)

type Event struct{ UserID string }

type Handler func(ctx context.Context, ev Event) (any, error)

// Register starts no step: each literal it hands to register is the body of
// another function.
func Register(client inngestgo.Client) {
	register := func(id string, h Handler) {
		_, _ = inngestgo.CreateFunction(client, inngestgo.FunctionOpts{ID: id}, inngestgo.EventTrigger("app/"+id, nil), // want `definition "" var=_ handler=<literal> body=yes`
			func(ctx context.Context, in inngestgo.Input[Event]) (any, error) { return h(ctx, in.Event) }) // want `body function literal`
	}
	register("sync-users", func(ctx context.Context, ev Event) (any, error) {
		return step.Run(ctx, "fetch", func(ctx context.Context) (int, error) { return 1, nil }) // want `step step.Run id="fetch"$`
	})
	register("purge-users", func(ctx context.Context, ev Event) (any, error) {
		step.Sleep(ctx, "fetch", time.Minute) // want `step step.Sleep id="fetch"$`
		return nil, nil
	})
	Add(client, "audit", func(ctx context.Context, ev Event) (any, error) {
		return step.Run(ctx, "audit", func(ctx context.Context) (int, error) { return 1, nil }) // want `step step.Run id="audit"$`
	})
}

// Add is a declared registration helper.
func Add(client inngestgo.Client, id string, h Handler) {
	_, _ = inngestgo.CreateFunction(client, inngestgo.FunctionOpts{ID: id}, inngestgo.EventTrigger("app/"+id, nil), // want `definition "" var=_ handler=<literal> body=yes`
		func(ctx context.Context, in inngestgo.Input[Event]) (any, error) { return h(ctx, in.Event) }) // want `body function literal`
}

// Retry is not a registration helper: the closure it receives runs in the
// caller's function, so Sync starts the closure's step.
func Retry(ctx context.Context, f func(ctx context.Context) error) error { return f(ctx) }

func Sync(ctx context.Context) error { // want `startsStep\(step.Sleep\)`
	return Retry(ctx, func(ctx context.Context) error {
		step.Sleep(ctx, "backoff", time.Second) // want `step step.Sleep id="backoff"$`
		return nil
	})
}
