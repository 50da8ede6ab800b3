package main

import (
	"context"
	"net/http"

	"github.com/durable-go/durable/runtime"
)

type Order struct{ ID string }

func h(ctx context.Context, in runtime.Input[Order]) (any, error) { return nil, nil }

type App struct{ fns []*runtime.Function }

// Functions are defined by a method.
func (a *App) define() {
	a.fns = append(a.fns, runtime.NewFunction(runtime.FunctionOpts{ID: "m"}, runtime.EventTrigger("shop/m.done", ""), a.handle))
}

func (a *App) handle(ctx context.Context, in runtime.Input[Order]) (any, error) {
	return http.Post("https://hooks.example.com/orders", "text/plain", nil)
}

func main() { // want `runs 1 durable function`
	a := &App{}
	a.define()
	runtime.New(runtime.Options{Functions: a.fns})
}
