package eving

import (
	"context"
	"time"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
)

func Register(c inngestgo.Client) {
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "welcome"},
		inngestgo.EventTrigger("user_signed_up", nil), // want `trigger "user_signed_up" does not follow .*: it has no prefix/`
		func(ctx context.Context, in inngestgo.Input[map[string]any]) (any, error) {
			// Waiting for another system's event: a lowercase domain/name is enough.
			_, err := step.WaitForEvent[map[string]any](ctx, "wait-open", step.WaitForEventOpts{Event: "mail/opened", Timeout: time.Hour})
			if err != nil {
				return nil, err
			}
			_, err = step.WaitForEvent[map[string]any](ctx, "wait-click", step.WaitForEventOpts{Event: "MailClicked", Timeout: time.Hour}) // want `awaited event "MailClicked" does not follow`
			if err != nil {
				return nil, err
			}
			_, err = step.Send(ctx, "send", inngestgo.Event{Name: "app/user.welcomed"})
			return nil, err
		})
}
