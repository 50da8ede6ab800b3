package seing

import (
	"context"
	"net/http"
	"time"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"

	"mailer"
)

type Order struct{ ID string }

func Register(client inngestgo.Client) error {
	_, err := inngestgo.CreateFunction(client, inngestgo.FunctionOpts{ID: "ship"}, inngestgo.EventTrigger("shop/order.paid", nil),
		func(ctx context.Context, in inngestgo.Input[Order]) (any, error) {
			req, _ := http.NewRequestWithContext(ctx, "POST", "https://ship.example.com", nil)
			if _, err := http.DefaultClient.Do(req); err != nil { // want `network call http.Client.Do outside a step in durable function "ship"`
				return nil, err
			}
			label, err := step.Run(ctx, "label", func(ctx context.Context) (string, error) {
				return mailer.Stamp(), nil // inside a step: fine
			})
			if err != nil {
				return nil, err
			}
			step.Sleep(ctx, "cool-off", time.Hour)
			return label + mailer.Stamp(), nil // want `wall-clock read time.Now outside a step in durable function "ship" via mailer.Stamp → time.Now`
		})
	return err
}
