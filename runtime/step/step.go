// Package step holds the building blocks of durable functions: memoized
// steps, sleeps, waits for events, event sends, invocations and parallel
// branches.
//
// Every step has an ID, unique in intent within its function; calling a step
// with the same ID again (in a loop) is fine: each occurrence is numbered. A
// step's result is committed before the function goes on, and a committed
// step never runs again in that run: on replay it returns its recorded result.
// So the code outside steps must be deterministic, and everything with a side
// effect belongs inside step.Run.
package step

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/internal/runctx"
)

// ErrTimeout is returned by WaitForEvent and Invoke when the timeout passes.
var ErrTimeout = runctx.ErrTimeout

// ErrNotInFunction is returned when a step function is called with a context
// that does not belong to a durable function run.
var ErrNotInFunction = runctx.ErrNotInFunction

func exec(ctx context.Context) (runctx.Exec, error) {
	e := runctx.From(ctx)
	if e == nil {
		return nil, ErrNotInFunction
	}
	return e, nil
}

// Run executes fn as the step id and returns its result, or the result
// recorded by an earlier execution of this run. T must round-trip through
// JSON. A failing fn is retried per the function's retry policy; once the
// retries are spent, Run returns a *runtime.StepError.
func Run[T any](ctx context.Context, id string, fn func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	e, err := exec(ctx)
	if err != nil {
		return zero, err
	}
	raw, err := e.Run(ctx, id, func(ctx context.Context) (any, error) { return fn(ctx) })
	if err != nil {
		return zero, err
	}
	return decode[T](id, raw)
}

func decode[T any](id string, raw json.RawMessage) (T, error) {
	var v T
	if len(raw) == 0 {
		return v, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, runtime.NonRetriable(fmt.Errorf("step %q: decoding recorded result into %T: %w", id, v, err))
	}
	return v, nil
}

// Sleep suspends the run for d. The run holds no goroutine and no memory while
// it sleeps.
func Sleep(ctx context.Context, id string, d time.Duration) error {
	e, err := exec(ctx)
	if err != nil {
		return err
	}
	return e.Sleep(ctx, id, d, time.Time{})
}

// SleepUntil suspends the run until t.
func SleepUntil(ctx context.Context, id string, t time.Time) error {
	e, err := exec(ctx)
	if err != nil {
		return err
	}
	if t.IsZero() {
		return fmt.Errorf("step %q: SleepUntil with a zero time", id)
	}
	return e.Sleep(ctx, id, 0, t)
}

// WaitOpts configures WaitForEvent.
type WaitOpts struct {
	// Timeout is how long to wait; it must be positive.
	Timeout time.Duration
	// If is a CEL expression that the awaited event must satisfy, with the
	// run's triggering event as `event` and the candidate as `async`:
	// "async.data.order_id == event.data.order_id".
	If string
}

// WaitForEvent suspends the run until an event of type et arrives that
// satisfies opts.If, and returns it; after opts.Timeout it returns ErrTimeout.
// Only events sent after the wait began count.
func WaitForEvent[T any](ctx context.Context, id string, et runtime.EventType[T], opts WaitOpts) (runtime.TypedEvent[T], error) {
	var zero runtime.TypedEvent[T]
	e, err := exec(ctx)
	if err != nil {
		return zero, err
	}
	if opts.Timeout <= 0 {
		return zero, runtime.NonRetriable(fmt.Errorf("step %q: WaitForEvent needs a positive Timeout (got %v)", id, opts.Timeout))
	}
	raw, err := e.WaitForEvent(ctx, id, et.Name(), opts.If, opts.Timeout)
	if err != nil {
		return zero, err
	}
	return decode[runtime.TypedEvent[T]](id, raw)
}

// SendEvent sends events from a step, exactly once per run, and returns their IDs.
func SendEvent(ctx context.Context, id string, events ...runtime.Event) ([]string, error) {
	e, err := exec(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]runctx.OutEvent, len(events))
	for i, ev := range events {
		out[i] = runctx.OutEvent{Name: ev.Name, Data: ev.Data, ID: ev.ID, TS: ev.TS, V: ev.V}
	}
	return e.SendEvents(ctx, id, out)
}

// InvokeOpts configures Invoke.
type InvokeOpts struct {
	// Data is the data of the event the invoked function receives.
	Data any
	// Timeout is how long to wait for the invoked run; it must be positive.
	Timeout time.Duration
}

// Invoke runs fn as a new run, waits for it, and returns its output decoded
// into T. The invoked run receives a "durable/function.invoked" event with
// opts.Data as data. After opts.Timeout it returns ErrTimeout; a failed run
// returns its error.
func Invoke[T any](ctx context.Context, id string, fn *runtime.Function, opts InvokeOpts) (T, error) {
	var zero T
	e, err := exec(ctx)
	if err != nil {
		return zero, err
	}
	if fn == nil {
		return zero, runtime.NonRetriable(fmt.Errorf("step %q: Invoke of a nil function", id))
	}
	if opts.Timeout <= 0 {
		return zero, runtime.NonRetriable(fmt.Errorf("step %q: Invoke needs a positive Timeout (got %v)", id, opts.Timeout))
	}
	raw, err := e.Invoke(ctx, id, fn.ID(), opts.Data, opts.Timeout)
	if err != nil {
		return zero, err
	}
	return decode[T](id, raw)
}

// Parallel runs the branches at once and returns their results in order. Each
// branch may call any step functions; each of those steps is memoized on its
// own, so a branch that finished is not run again when the run resumes. The
// error is the first error of a branch, in branch order.
func Parallel[T any](ctx context.Context, branches ...func(ctx context.Context) (T, error)) ([]T, error) {
	e, err := exec(ctx)
	if err != nil {
		return nil, err
	}
	results := make([]T, len(branches))
	errs := make([]error, len(branches))
	err = e.Parallel(ctx, len(branches), func(ctx context.Context, i int) {
		results[i], errs[i] = branches[i](ctx)
	})
	if err != nil {
		return results, err
	}
	for _, err := range errs {
		if err != nil {
			return results, err
		}
	}
	return results, errors.Join()
}
