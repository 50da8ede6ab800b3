package x

import "github.com/durable-go/durable/runtime"

var InTestdata = runtime.NewFunction(runtime.FunctionOpts{ID: "alpha"}, runtime.EventTrigger("a/x.y", ""), nil)
