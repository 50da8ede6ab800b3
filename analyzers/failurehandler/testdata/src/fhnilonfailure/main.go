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

var A = runtime.NewFunction(runtime.FunctionOpts{ID: "a", OnFailure: nil}, runtime.EventTrigger("shop/a.done", ""), h)

func main() { // want `runs 1 durable function\(s\) and none handles durable/function.failed; 1 of them have irreversible effects and no OnFailure \(e.g. "a": email through main.h → smtp.SendMail\)`
	runtime.New(runtime.Options{Functions: []*runtime.Function{A}})
}
