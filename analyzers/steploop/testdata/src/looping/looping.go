package looping

import (
	"context"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
)

type Batch struct {
	Data struct {
		IDs []string `json:"ids"`
	} `json:"data"`
}

func Register(c inngestgo.Client) {
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "per-id"}, inngestgo.EventTrigger("app/batch.received", nil),
		func(ctx context.Context, in inngestgo.Input[Batch]) (any, error) {
			for _, id := range in.Event.Data.IDs {
				step.Run(ctx, "process-"+id, func(ctx context.Context) (string, error) { return id, nil }) // want `step.Run runs once per element of in.Event.Data.IDs`
			}
			for _, env := range [2]string{"staging", "prod"} {
				step.Run(ctx, "deploy-"+env, func(ctx context.Context) (string, error) { return env, nil })
			}
			return nil, nil
		})
}
