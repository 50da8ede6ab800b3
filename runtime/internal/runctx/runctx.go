// Package runctx is the seam between the step package and the engine: the
// engine puts an Exec in the context of every handler it runs, and the step
// functions call it.
package runctx

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Exec executes the steps of one run.
type Exec interface {
	// Run executes fn as the step id, or returns its memoized result. The
	// result is returned as JSON so that first runs and replays decode alike.
	Run(ctx context.Context, id string, fn func(ctx context.Context) (any, error), opts StepOptions) (json.RawMessage, error)
	// Sleep suspends the run until the given time, or for d from the first
	// time the step is reached when until is zero.
	Sleep(ctx context.Context, id string, d time.Duration, until time.Time) error
	// WaitForEvent suspends the run until an event named name for which ifExpr
	// holds arrives, or timeout passes (ErrTimeout). It returns the envelope.
	// An event received up to lookback before the wait began matches too.
	WaitForEvent(ctx context.Context, id, name, ifExpr string, timeout, lookback time.Duration) (json.RawMessage, error)
	// SendEvents sends events exactly once and returns their IDs.
	SendEvents(ctx context.Context, id string, events []OutEvent) ([]string, error)
	// Invoke runs the function functionID with data as its event data and
	// returns its output, or ErrTimeout.
	Invoke(ctx context.Context, id, functionID string, data any, timeout time.Duration) (json.RawMessage, error)
	// Version returns the version of the change id this run takes: the
	// one recorded, max when reached for the first time, 0 when the run's
	// journal was recorded before the call existed.
	Version(ctx context.Context, id string, max int) (int, error)
	// Parallel runs n branches at once, each with its own step namespace.
	Parallel(ctx context.Context, n int, branch func(ctx context.Context, i int)) error
}

// StepOptions are the options of one step.Run, validated by the step
// package. A zero field takes the function's policy.
type StepOptions struct {
	// MaxAttempts counts the first attempt.
	MaxAttempts                int
	InitialBackoff, MaxBackoff time.Duration
	Multiplier                 float64
	// Retriable, if set, says whether an attempt's error may be retried.
	Retriable func(error) bool
	// Timeout bounds each attempt.
	Timeout time.Duration
}

// OutEvent is an event sent from a step.
type OutEvent struct {
	Name string
	Data any
	ID   string
	TS   int64
	V    string
}

// ErrTimeout is returned by waits and invokes whose timeout passed.
var ErrTimeout = errors.New("timed out")

// ErrNotInFunction is returned by step functions called outside a durable function.
var ErrNotInFunction = errors.New("step called outside a durable function run (its ctx must be the one the handler received, or derived from it)")

type key struct{}

// With returns ctx carrying e.
func With(ctx context.Context, e Exec) context.Context { return context.WithValue(ctx, key{}, e) }

// From returns the Exec in ctx, or nil.
func From(ctx context.Context) Exec {
	e, _ := ctx.Value(key{}).(Exec)
	return e
}
