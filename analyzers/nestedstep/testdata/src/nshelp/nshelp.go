// Package nshelp has helpers that start steps.
package nshelp

import (
	"context"
	"time"

	"github.com/durable-go/durable/runtime/step"
)

// Pause sleeps: a step.
func Pause(ctx context.Context) error { return step.Sleep(ctx, "pause", time.Minute) }

// Notify starts a step through Pause.
func Notify(ctx context.Context) error { return Pause(ctx) }

// Lookup starts no step.
func Lookup(ctx context.Context, id string) (string, error) { return "user-" + id, nil }

// Fetch is a named callback that starts no step.
func Fetch(ctx context.Context) (string, error) { return "data", nil }

// FetchAndWait is a named callback that starts a step.
func FetchAndWait(ctx context.Context) (string, error) { return "", Pause(ctx) }

// Remember is a generic helper that starts a step.
func Remember[T any](ctx context.Context, v T) (T, error) {
	return step.Run(ctx, "remember", func(ctx context.Context) (T, error) { return v, nil })
}
