// Package hooks lets the test harness (runtime/durabletest) stand in for
// parts of a run without a second engine: the hooks travel in the context
// given to Engine.Start, so production code has no way to set them by
// accident.
package hooks

import (
	"context"
	"encoding/json"
)

// Hooks are consulted by the engine while it executes steps.
type Hooks struct {
	// Step is called before the function of step.Run executes; when handled,
	// out and err replace what the function would have returned, and the
	// function does not run. attempt counts from 1.
	Step func(runID, stepID string, attempt int) (out any, err error, handled bool)
	// Invoke is called before step.Invoke starts a run; when handled, out
	// (or err) is the invoked function's result and no run starts.
	Invoke func(runID, stepID, functionID string, data any) (out any, err error, handled bool)
	// Sent is called with the envelopes of the events a step.SendEvent
	// committed.
	Sent func(runID, stepID string, envelopes []json.RawMessage)
}

type key struct{}

// With returns ctx carrying h.
func With(ctx context.Context, h *Hooks) context.Context { return context.WithValue(ctx, key{}, h) }

// From returns the hooks in ctx, or nil.
func From(ctx context.Context) *Hooks {
	h, _ := ctx.Value(key{}).(*Hooks)
	return h
}
