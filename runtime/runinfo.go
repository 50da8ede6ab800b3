package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// RunStatus is the state of a run.
type RunStatus = store.Status

// Run states, as RunInfo.Status reports them.
const (
	RunQueued    = store.StatusQueued
	RunRunning   = store.StatusRunning
	RunSleeping  = store.StatusSleeping
	RunWaiting   = store.StatusWaiting
	RunCompleted = store.StatusCompleted
	RunFailed    = store.StatusFailed
	RunCancelled = store.StatusCancelled
	// RunBlocked: due, but over a concurrency limit.
	RunBlocked = store.StatusBlocked
	// RunSkipped: flow control did not start it, or a Resume skipped it;
	// Error says why.
	RunSkipped = store.StatusSkipped
	// RunPaused: due, but held by a pause of its function (Pause).
	RunPaused = store.StatusPaused
)

// RunInfo describes a run and its journal.
type RunInfo struct {
	ID         string
	FunctionID string
	Status     RunStatus
	// Events holds the envelopes of the run's events.
	Events []json.RawMessage
	// Attempt counts retries of the function body.
	Attempt   int
	Output    json.RawMessage
	Error     string
	CreatedAt time.Time
	StartedAt time.Time
	EndedAt   time.Time
	// ParentRunID is the run that invoked this one, if any.
	ParentRunID string
	// Invoked lists the runs this one started with step.Invoke, oldest
	// first (Run fills it; Runs does not).
	Invoked []string
	// RerunOf is the run this one reruns (Rerun), RerunFromStep the key
	// of the step it reran from ("" for the whole function).
	RerunOf       string
	RerunFromStep string
	// RerunBy is the latest rerun of this run.
	RerunBy string
	Steps   []StepInfo
}

// StepInfo describes one step of a run.
type StepInfo struct {
	ID string
	// Key identifies the step within the run (scope, ID and occurrence).
	Key    string
	Kind   string
	Status store.StepStatus
	Output json.RawMessage
	Error  string
	// Attempts is how many times the step's function ran, counting the
	// attempts a crash or a failed commit cut short (status "started": an
	// attempt of a parallel branch's step whose outcome is not recorded).
	Attempts  int
	StartedAt time.Time
	UpdatedAt time.Time
	// WakeAt is when a sleep ends, a wait times out or a retry is due.
	WakeAt time.Time
}

// Run returns a run with its steps, in the order they were first reached.
func (e *Engine) Run(ctx context.Context, runID string) (RunInfo, error) {
	var info RunInfo
	err := e.store.View(ctx, func(tx store.Tx) error {
		r, err := tx.GetRun(ctx, runID)
		if err != nil {
			return err
		}
		steps, err := tx.ListSteps(ctx, runID)
		if err != nil {
			return err
		}
		info = runInfo(r, steps)
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return info, fmt.Errorf("runtime: run %s: %w", runID, ErrRunNotFound)
	}
	return info, err
}

// RunFilter selects runs for Runs. Empty fields do not restrict.
type RunFilter struct {
	FunctionID string
	Statuses   []RunStatus
	// Since <= CreatedAt < Until; zero times do not bound.
	Since time.Time
	Until time.Time
	// EventID selects the runs whose first event has this ID.
	EventID string
	// If is a CEL expression over `event`, the run's first event as
	// stored (fields encrypted at rest are seen encrypted).
	If string
	// Limit caps the number of runs of a page; 0 means 100.
	Limit int
	// Cursor continues a listing: RunPage.Next of the previous page.
	Cursor string
}

// RunPage is a page of runs, newest first, and the cursor of the next
// page ("" after the last).
type RunPage struct {
	Runs []RunInfo
	Next string
}

// Runs lists runs, newest first, without their steps.
func (e *Engine) Runs(ctx context.Context, f RunFilter) (RunPage, error) {
	if f.Since != (time.Time{}) || f.Until != (time.Time{}) || f.EventID != "" || f.If != "" || f.Cursor != "" {
		return RunPage{}, errOpsPending
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	var out []RunInfo
	err := e.store.View(ctx, func(tx store.Tx) error {
		runs, err := tx.ListRuns(ctx, store.RunFilter{FunctionID: f.FunctionID, Statuses: f.Statuses, Limit: f.Limit})
		for _, r := range runs {
			out = append(out, runInfo(r, nil))
		}
		return err
	})
	return RunPage{Runs: out}, err
}

func runInfo(r store.Run, steps []store.Step) RunInfo {
	info := RunInfo{
		ID: r.ID, FunctionID: r.FunctionID, Status: r.Status, Attempt: r.Attempt,
		Output: r.Output, Error: r.Error, CreatedAt: r.CreatedAt, StartedAt: r.StartedAt, EndedAt: r.EndedAt,
		ParentRunID: r.ParentRunID,
	}
	_ = json.Unmarshal(r.Events, &info.Events)
	for _, s := range steps {
		info.Steps = append(info.Steps, StepInfo{
			ID: s.ID, Key: s.Key, Kind: s.Kind, Status: s.Status, Output: s.Output, Error: s.Error,
			Attempts: s.Attempts, StartedAt: s.StartedAt, UpdatedAt: s.UpdatedAt, WakeAt: s.WakeAt,
		})
	}
	return info
}
