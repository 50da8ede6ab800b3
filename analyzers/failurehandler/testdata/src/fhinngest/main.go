package main

import (
	"context"
	"net/smtp"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
)

func main() { // want `^this program runs 1 Inngest function\(s\) and none is triggered by inngest/function.failed; 1 of them have irreversible effects \(e.g. "f": email through smtp.SendMail\), so a run that fails for good leaves them half done and nobody learns of it; create a function triggered by inngestgo.EventTrigger\("inngest/function.failed", nil\) that alerts or compensates$`
	c, _ := inngestgo.NewClient(inngestgo.ClientOpts{AppID: "app"})
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "f"}, inngestgo.EventTrigger("app/user.created", nil),
		func(ctx context.Context, in inngestgo.Input[map[string]any]) (any, error) {
			return step.Run(ctx, "notify-partner", func(ctx context.Context) (bool, error) {
				return true, smtp.SendMail("mail:25", nil, "app@example.com", []string{"ops@example.com"}, nil)
			})
		})
}
