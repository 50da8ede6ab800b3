package main

import (
	"context"
	"fhlib"
	"github.com/durable-go/durable/runtime"
	"net/smtp"
)

type Order struct{ ID string }

// h emails the customer: an irreversible effect.
func h(ctx context.Context, in runtime.Input[Order]) (any, error) {
	return true, smtp.SendMail("mail:25", nil, "shop@example.com", []string{"ops@example.com"}, []byte(in.Event.Data.ID))
}

var A = runtime.NewFunction(runtime.FunctionOpts{ID: "a", OnFailure: func(ctx context.Context, in runtime.Input[runtime.FunctionFailedData]) (any, error) { return nil, nil }},
	runtime.EventTrigger("shop/a.done", ""), h)
var B = runtime.NewFunction(runtime.FunctionOpts{ID: "b"}, runtime.EventTrigger("shop/b.done", ""), h)

// The engine is started by another package.
func main() { // want `runs 4 durable function\(s\) and none handles durable/function.failed; 3 of them have irreversible effects and no OnFailure`
	fhlib.Start(context.Background(), A, B)
}
