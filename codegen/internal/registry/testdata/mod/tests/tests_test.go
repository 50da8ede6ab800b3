package tests

import "github.com/durable-go/durable/runtime"

var InTest = runtime.NewFunction(runtime.FunctionOpts{ID: "alpha"}, runtime.EventTrigger("a/x.y", ""), nil)
