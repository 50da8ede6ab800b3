// Package wthelp has helpers that wait on behalf of durable functions.
package wthelp

import (
	"context"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

type Reply struct{ OK bool }

var Replied = runtime.NewEventType[Reply]("chat/reply.sent", "1", nil)

// AwaitReply waits without a timeout, on behalf of its callers.
func AwaitReply(ctx context.Context) (bool, error) {
	ev, err := step.WaitForEvent(ctx, "await-reply", Replied, step.WaitOpts{If: "true"}) // want `step.WaitForEvent "await-reply" has no Timeout`
	if err != nil {
		return false, err
	}
	return ev.Data.OK, nil
}

// AwaitReplyFor waits properly.
func AwaitReplyFor(ctx context.Context, d time.Duration) (bool, error) {
	ev, err := step.WaitForEvent(ctx, "await-reply", Replied, step.WaitOpts{Timeout: d})
	if errors(err) {
		return false, nil
	}
	return ev.Data.OK, err
}

func errors(err error) bool { return err == step.ErrTimeout }
