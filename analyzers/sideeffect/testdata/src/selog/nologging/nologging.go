// Package nologging is checked without -logging: logging outside steps is
// not reported by default.
package nologging

import (
	"context"
	"log"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

var Remind = runtime.NewFunction(runtime.FunctionOpts{ID: "remind"}, runtime.EventTrigger("app/trial.started", ""),
	func(ctx context.Context, in runtime.Input[string]) (any, error) {
		log.Printf("reminding %s", in.Event.Data)
		return nil, step.Sleep(ctx, "wait-a-week", 7*24*time.Hour)
	})
