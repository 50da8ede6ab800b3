package ing

import (
	"context"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
)

type Data struct{ OrderID string }

var _, _ = inngestgo.CreateFunction(nil, inngestgo.FunctionOpts{ID: "ing"}, inngestgo.EventTrigger("shop/order.created", nil),
	func(ctx context.Context, in inngestgo.Input[Data]) (any, error) {
		var receipt string
		_, err := step.Run(ctx, "charge", func(ctx context.Context) (any, error) {
			receipt = "rcpt_1" // want `step.Run "charge" callback assigns to receipt, declared outside the step`
			return nil, nil
		})
		if err != nil {
			return nil, err
		}
		id, err := step.Run(ctx, "charge-ok", func(ctx context.Context) (string, error) {
			r := "rcpt_2"
			return r, nil
		})
		return receipt + id, err
	})
