package runtime

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/durable-go/durable/runtime/store"
)

// FunctionSkippedEvent is sent once for every triggering event that flow
// control kept from starting a run, with FunctionSkippedData as its data:
// a function triggered by it sees every skip, as one triggered by
// FunctionFailedEvent sees every failure. A run triggered by this event
// that is itself skipped sends none (no loop).
const FunctionSkippedEvent = "durable/function.skipped"

// Why flow control skipped an event (FunctionSkippedData.Reason).
const (
	// SkipIdempotency: the event's idempotency key was used by a run
	// within IdempotencyPeriod.
	SkipIdempotency = "idempotency"
	// SkipRateLimit: the function's RateLimit for the key was reached.
	SkipRateLimit = "rate_limit"
	// SkipSingleton: a run of the Singleton key (mode skip) is in progress.
	SkipSingleton = "singleton"
	// SkipDebounce: a later event of the Debounce key replaced the event
	// in the pending run, which will receive only the later one.
	SkipDebounce = "debounce"
	// SkipPaused: the event arrived while its function was paused, and
	// Resume skipped the runs held (ResumeOpts.SkipHeld).
	SkipPaused = "paused"
)

// FunctionSkippedData is the data of FunctionSkippedEvent.
type FunctionSkippedData struct {
	FunctionID string `json:"function_id"`
	// RunID is the run recorded as skipped (status skipped), or, for
	// SkipDebounce, the pending run that goes on with the later event.
	RunID string `json:"run_id"`
	// Event is the envelope of the event that started no run.
	Event json.RawMessage `json:"event"`
	// Reason is one of the Skip constants; Message says it in words, with
	// the key and the limit.
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// FunctionSkipped describes the system event sent when flow control skips
// an event.
var FunctionSkipped = NewEventType[FunctionSkippedData](FunctionSkippedEvent, "", nil)

// announceSkip dispatches, in tx, the FunctionSkippedEvent of run r of
// which flow control kept event (an envelope) from starting. Its ID is
// derived from the run and the event, so that a callback run again sends it
// once.
func (e *Engine) announceSkip(ctx context.Context, tx store.Tx, r store.Run, event json.RawMessage, reason, message string) error {
	if triggeredBy(r, FunctionSkippedEvent) {
		return nil
	}
	var id struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(event, &id) // stored by the engine: an envelope
	envs, err := e.envelopes([]Event{{
		Name: FunctionSkippedEvent,
		Data: FunctionSkippedData{FunctionID: r.FunctionID, RunID: r.ID, Event: event, Reason: reason, Message: message},
	}}, func(int) string { return derivedID("skipped", r.ID, id.ID, 0) })
	if err != nil {
		return err
	}
	// The announcement continues the trace of the event skipped.
	stampTrace(contextWithTraceparent(context.Background(), event), envs)
	_, err = e.dispatch(ctx, tx, envs[0], nil)
	return err
}

// announceSuperseded announces the event a debounced run no longer
// carries: run cur's events before a later event replaced them.
func (e *Engine) announceSuperseded(ctx context.Context, tx store.Tx, cur store.Run, laterEvents json.RawMessage) error {
	var old, later []json.RawMessage
	if err := json.Unmarshal(cur.Events, &old); err != nil || len(old) == 0 {
		return nil
	}
	_ = json.Unmarshal(laterEvents, &later)
	var laterID struct {
		ID string `json:"id"`
	}
	if len(later) > 0 {
		_ = json.Unmarshal(later[0], &laterID)
	}
	return e.announceSkip(ctx, tx, cur, old[0], SkipDebounce,
		fmt.Sprintf("skipped: superseded by event %s (Debounce); run %s receives that one", laterID.ID, cur.ID))
}

// firstEvent returns the envelope of run r's first event.
func firstEvent(r store.Run) json.RawMessage {
	var events []json.RawMessage
	if json.Unmarshal(r.Events, &events) != nil || len(events) == 0 {
		return nil
	}
	return events[0]
}
