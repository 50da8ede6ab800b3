// Package fhhandler defines the global failure handler.
package fhhandler

import (
	"context"

	"github.com/durable-go/durable/runtime"
)

var Alert = runtime.NewFunction(runtime.FunctionOpts{ID: "alert-on-failure"}, runtime.FunctionFailed.Trigger(),
	func(ctx context.Context, in runtime.Input[runtime.FunctionFailedData]) (any, error) { return nil, nil })
