package syntaxerr

import "github.com/durable-go/durable/runtime"

var Half = runtime.NewFunction(runtime.FunctionOpts{ID: "half"}, runtime.EventTrigger("a/x.y", ""), nil)

func oops( {
