package main

import (
	"context"

	"github.com/durable-go/durable/runtime"
)

type Order struct{ ID string }

func h(ctx context.Context, in runtime.Input[Order]) (any, error) { return nil, nil }

var A = runtime.NewFunction(runtime.FunctionOpts{ID: "a", OnFailure: nil}, runtime.EventTrigger("shop/a.done", ""), h)

func main() { // want `runs 1 durable function\(s\), 1 of them with no OnFailure`
	runtime.New(runtime.Options{Functions: []*runtime.Function{A}})
}
