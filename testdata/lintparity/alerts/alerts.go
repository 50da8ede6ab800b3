// Package alerts pages the on-call engineer when a run fails for good.
package alerts

import (
	"context"
	"log/slog"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

// OnFailure is the global failure handler.
var OnFailure = runtime.NewFunction(
	runtime.FunctionOpts{ID: "alert-on-failure"},
	runtime.FunctionFailed.Trigger(),
	func(ctx context.Context, in runtime.Input[runtime.FunctionFailedData]) (any, error) {
		return step.Run(ctx, "page-on-call", func(ctx context.Context) (bool, error) {
			slog.Error("durable function failed", "function", in.Event.Data.FunctionID)
			return true, nil
		})
	})
