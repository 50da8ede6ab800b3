// Package flows holds step helpers used from other packages.
package flows

import (
	"context"

	"github.com/google/uuid"

	"github.com/durable-go/durable/runtime/step"
)

// Notify runs the step "send-email".
func Notify(ctx context.Context) error { // want Notify:`stepIDs\("send-email"\)`
	_, err := step.Run(ctx, "send-email", func(ctx context.Context) (bool, error) { return true, nil })
	return err
}

// Named runs a step with the caller's ID.
func Named(ctx context.Context, id string) error { // want Named:`stepIDs\(param1\)`
	_, err := step.Run(ctx, id, func(ctx context.Context) (bool, error) { return true, nil })
	return err
}

// Fetch is generic and takes its ID from the caller.
func Fetch[T any](ctx context.Context, id string, v T) (T, error) { // want Fetch:`stepIDs\(param1\)`
	return step.Run(ctx, id, func(ctx context.Context) (T, error) { return v, nil })
}

// Twice goes through Notify and Named.
func Twice(ctx context.Context) error { // want Twice:`stepIDs\("send-email" "audit"\)`
	if err := Notify(ctx); err != nil {
		return err
	}
	return Named(ctx, "audit")
}

// Token returns a fresh token on every call.
func Token() string { // want Token:`nondet\(uuid.NewString\(\) \(a UUID generation\)\)`
	return "t-" + uuid.NewString()
}

// Label is deterministic.
func Label(id string) string { return "order-" + id }
