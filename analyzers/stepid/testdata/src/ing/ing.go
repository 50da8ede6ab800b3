package ing

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
)

type Data struct{ OrderID string }

var _, _ = inngestgo.CreateFunction(nil, inngestgo.FunctionOpts{ID: "ing"}, inngestgo.EventTrigger("shop/order.created", nil),
	func(ctx context.Context, in inngestgo.Input[Data]) (any, error) {
		_, err := step.Run(ctx, "charge", func(ctx context.Context) (int, error) { return 0, nil })
		step.Sleep(ctx, "charge", time.Second)                                                                // want `step ID "charge" is already used in this function, at line 17`
		_, err = step.Run(ctx, "step-2", func(ctx context.Context) (int, error) { return 0, nil })            // want `step ID "step-2" is generic`
		_, err = step.Run(ctx, uuid.New().String(), func(ctx context.Context) (int, error) { return 0, nil }) // want `built from uuid.New\(\)`

		_, err = step.Run(ctx, fmt.Sprintf("retry-%d", in.InputCtx.Attempt), func(ctx context.Context) (int, error) { return 0, nil }) // want `built from the attempt number \(InputCtx.Attempt changes on every retry\)`
		_, err = step.Run(ctx, "send-receipt", func(ctx context.Context) (int, error) { return 0, nil })
		step.Sleep(ctx, "wait-"+in.Event.OrderID, time.Second)
		return nil, err
	})
