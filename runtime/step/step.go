// Package step holds the building blocks of durable functions: memoized
// steps, sleeps, waits for events, event sends, invocations, parallel
// branches, and the versions that gate changes to code under runs in flight.
//
// Every step has an ID, unique in intent within its function; calling a step
// with the same ID again (in a loop) is fine: each occurrence is numbered. A
// step's result is committed before the function's next step runs (the
// last one's with the end of the run, in one transaction), and a committed
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
// JSON. A failing fn is retried per the function's retry policy, or per the
// Retry option; once the attempts are spent, Run returns a
// *runtime.StepError. Options apply to this step alone:
//
//	charge, err := step.Run(ctx, "charge", chargeCard,
//		step.Retry(step.RetryPolicy{MaxAttempts: 5, InitialBackoff: time.Second}),
//		step.Timeout(10*time.Second))
//
// A retry executes this step again, and only it: the run resumes after the
// backoff by replaying the function body, in which the steps before this
// one return their recorded results without running.
func Run[T any](ctx context.Context, id string, fn func(ctx context.Context) (T, error), opts ...Option) (T, error) {
	var zero T
	e, err := exec(ctx)
	if err != nil {
		return zero, err
	}
	var so runctx.StepOptions
	for _, o := range opts {
		if o.apply != nil {
			o.apply(&so)
		}
	}
	if err := validate(id, so); err != nil {
		return zero, runtime.NonRetriable(err)
	}
	raw, err := e.Run(ctx, id, func(ctx context.Context) (any, error) { return fn(ctx) }, so)
	if err != nil {
		return zero, err
	}
	return decode[T](id, raw)
}

// Option is an option of one step.Run: Retry or Timeout.
type Option struct{ apply func(*runctx.StepOptions) }

// RetryPolicy says how often and how fast one step is retried. A zero field
// takes the function's policy (FunctionOpts.Retries).
type RetryPolicy struct {
	// MaxAttempts is how many times fn may run, the first attempt
	// included: 1 means no retry. 0 takes the function's (its Retries + 1).
	MaxAttempts int
	// InitialBackoff is the delay before the second attempt; 0 takes the
	// function's MinBackoff (capped by this policy's MaxBackoff).
	InitialBackoff time.Duration
	// MaxBackoff caps the delay between attempts; 0 takes the function's
	// MaxBackoff.
	MaxBackoff time.Duration
	// Multiplier grows the delay from one attempt to the next; 0 means 2,
	// and it must be at least 1. The delay before attempt n+1 is a random
	// duration in [d/2, d], d = min(InitialBackoff·Multiplier^(n-1), MaxBackoff).
	Multiplier float64
	// Retriable says whether an attempt's error may be retried; nil
	// retries every error. Errors made with runtime.NonRetriable are never
	// retried, whatever it says. A timed-out attempt's error wraps
	// context.DeadlineExceeded.
	Retriable func(err error) bool
}

// Retry sets the retry policy of this step.
func Retry(p RetryPolicy) Option {
	return Option{func(o *runctx.StepOptions) {
		o.MaxAttempts, o.InitialBackoff, o.MaxBackoff, o.Multiplier, o.Retriable = p.MaxAttempts, p.InitialBackoff, p.MaxBackoff, p.Multiplier, p.Retriable
	}}
}

// Timeout bounds each attempt of this step: fn's ctx has a deadline d after
// the attempt starts (wall-clock time, the time the work takes, also under a
// virtual clock in tests), and an attempt that has not returned by then
// failed, even if it returns a result later: fn should honour its ctx. A
// timed-out attempt is retried per the retry policy.
func Timeout(d time.Duration) Option {
	return Option{func(o *runctx.StepOptions) { o.Timeout = d }}
}

