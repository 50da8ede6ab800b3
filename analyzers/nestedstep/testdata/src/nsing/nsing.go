package nsing

import (
	"context"
	"time"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/group"
	"github.com/inngest/inngestgo/step"
)

type Ev struct{ ID string }

func Register(c inngestgo.Client) error {
	_, err := inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "ing"}, inngestgo.EventTrigger("a/b.c", nil),
		func(ctx context.Context, in inngestgo.Input[Ev]) (any, error) {
			v, err := step.Run(ctx, "outer", func(ctx context.Context) (string, error) {
				step.Sleep(ctx, "nap", time.Second) // want `step.Sleep "nap" is started inside the callback of step.Run "outer"`
				group.Parallel(ctx)                 // want `group.Parallel is started inside the callback`
				return "x", nil
			})
			if err != nil {
				return nil, err
			}
			w, err := step.Run(ctx, "fine", func(ctx context.Context) (string, error) { return v + "y", nil })
			step.Sleep(ctx, "after", time.Second)
			return w, err
		})
	return err
}
