package main

import (
	"context"
	"net/http"

	"github.com/durable-go/durable/runtime"
)

type Order struct{ ID string }

// h posts to a partner: an irreversible effect.
func h(ctx context.Context, in runtime.Input[Order]) (any, error) {
	return http.Post("https://hooks.example.com/orders", "text/plain", nil)
}

var A = runtime.NewFunction(runtime.FunctionOpts{ID: "a", OnFailure: nil}, runtime.EventTrigger("shop/a.done", ""), h)

func main() { // want `runs 1 durable function\(s\) and none handles durable/function.failed; 1 of them have irreversible effects and no OnFailure \("a" reaches http.Post via main.h → http.Post\)`
	runtime.New(runtime.Options{Functions: []*runtime.Function{A}})
}
