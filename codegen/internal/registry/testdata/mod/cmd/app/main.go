package main

import "github.com/durable-go/durable/runtime"

var Local = runtime.NewFunction(runtime.FunctionOpts{ID: "main-local"}, runtime.EventTrigger("a/x.y", ""), nil)

func main() {}
