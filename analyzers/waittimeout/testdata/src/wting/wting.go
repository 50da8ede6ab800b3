package wting

import (
	"context"
	"errors"
	"time"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
)

type Signup struct{ Email string }

func Register(c inngestgo.Client) error {
	_, err := inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "onboard"}, inngestgo.EventTrigger("user/signed.up", nil),
		func(ctx context.Context, in inngestgo.Input[Signup]) (any, error) {
			opened, err := step.WaitForEvent[map[string]any](ctx, "opened", step.WaitForEventOpts{Event: "mail/opened"}) // want `step.WaitForEvent "opened" has no Timeout: the run can wait forever` `the result of step.WaitForEvent "opened" is used at line \d+ without checking for step.ErrEventNotReceived`
			_ = err
			_ = opened["at"]
			_, err = step.Invoke[any](ctx, "score", step.InvokeOpts{FunctionId: "app-score", Timeout: 0}) // want `step.Invoke "score" has Timeout 0, which is not positive: the run can wait forever`
			if err != nil {
				return nil, err
			}
			clicked, err := step.WaitForEvent[map[string]any](ctx, "clicked", step.WaitForEventOpts{Event: "mail/clicked", Timeout: 24 * time.Hour})
			if errors.Is(err, step.ErrEventNotReceived) {
				return nil, nil
			}
			return clicked, err
		})
	return err
}
