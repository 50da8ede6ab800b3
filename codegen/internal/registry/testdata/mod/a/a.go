package a

import (
	"context"

	"example.com/fixture/ids"
	durable "github.com/durable-go/durable/runtime"
)

const betaID = "beta"

type data struct{}

func handle(ctx context.Context, in durable.Input[data]) (any, error) { return nil, nil }

var (
	Alpha = durable.NewFunction(durable.FunctionOpts{ID: "alpha"}, durable.EventTrigger("a/x.y", ""), handle)
	Beta  = durable.NewFunction[data](durable.FunctionOpts{Name: "B", ID: betaID}, durable.EventTrigger("a/x.y", ""), handle)
)

var Gamma = durable.NewFunction(durable.FunctionOpts{ID: ids.Gamma}, durable.EventTrigger("a/x.y", ""), handle)

var hidden = durable.NewFunction(durable.FunctionOpts{ID: "hidden"}, durable.EventTrigger("a/x.y", ""), handle)

func notPackageLevel() {
	_ = durable.NewFunction(durable.FunctionOpts{ID: "local"}, durable.EventTrigger("a/x.y", ""), handle)
}
