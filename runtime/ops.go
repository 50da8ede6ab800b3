package runtime

import (
	"context"
	"errors"
	"time"
)

// Operations on runs and functions for the people running an engine:
// rerun, bulk cancel and rerun, pause and resume. Each works on the store,
// so any process sharing it sees the result.

// ErrRunNotFinished is returned by Rerun for a run that is not over:
// only a completed, failed, cancelled or skipped run can be rerun.
var ErrRunNotFinished = errors.New("run is not finished")

// ErrStepNotFound is returned by Rerun for a FromStep the run did not record.
var ErrStepNotFound = errors.New("step not found")

// ErrFunctionNotFound is returned for a function ID this engine does not have.
var ErrFunctionNotFound = errors.New("function not found")

// errOpsPending marks the operations whose implementation lands next.
var errOpsPending = errors.New("runtime: operation not available in this build yet")

// RerunOpts configures Rerun.
type RerunOpts struct {
	// FromStep, when set, names the step (its ID, or its Key as RunInfo
	// shows it for a later occurrence) to rerun from: the steps recorded
	// before it keep their recorded results in the new run; it and the
	// steps after it run again. Empty reruns the whole function.
	FromStep string
}

// BulkFilter selects runs for CancelRuns and RerunRuns. At least one
// field must be set.
type BulkFilter struct {
	FunctionID string
	Statuses   []RunStatus
	// Since <= CreatedAt < Until; zero times do not bound.
	Since time.Time
	Until time.Time
	// If is a CEL expression over `event`, the run's first event as
	// stored (fields encrypted at rest are seen encrypted).
	If string
}

// ResumeOpts configures Resume.
type ResumeOpts struct {
	// SkipHeld skips the runs of events that arrived during the pause
	// (status skipped, with the reason as their error) instead of
	// starting them.
	SkipHeld bool
}

// PausedFunction is a paused function and when its pause began.
type PausedFunction struct {
	FunctionID string
	Since      time.Time
}

// Rerun starts a new run of a finished run's function with the same
// events and returns its ID; the new run's RerunOf names the old one.
func (e *Engine) Rerun(ctx context.Context, runID string, opts RerunOpts) (string, error) {
	return "", errOpsPending
}

// CancelRuns cancels the runs that f selects and that are not over, and
// returns how many it cancelled.
func (e *Engine) CancelRuns(ctx context.Context, f BulkFilter) (int, error) {
	return 0, errOpsPending
}

// RerunRuns reruns the finished runs that f selects and that were not
// rerun yet, and returns how many it reran.
func (e *Engine) RerunRuns(ctx context.Context, f BulkFilter) (int, error) {
	return 0, errOpsPending
}

// Pause pauses a function: it starts no run until Resume.
func (e *Engine) Pause(ctx context.Context, functionID string) error {
	return errOpsPending
}

// Resume ends a function's pause and returns how many held runs it
// started or skipped.
func (e *Engine) Resume(ctx context.Context, functionID string, opts ResumeOpts) (int, error) {
	return 0, errOpsPending
}

// Paused lists the paused functions.
func (e *Engine) Paused(ctx context.Context) ([]PausedFunction, error) {
	return nil, errOpsPending
}
