// Package step is a test stub with the shapes of
// github.com/durable-go/durable/runtime/step.
package step

import (
	"context"
	"errors"
	"time"

	"github.com/durable-go/durable/runtime"
)

var ErrTimeout = errors.New("step: timeout")

func Run[T any](ctx context.Context, id string, fn func(ctx context.Context) (T, error), opts ...Option) (T, error) {
	return fn(ctx)
}

type Option struct{ apply func() }

type RetryPolicy struct {
	MaxAttempts    int
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
	Multiplier     float64
	Retriable      func(err error) bool
}

func Retry(p RetryPolicy) Option { return Option{} }

func Timeout(d time.Duration) Option { return Option{} }

func Version(ctx context.Context, changeID string, max int) (int, error) { return max, nil }

func Sleep(ctx context.Context, id string, d time.Duration) error { return nil }

func SleepUntil(ctx context.Context, id string, t time.Time) error { return nil }

type WaitOpts struct {
	Timeout  time.Duration
	If       string
	Lookback time.Duration
}

const MaxLookback = 24 * time.Hour

func WaitForEvent[T any](ctx context.Context, id string, et runtime.EventType[T], opts WaitOpts) (runtime.TypedEvent[T], error) {
	var zero runtime.TypedEvent[T]
	return zero, nil
}

func SendEvent(ctx context.Context, id string, events ...runtime.Event) ([]string, error) {
	return nil, nil
}

type InvokeOpts struct {
	Data    any
	Timeout time.Duration
}

func Invoke[T any](ctx context.Context, id string, fn *runtime.Function, opts InvokeOpts) (T, error) {
	var zero T
	return zero, nil
}

func Parallel[T any](ctx context.Context, branches ...func(ctx context.Context) (T, error)) ([]T, error) {
	return nil, nil
}
