package main

import (
	"context"
	"net/smtp"

	"github.com/durable-go/durable/runtime"
)

type Order struct{ ID string }

// h emails the customer: an irreversible effect.
func h(ctx context.Context, in runtime.Input[Order]) (any, error) {
	return true, smtp.SendMail("mail:25", nil, "shop@example.com", []string{"ops@example.com"}, []byte(in.Event.Data.ID))
}

// A generic helper defines the functions: the handler it is given is a
// parameter, whose effects are not known where the function is defined, so
// the program is not reported (the analyzer reports only what it can show).
func define[T any](id string, handler runtime.Handler[T]) *runtime.Function {
	return runtime.NewFunction(runtime.FunctionOpts{ID: id}, runtime.EventTrigger("shop/"+id+".done", ""), handler)
}

func main() {
	f := define[Order]("g", h)
	runtime.New(runtime.Options{Functions: []*runtime.Function{f}})
}
