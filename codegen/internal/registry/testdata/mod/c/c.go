package c

import (
	"context"
	"fmt"

	"github.com/durable-go/durable/runtime"
)

func handle(ctx context.Context, in runtime.Input[map[string]any]) (any, error) { return nil, nil }

var id = fmt.Sprint("dyn")

var Dynamic = runtime.NewFunction(runtime.FunctionOpts{ID: id}, runtime.EventTrigger("a/x.y", ""), handle)

var opts = runtime.FunctionOpts{ID: "opts"}

var FromVar = runtime.NewFunction(opts, runtime.EventTrigger("a/x.y", ""), handle)
