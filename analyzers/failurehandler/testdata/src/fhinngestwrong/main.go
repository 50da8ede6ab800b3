package main

// An Inngest program whose "failure handler" listens to this runtime's
// failure event, which the Inngest platform never sends.

import (
	"context"
	"net/smtp"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
)

func main() { // want `^this program runs 2 Inngest function\(s\) and none is triggered by inngest/function.failed; 1 of them have irreversible effects`
	c, _ := inngestgo.NewClient(inngestgo.ClientOpts{AppID: "app"})
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "welcome"}, inngestgo.EventTrigger("app/user.created", nil),
		func(ctx context.Context, in inngestgo.Input[map[string]any]) (any, error) {
			return step.Run(ctx, "send-welcome", func(ctx context.Context) (bool, error) {
				return true, smtp.SendMail("mail:25", nil, "app@example.com", []string{"user@example.com"}, nil)
			})
		})
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "on-failure"}, inngestgo.EventTrigger("durable/function.failed", nil),
		func(ctx context.Context, in inngestgo.Input[map[string]any]) (any, error) { return nil, nil })
}
