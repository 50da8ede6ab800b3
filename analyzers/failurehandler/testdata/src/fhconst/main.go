package main

import (
	"context"

	"github.com/durable-go/durable/runtime"
)

type Order struct{ ID string }

func h(ctx context.Context, in runtime.Input[Order]) (any, error) { return nil, nil }

var A = runtime.NewFunction(runtime.FunctionOpts{ID: "a"}, runtime.EventTrigger("shop/a.done", ""), h)

type Handlers struct{}

func (Handlers) trigger() runtime.Trigger {
	return runtime.EventTrigger(runtime.FunctionFailedEvent, "event.data.function_id == \"a\"")
}

func (Handlers) handle(ctx context.Context, in runtime.Input[runtime.FunctionFailedData]) (any, error) {
	return nil, nil
}

var Failed = runtime.NewFunction(runtime.FunctionOpts{ID: "on-a-failed"},
	runtime.Triggers(runtime.EventTrigger("durable/function.failed", "")), Handlers{}.handle)

func main() {
	runtime.New(runtime.Options{Functions: []*runtime.Function{A, Failed}})
}
