package main

import (
	"context"
	"fhfuncs"
	"github.com/durable-go/durable/runtime"
)

type Order struct{ ID string }

func h(ctx context.Context, in runtime.Input[Order]) (any, error) { return nil, nil }

//durable:ignore failurehandler failures are paged by the platform from the run table
func main() {
	runtime.New(runtime.Options{Functions: fhfuncs.Functions()})
	_ = context.Background()
}
