package cyc

import (
	_ "example.com/fixture/reg"

	"github.com/durable-go/durable/runtime"
)

var Cyc = runtime.NewFunction(runtime.FunctionOpts{ID: "cyc"}, runtime.EventTrigger("a/x.y", ""), nil)