func validate(id string, o runctx.StepOptions) error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("step %q: "+format, append([]any{id}, args...)...))
	}
	if o.MaxAttempts < 0 {
		bad("RetryPolicy.MaxAttempts is %d; it must be 0 (the function's) or more", o.MaxAttempts)
	}
	if o.InitialBackoff < 0 || o.MaxBackoff < 0 || (o.MaxBackoff > 0 && o.InitialBackoff > o.MaxBackoff) {
		bad("RetryPolicy backoff [%v, %v] is not a valid range", o.InitialBackoff, o.MaxBackoff)
	}
	if o.Multiplier != 0 && !(o.Multiplier >= 1 && o.Multiplier <= 1e6) {
		bad("RetryPolicy.Multiplier is %v; it must be 0 (doubling) or between 1 and 1e6", o.Multiplier)
	}
	if o.Timeout < 0 {
		bad("Timeout is %v; it must be positive, or 0 for none", o.Timeout)
	}
	return errors.Join(errs...)
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
	// Lookback lets an event that arrived before the wait began count:
	// when the wait begins, the earliest event of the type received at
	// most Lookback earlier that satisfies If is taken at once, unless it
	// is one of the run's own triggering events or an earlier wait of the
	// run took it. It closes the race of an event sent just before the
	// wait (the reply to a request a step just made). 0 means only events
	// sent after the wait began count; at most MaxLookback. Events the
	// engine's retention deleted (Retention.Events) are not found, nor,
	// in a window holding more than 10,000 events of the type, those
	// after the 10,000 oldest (the scan is bounded).
	Lookback time.Duration
}

// MaxLookback bounds WaitOpts.Lookback, so that a wait never needs events
// older than a day and retention can delete them.
const MaxLookback = 24 * time.Hour

// WaitForEvent suspends the run until an event of type et arrives that
// satisfies opts.If, and returns it; after opts.Timeout it returns ErrTimeout.
// Only events sent after the wait began count, or up to opts.Lookback before.
func WaitForEvent[T any](ctx context.Context, id string, et runtime.EventType[T], opts WaitOpts) (runtime.TypedEvent[T], error) {
	var zero runtime.TypedEvent[T]
	e, err := exec(ctx)
	if err != nil {
		return zero, err
	}
	if opts.Timeout <= 0 {
		return zero, runtime.NonRetriable(fmt.Errorf("step %q: WaitForEvent needs a positive Timeout (got %v)", id, opts.Timeout))
	}
	if opts.Lookback < 0 || opts.Lookback > MaxLookback {
		return zero, runtime.NonRetriable(fmt.Errorf("step %q: WaitOpts.Lookback is %v; it must be between 0 and MaxLookback (%v)", id, opts.Lookback, MaxLookback))
	}
	raw, err := e.WaitForEvent(ctx, id, et.Name(), opts.If, opts.Timeout, opts.Lookback)
	if err != nil {
		return zero, err
	}
	return decode[runtime.TypedEvent[T]](id, raw)
}

// Version returns the version of the change changeID that this run
// follows, so that code changed under runs in flight can keep the path their
// journal recorded (Temporal's GetVersion, DBOS's patches). Wrap the changed
// steps in a branch on it:
//
//	v, err := step.Version(ctx, "charge-with-tax", 1)
//	if err != nil {
//		return nil, err
//	}
//	if v >= 1 {
//		// the new steps
//	} else {
//		// the steps as they were (runs recorded before the change)
//	}
//
// A run that reaches the call for the first time, past the end of its
// journal, records max as a step and gets max; later executions get the
// recorded value. A run whose journal was recorded before the call existed
// (it holds another step where the call now is) gets 0 and records
// nothing: it keeps the old path to its end. For a later change, raise max
// (2, 3...) and branch on each value still in flight. Once no run older
// than a change remains, remove its branch and its call: a recorded Version
// step that the code no longer reaches is skipped on replay. changeID is a
// step ID: unique in the function and constant. max must be at least 1; a
// run that recorded a value above max (the code was rolled back) fails with
// a *runtime.NonDeterminismError.
func Version(ctx context.Context, changeID string, max int) (int, error) {
	e, err := exec(ctx)
	if err != nil {
		return 0, err
	}
	if max < 1 {
		return 0, runtime.NonRetriable(fmt.Errorf("step %q: Version max is %d; it must be 1 or more (0 is the version of runs recorded before the change)", changeID, max))
	}
	return e.Version(ctx, changeID, max)
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
