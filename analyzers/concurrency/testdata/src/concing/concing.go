package concing

import (
	"context"
	"time"

	"conchelp"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
)

type Ev struct {
	Data struct {
		Email string `json:"email"`
	} `json:"data"`
}

func Register(c inngestgo.Client) { // want Register:`rateLimited\(conchelp.SendReceipt → sendgrid.Client.SendWithContext\)`
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "welcome"}, inngestgo.EventTrigger("app/user.created", nil), // want `durable function "welcome" calls the rate-limited service .*set Concurrency: \[\]inngestgo.ConfigStepConcurrency\{\{Limit: 10\}\}`
		func(ctx context.Context, in inngestgo.Input[Ev]) (any, error) {
			return step.Run(ctx, "welcome", func(ctx context.Context) (bool, error) {
				return true, conchelp.SendReceipt(ctx, in.Event.Data.Email)
			})
		})
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "welcome-throttled", Throttle: &inngestgo.ConfigThrottle{Limit: 10, Period: time.Minute}},
		inngestgo.EventTrigger("app/user.created", nil),
		func(ctx context.Context, in inngestgo.Input[Ev]) (any, error) {
			return step.Run(ctx, "welcome", func(ctx context.Context) (bool, error) {
				return true, conchelp.SendReceipt(ctx, in.Event.Data.Email)
			})
		})
}
