package ing

import (
	"context"
	"errors"
	"log"
	"time"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/group"
	"github.com/inngest/inngestgo/step"
)

type Data struct{ OrderID string }

var errNotFound = errors.New("not found")

func find(ctx context.Context, id string) (Data, error) { return Data{}, errNotFound }

var _, _ = inngestgo.CreateFunction(nil, inngestgo.FunctionOpts{ID: "ing"}, inngestgo.EventTrigger("shop/order.created", nil), // want `the error of inngestgo.CreateFunction is assigned to _: when the options or trigger are invalid the function is not created`
	func(ctx context.Context, in inngestgo.Input[Data]) (any, error) {
		d, _ := step.Run(ctx, "load", func(ctx context.Context) (Data, error) { return find(ctx, in.Event.OrderID) }) // want `the error of step.Run "load" is assigned to _`
		group.Parallel(ctx, func(ctx context.Context) (any, error) { return nil, nil })                               // want `the results of group.Parallel are never looked at \(the call's results are discarded\), and with them its branches' errors`
		_ = group.Parallel(ctx)                                                                                       // want `the results of group.Parallel are assigned to _`
		_, _ = step.Run(ctx, "ping", func(ctx context.Context) (bool, error) { return true, nil })                    // cannot fail
		_, err := step.Invoke[Data](ctx, "invoke", step.InvokeOpts{FunctionId: "x", Timeout: time.Hour})
		if err != nil {
			log.Println(err) // a logged fallback
			return d, nil
		}

		step.Sleep(ctx, "nap", time.Second) // returns nothing
		res := group.Parallel(ctx, func(ctx context.Context) (any, error) { return nil, nil })
		if err := res.AnyError(); err != nil {
			return nil, err
		}
		e, err := step.WaitForEvent[Data](ctx, "wait", step.WaitForEventOpts{Event: "x", Timeout: time.Hour})
		if err == step.ErrEventNotReceived {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return e, nil
	})
