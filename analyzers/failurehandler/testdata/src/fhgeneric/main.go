package main

import (
	"context"

	"github.com/durable-go/durable/runtime"
)

type Order struct{ ID string }

func h(ctx context.Context, in runtime.Input[Order]) (any, error) { return nil, nil }

// A generic helper defines the functions.
func define[T any](id string, handler runtime.Handler[T]) *runtime.Function {
	return runtime.NewFunction(runtime.FunctionOpts{ID: id}, runtime.EventTrigger("shop/"+id+".done", ""), handler)
}

func main() { // want `runs 1 durable function`
	f := define[Order]("g", h)
	runtime.New(runtime.Options{Functions: []*runtime.Function{f}})
}
