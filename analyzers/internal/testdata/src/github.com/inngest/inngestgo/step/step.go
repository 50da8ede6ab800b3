// Package step is a test stub with the shapes of
// github.com/inngest/inngestgo/step.
package step

import (
	"context"
	"fmt"
	"time"
)

var ErrEventNotReceived = fmt.Errorf("event not received")

func Run[T any](ctx context.Context, id string, f func(ctx context.Context) (T, error)) (T, error) {
	return f(ctx)
}

func Sleep(ctx context.Context, id string, duration time.Duration) {}

type WaitForEventOpts struct {
	Name    string
	Event   string
	Timeout time.Duration
	If      *string
}

func WaitForEvent[T any](ctx context.Context, stepID string, opts WaitForEventOpts) (T, error) {
	var zero T
	return zero, nil
}

type InvokeOpts struct {
	FunctionId string
	Data       map[string]any
	User       any
	Timeout    time.Duration
}

func Invoke[T any](ctx context.Context, id string, opts InvokeOpts) (T, error) {
	var zero T
	return zero, nil
}

func Send(ctx context.Context, id string, event any) (string, error) { return "", nil }

func SendMany(ctx context.Context, id string, events []any) ([]string, error) { return nil, nil }
