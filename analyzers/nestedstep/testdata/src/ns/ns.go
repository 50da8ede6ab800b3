package ns

import (
	"context"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"

	"nshelp"
)

type Order struct{ ID string }

var Done = runtime.NewEventType[Order]("shop/order.done", "1", nil)

// Positive cases.

var Bad = runtime.NewFunction(runtime.FunctionOpts{ID: "bad"}, runtime.CronTrigger("@daily"),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "outer", func(ctx context.Context) (int, error) {
			v, err := step.Run(ctx, "inner", func(ctx context.Context) (int, error) { // want `step.Run "inner" is started inside the callback of step.Run "outer"`
				_ = step.Sleep(ctx, "deep", time.Second) // want `step.Sleep "deep" is started inside the callback of step.Run "inner"`
				return 1, nil
			})
			_, _ = step.SendEvent(ctx, "send", Done.New(in.Event.Data))                         // want `step.SendEvent "send" is started inside`
			_, _ = step.WaitForEvent(ctx, "wait", Done, step.WaitOpts{Timeout: time.Hour})      // want `step.WaitForEvent "wait" is started inside`
			_ = nshelp.Notify(ctx)                                                              // want `step.Sleep is started inside the callback of step.Run "outer" via nshelp.Notify → nshelp.Pause → step.Sleep`
			_, _ = nshelp.Remember(ctx, 3)                                                      // want `step.Run is started inside the callback of step.Run "outer" via nshelp.Remember → step.Run`
			_, _ = step.Parallel(ctx, func(ctx context.Context) (int, error) { return 0, nil }) // want `step.Parallel is started inside`
			return v + local(ctx), err                                                          // want `step.Sleep is started inside the callback of step.Run "outer" via ns.local → nshelp.Pause → step.Sleep`
		})
	})

func local(ctx context.Context) int { // a local helper starting a step
	_ = nshelp.Pause(ctx)
	return 0
}

var NamedCallback = runtime.NewFunction(runtime.FunctionOpts{ID: "named-callback"}, runtime.CronTrigger("@daily"),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "fetch", nshelp.FetchAndWait) // want `the callback of step.Run "fetch" starts step.Sleep via nshelp.FetchAndWait → nshelp.Pause → step.Sleep`
	})

type Svc struct{}

func (Svc) Handle(ctx context.Context, in runtime.Input[Order]) (any, error) {
	return step.Run(ctx, "method", func(ctx context.Context) (int, error) {
		return local(ctx), nil // want `step.Sleep is started inside the callback of step.Run "method" via ns.local → nshelp.Pause → step.Sleep`
	})
}

func Generic[T any](ctx context.Context, in runtime.Input[T]) (any, error) {
	return step.Run(ctx, "generic", func(ctx context.Context) (T, error) {
		return nshelp.Remember(ctx, in.Event.Data) // want `step.Run is started inside the callback of step.Run "generic" via nshelp.Remember → step.Run`
	})
}

// Negative cases.

var Good = runtime.NewFunction(runtime.FunctionOpts{ID: "good"}, runtime.CronTrigger("@daily"),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		a, err := step.Run(ctx, "a", func(ctx context.Context) (string, error) { return nshelp.Lookup(ctx, in.Event.Data.ID) })
		if err != nil {
			return nil, err
		}
		b, err := step.Run(ctx, "b", nshelp.Fetch)
		if err != nil {
			return nil, err
		}
		if err := nshelp.Notify(ctx); err != nil { // a step-starting helper in the body is fine
			return nil, err
		}
		// Steps in Parallel branches are fine.
		res, err := step.Parallel(ctx,
			func(ctx context.Context) (string, error) { return step.Run(ctx, "p1", nshelp.Fetch) },
			func(ctx context.Context) (string, error) { return a + b, step.Sleep(ctx, "p2", time.Second) })
		if err != nil {
			return nil, err
		}
		v, err := nshelp.Remember(ctx, res)
		if err != nil {
			return nil, err
		}
		// A function literal in a callback that is a durable body of its own.
		h, err := step.Run(ctx, "build", func(ctx context.Context) (int, error) {
			f := func(ctx context.Context, in runtime.Input[Order]) (any, error) {
				return nil, step.Sleep(ctx, "inside-other-body", time.Second)
			}
			_ = f
			return 0, nil
		})
		return []any{v, h}, err
	})

var Ignored = runtime.NewFunction(runtime.FunctionOpts{ID: "ignored"}, runtime.CronTrigger("@daily"),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "outer", func(ctx context.Context) (int, error) {
			//durable:ignore nestedstep migrating; the outer step is removed in the next release
			_ = nshelp.Notify(ctx)
			return 0, nil
		})
	})

// A callback followed by step options, and step.Version, are steps too.
var WithOptions = runtime.NewFunction(runtime.FunctionOpts{ID: "with-options"}, runtime.CronTrigger("@daily"),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "outer", func(ctx context.Context) (int, error) {
			v, err := step.Version(ctx, "new-pricing", 1) // want `step.Version "new-pricing" is started inside the callback of step.Run "outer"`
			_ = step.Sleep(ctx, "deep", time.Second)      // want `step.Sleep "deep" is started inside the callback of step.Run "outer"`
			return v, err
		}, step.Retry(step.RetryPolicy{MaxAttempts: 3}), step.Timeout(time.Minute))
	})
