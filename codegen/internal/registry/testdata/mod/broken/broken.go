package broken

import (
	"context"

	"github.com/durable-go/durable/runtime"
)

// A type error: undefinedThing does not exist. The scan still lists Fine.
var Fine = runtime.NewFunction(runtime.FunctionOpts{ID: "fine"}, undefinedThing, func(ctx context.Context, in runtime.Input[int]) (any, error) { return nil, nil })
