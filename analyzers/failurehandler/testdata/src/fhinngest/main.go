package main

import (
	"context"
	"net/http"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
)

func main() { // want `^this program runs 1 Inngest function\(s\) and none is triggered by inngest/function.failed; 1 of them have irreversible effects \("f" reaches http.Post\), so a run that fails for good leaves them half done and nobody learns of it; create a function triggered by inngestgo.EventTrigger\("inngest/function.failed", nil\) that alerts or compensates$`
	c, _ := inngestgo.NewClient(inngestgo.ClientOpts{AppID: "app"})
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "f"}, inngestgo.EventTrigger("app/user.created", nil),
		func(ctx context.Context, in inngestgo.Input[map[string]any]) (any, error) {
			return step.Run(ctx, "notify-partner", func(ctx context.Context) (*http.Response, error) {
				return http.Post("https://hooks.example.com/orders", "text/plain", nil)
			})
		})
}
