package main

import (
	"context"
	"fhlib"
	"github.com/durable-go/durable/runtime"
	"net/http"
)

type Order struct{ ID string }

// h posts to a partner: an irreversible effect.
func h(ctx context.Context, in runtime.Input[Order]) (any, error) {
	return http.Post("https://hooks.example.com/orders", "text/plain", nil)
}

var A = runtime.NewFunction(runtime.FunctionOpts{ID: "a", OnFailure: func(ctx context.Context, in runtime.Input[runtime.FunctionFailedData]) (any, error) { return nil, nil }},
	runtime.EventTrigger("shop/a.done", ""), h)
var B = runtime.NewFunction(runtime.FunctionOpts{ID: "b"}, runtime.EventTrigger("shop/b.done", ""), h)

// The engine is started by another package.
func main() { // want `runs 4 durable function\(s\) and none handles durable/function.failed; 3 of them have irreversible effects and no OnFailure`
	fhlib.Start(context.Background(), A, B)
}
