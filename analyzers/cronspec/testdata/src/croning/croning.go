package croning

import (
	"context"

	"github.com/inngest/inngestgo"
)

func handler(ctx context.Context, in inngestgo.Input[map[string]any]) (any, error) { return nil, nil }

func Register(c inngestgo.Client) {
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "report"},
		inngestgo.CronTrigger("TZ=Europe/Lyon 0 9 * * *"), // want `unknown time zone "Europe/Lyon"`
		handler)
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "multi"},
		inngestgo.MultipleTriggers{
			inngestgo.Trigger{Cron: "0 0 32 * *"}, // want `does not parse`
			inngestgo.Trigger{Cron: "0 0 1 * *"},
		},
		handler)
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "fine"},
		inngestgo.CronTrigger("TZ=Asia/Tokyo */15 * * * *"), handler)
}
