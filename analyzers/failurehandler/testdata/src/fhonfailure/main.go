package main

import (
	"context"

	"github.com/durable-go/durable/runtime"
)

type Order struct{ ID string }

func h(ctx context.Context, in runtime.Input[Order]) (any, error) { return nil, nil }

func onFailure(ctx context.Context, in runtime.Input[runtime.FunctionFailedData]) (any, error) {
	return nil, nil
}

var A = runtime.NewFunction(runtime.FunctionOpts{ID: "a", OnFailure: onFailure}, runtime.EventTrigger("shop/a.done", ""), h)
var B = runtime.NewFunction(runtime.FunctionOpts{ID: "b", OnFailure: onFailure}, runtime.EventTrigger("shop/b.done", ""), h)

func main() {
	runtime.New(runtime.Options{Functions: []*runtime.Function{A, B}})
}
