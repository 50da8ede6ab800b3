package ing

import (
	"context"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/group"
	"github.com/inngest/inngestgo/step"
)

type Data struct{ OrderID string }

var _, _ = inngestgo.CreateFunction(nil, inngestgo.FunctionOpts{ID: "ing"}, inngestgo.EventTrigger("shop/order.created", nil),
	func(ctx context.Context, in inngestgo.Input[Data]) (any, error) {
		done := make(chan bool)
		go func() { // want `go statement in "ing" starts steps in another goroutine \(step.Run\).*; run concurrent branches with group.Parallel`
			_, _ = step.Run(ctx, "charge", func(ctx context.Context) (int, error) { return 0, nil })
			done <- true
		}()
		<-done
		res := group.Parallel(ctx,
			func(ctx context.Context) (any, error) {
				return step.Run(ctx, "a", func(ctx context.Context) (int, error) { return 0, nil })
			},
		)
		return nil, res.AnyError()
	})
