package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/durable-go/durable/runtime/httpapi"
	"github.com/durable-go/durable/runtime/internal/seal"
	"github.com/durable-go/durable/runtime/store"
)

// Manager is what the HTTP API and the UI need of the engine: its
// description (functions, event types, run statuses), its store to read
// events from, and the operations they perform on the user's behalf
// (send events; list, cancel and rerun runs; pause and resume functions).
// Package runtime implements it over an Engine.
//
// Errors of the operations wrap ErrNotFound, ErrNotFinished or
// ErrUnknownStep when they are one of those; their messages are the
// engine's.
type Manager interface {
	// Running reports whether the engine is started and not stopping.
	Running() bool
	// Store is the engine's store, read for events, waits and steps and
	// by the readiness check.
	Store() store.Store
	// Now is the engine's clock.
	Now() time.Time
	// Log is the engine's logger.
	Log() *slog.Logger

	// Functions lists the engine's functions, sorted by ID. They, the
	// event types and the run statuses are fixed once runtime.New
	// returns: NewAPI and NewUI read them once.
	Functions() []Function
	// EventTypes maps the names of the catalogued event types to what
	// the UI needs of them.
	EventTypes() map[string]EventType
	// RunStatuses lists every run status, in the order to show them.
	RunStatuses() []string

	// Ingest checks events against the engine's limits and their types'
	// schemas and, when all pass, stores them, starting the runs they
	// trigger; it returns their IDs. When any fails, it stores nothing
	// and returns every problem: those of one event have its Index and a
	// Pointer within the event ("" for the event itself, "/data/..."),
	// the others only a Message.
	Ingest(ctx context.Context, events []httpapi.IngestEvent) (ids []string, problems []httpapi.Problem, err error)
	// Send stores one event, as Engine.Send does, and returns its ID. An
	// event that does not match its type's schema fails with a
	// *SchemaError.
	Send(ctx context.Context, name, id string, data any) (string, error)

	// Paused maps the IDs of paused functions to when their pause began.
	Paused(ctx context.Context) (map[string]time.Time, error)
	// Pause pauses a function; Resume resumes it, starting the runs held
	// meanwhile (or skipping them), and returns how many were held.
	Pause(ctx context.Context, functionID string) error
	Resume(ctx context.Context, functionID string, skipHeld bool) (held int, err error)

	// Run returns a run with its steps and lineage; Runs a page of runs,
	// newest first, and the cursor of the next page ("" after the last).
	Run(ctx context.Context, id string) (httpapi.Run, error)
	Runs(ctx context.Context, f RunFilter) (runs []httpapi.Run, next string, err error)
	// Cancel cancels a run; Rerun starts a new run of a finished one,
	// from the start or from the step whose ID or key is fromStep, and
	// returns the new run's ID.
	Cancel(ctx context.Context, id string) error
	Rerun(ctx context.Context, id, fromStep string) (string, error)
	// CancelRuns and RerunRuns do so to every run f selects (by
	// FunctionID, Statuses, Since, Until and If) and return how many.
	CancelRuns(ctx context.Context, f RunFilter) (int, error)
	RerunRuns(ctx context.Context, f RunFilter) (int, error)
	// CheckRunIf compiles a RunFilter's If as Runs does, to refuse a
	// wrong one before anything is done; the error starts "if: ".
	CheckRunIf(src string) error

	// MatchWaits judges waits for ev's name against ev, as the engine
	// does when ev arrives: whether each wait's If holds. It fails when
	// ev's stored envelope cannot be read.
	MatchWaits(ev store.Event, waits []store.Wait) ([]WaitMatch, error)
	// Skips says why flow control kept events from starting runs, from
	// the latest durable/function.skipped events (at most limit).
	Skips(ctx context.Context, limit int) ([]Skip, error)
}

// Function describes a function of the engine.
type Function struct {
	ID, Name string
	Triggers []httpapi.Trigger
	// Flow describes its flow control and retries, one line each.
	Flow []string
	// Collects: its runs may hold several events (BatchEvents, Debounce),
	// so that an event may be in a run listed under another event.
	Collects bool
	// CancelOn are the events of its Cancel options.
	CancelOn []string
}

// Skip is an event that flow control kept from starting a run of a
// function.
type Skip struct {
	// Event is the envelope of the event.
	Event      json.RawMessage
	FunctionID string
	// Why is the reason in words (or its code when it has none).
	Why string
}

// EventType is what the UI needs of a catalogued event type.
type EventType struct {
	// Schema is its JSON Schema; nil when it has none.
	Schema json.RawMessage
	// Sensitive finds the sensitive values of its data; nil when the
	// schema marks none.
	Sensitive *seal.Sensitivity
}

// RunFilter selects runs; zero fields do not restrict.
type RunFilter struct {
	FunctionID string
	Statuses   []string
	// Since <= CreatedAt < Until.
	Since, Until time.Time
	// EventID selects the runs whose first event has this ID.
	EventID string
	// If is a CEL expression over `event`, the run's first event.
	If string
	// Limit and Cursor page a listing.
	Limit  int
	Cursor string
}

// WaitMatch is a wait judged against an event: whether its If holds, or
// why it could not be judged.
type WaitMatch struct {
	Matches bool
	// EvalErr is the error of its If on the event (the event does not
	// resolve the wait); Err a stored wait that cannot be read.
	EvalErr, Err error
}

// Kinds of the errors of Manager's operations.
var (
	// ErrNotFound: no run or function has the ID.
	ErrNotFound = errors.New("not found")
	// ErrNotFinished: a rerun of a run that has not ended.
	ErrNotFinished = errors.New("run not finished")
	// ErrUnknownStep: a rerun from a step the run does not have.
	ErrUnknownStep = errors.New("unknown step")
)

// SchemaError is an event that does not match its type's schema:
// Violations point into the event's envelope.
type SchemaError struct {
	Err        error
	Violations []Violation
}

func (e *SchemaError) Error() string { return e.Err.Error() }
func (e *SchemaError) Unwrap() error { return e.Err }

// Violation is one way an event does not match its schema.
type Violation struct {
	Pointer, Reason string
}

// getEvent reads one event from the engine's store.
func getEvent(ctx context.Context, m Manager, id string) (ev store.Event, err error) {
	err = m.Store().View(ctx, func(tx store.Tx) error {
		ev, err = tx.GetEvent(ctx, id)
		return err
	})
	return ev, err
}
