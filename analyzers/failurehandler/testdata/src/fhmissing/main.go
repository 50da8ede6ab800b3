package main

import (
	"context"
	"fhfuncs"
	"github.com/durable-go/durable/runtime"
)

type Order struct{ ID string }

func h(ctx context.Context, in runtime.Input[Order]) (any, error) { return nil, nil }

func main() { // want `this program runs 2 durable function\(s\), 2 of them with no OnFailure, and none handles durable/function.failed`
	eng, _ := runtime.New(runtime.Options{Functions: fhfuncs.Functions()})
	eng.Start(context.Background())
}
