package b

import (
	"context"

	"github.com/durable-go/durable/runtime"
)

func handle(ctx context.Context, in runtime.Input[map[string]any]) (any, error) { return nil, nil }

// Dup reuses a's ID.
var Dup = runtime.NewFunction(runtime.FunctionOpts{ID: "alpha"}, runtime.EventTrigger("a/x.y", ""), handle)
