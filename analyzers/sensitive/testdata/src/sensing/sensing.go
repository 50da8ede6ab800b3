package sensing

import (
	"context"

	"github.com/inngest/inngestgo"
)

type UserData struct {
	Name     string `json:"name"`
	Password string `json:"password"` // want `field UserData.Password \(password\)`
}

type Safe struct {
	Name string `json:"name"`
}

func Register(c inngestgo.Client) {
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "user"}, inngestgo.EventTrigger("app/user.created", nil),
		func(ctx context.Context, in inngestgo.Input[inngestgo.GenericEvent[UserData]]) (any, error) {
			return nil, nil
		})
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "safe"}, inngestgo.EventTrigger("app/user.renamed", nil),
		func(ctx context.Context, in inngestgo.Input[Safe]) (any, error) { return nil, nil })
}
