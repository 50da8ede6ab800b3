package deep

import "github.com/durable-go/durable/runtime"

var Deep = runtime.NewFunction(runtime.FunctionOpts{ID: "deep"}, runtime.EventTrigger("a/x.y", ""), nil)
