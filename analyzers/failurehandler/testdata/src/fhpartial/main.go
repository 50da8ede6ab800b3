package main

import (
	"context"
	"fhlib"
	"github.com/durable-go/durable/runtime"
)

type Order struct{ ID string }

func h(ctx context.Context, in runtime.Input[Order]) (any, error) { return nil, nil }

var A = runtime.NewFunction(runtime.FunctionOpts{ID: "a", OnFailure: func(ctx context.Context, in runtime.Input[runtime.FunctionFailedData]) (any, error) { return nil, nil }},
	runtime.EventTrigger("shop/a.done", ""), h)
var B = runtime.NewFunction(runtime.FunctionOpts{ID: "b"}, runtime.EventTrigger("shop/b.done", ""), h)

// The engine is started by another package.
func main() { // want `runs 4 durable function\(s\), 3 of them with no OnFailure`
	fhlib.Start(context.Background(), A, B)
}
