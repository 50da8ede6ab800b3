package main

import (
	"github.com/durable-go/durable/runtime"

	"unregapp/registry"
	"unregfns"
)

func main() {
	fns := append(registry.Functions(), unregfns.Extra()...)
	eng, err := runtime.New(runtime.Options{Functions: fns}) // want `durable function "refund" \(unregfns.Refund, defined at unregfns/unregfns.go:\d+:\d+\) is never registered with this engine`
	if err != nil {
		panic(err)
	}
	_ = eng
}
