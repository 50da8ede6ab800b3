package loopflag

import (
	"context"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

var F = runtime.NewFunction(runtime.FunctionOpts{ID: "f"}, runtime.EventTrigger("app/x.done", ""),
	func(ctx context.Context, in runtime.Input[[]string]) (any, error) {
		for i := 0; i < 1000; i++ { // within -max-iterations 2000
			step.Run(ctx, "shard", func(ctx context.Context) (int, error) { return i, nil })
		}
		for _, s := range in.Event.Data {
			step.Run(ctx, "item-"+s, func(ctx context.Context) (int, error) { return 0, nil }) // want `runs once per element of in.Event.Data`
		}
		return nil, nil
	})
