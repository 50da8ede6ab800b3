package main

import (
	"context"

	"github.com/inngest/inngestgo"
)

func handle(ctx context.Context, in inngestgo.Input[map[string]any]) (any, error) { return nil, nil }

func main() {
	c, _ := inngestgo.NewClient(inngestgo.ClientOpts{AppID: "app"})
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "f"}, inngestgo.EventTrigger("app/user.created", nil), handle)
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "on-failure"}, inngestgo.EventTrigger("inngest/function.failed", nil), handle)
}
