package bodies

import (
	"context"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/group"
	istep "github.com/inngest/inngestgo/step"

	"helpers"
)

var Literal = runtime.NewFunction( // want `definition "literal" var=Literal handler=<literal> body=yes`
	runtime.FunctionOpts{ID: "literal"},
	runtime.EventTrigger("a/b.c", ""),
	func(ctx context.Context, in runtime.Input[helpers.Order]) (any, error) { // want `body "literal"`
		v, err := step.Run(ctx, "outer", func(ctx context.Context) (int, error) { // want `step step.Run id="outer" body="literal"`
			return step.Run(ctx, "inner", func(ctx context.Context) (int, error) { return 1, nil }) // want `step step.Run id="inner" body="literal" parent="outer"`
		})
		_ = step.Sleep(ctx, "nap", time.Second) // want `step step.Sleep id="nap" body="literal"`
		_ = helpers.Charge(ctx)
		return v, err
	})

func named(ctx context.Context, in runtime.Input[helpers.Order]) (any, error) { // want `body "named"` `startsStep\(step.Parallel\)`
	_, err := step.Parallel(ctx, // want `step step.Parallel body="named" branches=1`
		func(ctx context.Context) (int, error) { return 0, step.Sleep(ctx, "b", time.Second) }) // want `step step.Sleep id="b" body="named"`
	return nil, err
}

var Named = runtime.NewFunction(runtime.FunctionOpts{ID: "named"}, runtime.CronTrigger("@hourly"), named) // want `definition "named" var=Named handler=named body=yes`

var svc = &helpers.Service{}

var Method = runtime.NewFunction(runtime.FunctionOpts{ID: "method"}, runtime.CronTrigger("@hourly"), svc.Handle) // want `definition "method" var=Method handler=Service.Handle body=no`

var Factory = runtime.NewFunction(runtime.FunctionOpts{ID: "factory"}, runtime.CronTrigger("@hourly"), helpers.MakeHandler("hi")) // want `definition "factory" var=Factory handler=MakeHandler body=no`

func generic[T any](ctx context.Context, in runtime.Input[T]) (any, error) { // want `body "generic"`
	return nil, nil
}

var Generic = runtime.NewFunction(runtime.FunctionOpts{ID: "generic"}, runtime.CronTrigger("@hourly"), generic[helpers.Order]) // want `definition "generic" var=Generic handler=generic body=yes`

var client, _ = inngestgo.NewClient(inngestgo.ClientOpts{AppID: "app"})

// Setup defines a function: the steps of its body are that function's, so
// Setup itself starts none (no startsStep).
func Setup() error {
	_, err := inngestgo.CreateFunction(client, inngestgo.FunctionOpts{ID: "ing"}, inngestgo.EventTrigger("a/b.c", nil), // want `definition "ing" var=_ handler=<literal> body=yes`
		func(ctx context.Context, in inngestgo.Input[helpers.Order]) (any, error) { // want `body "ing"`
			ev, err := istep.WaitForEvent[map[string]any](ctx, "wait", istep.WaitForEventOpts{Event: "x", Timeout: time.Hour}) // want `step step.WaitForEvent id="wait" body="ing" opts`
			if err != nil {
				return nil, err
			}
			res := group.Parallel(ctx, func(ctx context.Context) (any, error) { return nil, nil }) // want `step group.Parallel body="ing" branches=1`
			if _, err := istep.Send(ctx, "notify", map[string]any{"name": "a/b.d"}); err != nil {  // want `step step.Send id="notify" body="ing"`
				return nil, err
			}
			return []any{ev, res}, nil
		})
	return err
}

// starter starts a step through an imported helper.
func starter(ctx context.Context) error { // want `startsStep\(helpers.ChargeTwice → helpers.Charge → step.Run\)`
	return helpers.ChargeTwice(ctx)
}
