package main

import (
	"context"

	"github.com/inngest/inngestgo"
)

func main() { // want `runs 1 durable function\(s\), 1 of them with no OnFailure`
	c, _ := inngestgo.NewClient(inngestgo.ClientOpts{AppID: "app"})
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "f"}, inngestgo.EventTrigger("app/user.created", nil),
		func(ctx context.Context, in inngestgo.Input[map[string]any]) (any, error) { return nil, nil })
}
