package main

import (
	"context"
	"fhfuncs"
	"fhhandler"
	"github.com/durable-go/durable/runtime"
)

type Order struct{ ID string }

func h(ctx context.Context, in runtime.Input[Order]) (any, error) { return nil, nil }

func main() {
	runtime.New(runtime.Options{Functions: append(fhfuncs.Functions(), fhhandler.Alert)})
}
