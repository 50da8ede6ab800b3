// Package expringnocat is written like the Inngest SDK's own examples: the
// event types name the fields the code reads, and there is no catalog.
package expringnocat

import (
	"context"
	"time"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
)

type AccountCreatedEventData struct{ AccountID string }

type FunctionCreatedEvent inngestgo.GenericEvent[struct{ FunctionID string }]

func AccountCreated(ctx context.Context, input inngestgo.Input[AccountCreatedEventData]) (any, error) {
	fn, err := step.WaitForEvent[FunctionCreatedEvent](ctx, "wait-for-activity", step.WaitForEventOpts{
		Event:   "api/function.created",
		Timeout: 72 * time.Hour,
		If:      inngestgo.StrPtr("event.data.user_id == async.data.user_id"), // user_id exists in the events, not in the structs
	})
	if err != nil {
		return nil, err
	}
	return fn.Data.FunctionID, nil
}

func Register(c inngestgo.Client) {
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "account-created", Idempotency: inngestgo.StrPtr("event.data.account_id")},
		inngestgo.EventTrigger("api/account.created", inngestgo.StrPtr("event.data.plan != 'free' &&")), // want `trigger condition .* does not compile`
		AccountCreated)
}
