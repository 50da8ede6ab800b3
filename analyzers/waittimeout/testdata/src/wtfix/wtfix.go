package wtfix

import (
	"context"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

var Ev = runtime.NewEventType[int]("a/b.c", "1", nil)

func Wait(ctx context.Context) error {
	_, err := step.WaitForEvent(ctx, "a", Ev, step.WaitOpts{})          // want `has no Timeout`
	_, err = step.WaitForEvent(ctx, "b", Ev, step.WaitOpts{If: "true"}) // want `has no Timeout`
	_ = time.Second
	return err
}
