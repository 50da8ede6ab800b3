package fhfuncs // want package:`program\(functions=\[bill ship\] onFailure=0 handlers=\[\] irreversible=\[bill ship\] engines=\[\]\)` package:"irreversibleHelpers"

// This package fhfuncs defines durable functions and no failure handler.

import (
	"context"

	"fhmailer"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

type Order struct{ ID string }

var OrderCreated = runtime.NewEventType[Order]("shop/order.created", "1", nil)

// h emails the customer, through a helper of another package.
func h(ctx context.Context, in runtime.Input[Order]) (any, error) { // want h:`irreversible\(fhmailer.Send → smtp.SendMail\)`
	return step.Run(ctx, "email-receipt", func(ctx context.Context) (bool, error) {
		return true, fhmailer.Send("a@example.com", fhmailer.Format(in.Event.Data.ID))
	})
}

var Ship = runtime.NewFunction(runtime.FunctionOpts{ID: "ship"}, OrderCreated.Trigger(), h)
var Bill = runtime.NewFunction(runtime.FunctionOpts{ID: "bill"}, OrderCreated.Trigger(), h)

func Functions() []*runtime.Function { return []*runtime.Function{Ship, Bill} }
