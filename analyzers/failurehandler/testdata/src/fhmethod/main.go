package main

import (
	"context"
	"net/smtp"

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
	return true, smtp.SendMail("mail:25", nil, "shop@example.com", []string{"ops@example.com"}, []byte(in.Event.Data.ID))
}

func main() { // want `runs 1 durable function`
	a := &App{}
	a.define()
	runtime.New(runtime.Options{Functions: a.fns})
}
