package main

import (
	"context"
	"fhfuncs"
	"fmt"
	"github.com/durable-go/durable/runtime"
)

type Order struct{ ID string }

func h(ctx context.Context, in runtime.Input[Order]) (any, error) { return nil, nil }

// A tool that lists functions and runs no engine.
func main() {
	fmt.Println(fhfuncs.Ship.ID(), fhfuncs.Bill.ID(), context.Background())
}
