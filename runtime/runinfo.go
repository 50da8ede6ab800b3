package runtime

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/durable-go/durable/runtime/internal/quote"
	"github.com/durable-go/durable/runtime/store"
)

// RunStatus is the state of a run.
type RunStatus string

// Run states, as RunInfo.Status reports them.
const (
	RunQueued    RunStatus = "queued"
	RunRunning   RunStatus = "running"
	RunSleeping  RunStatus = "sleeping"
	RunWaiting   RunStatus = "waiting"
	RunCompleted RunStatus = "completed"
	RunFailed    RunStatus = "failed"
	RunCancelled RunStatus = "cancelled"
	// RunBlocked: due, but over a concurrency limit.
	RunBlocked RunStatus = "blocked"
	// RunSkipped: flow control did not start it, or a Resume skipped it;
	// Error says why.
	RunSkipped RunStatus = "skipped"
	// RunPaused: due, but held by a pause of its function (Pause).
	RunPaused RunStatus = "paused"
)

// Terminal reports whether a run in this state has ended.
func (s RunStatus) Terminal() bool { return store.Status(s).Terminal() }

// storeStatuses converts statuses to the store's, whose values are the
// same strings.
func storeStatuses(ss []RunStatus) []store.Status {
	if ss == nil {
		return nil
	}
	out := make([]store.Status, len(ss))
	for i, s := range ss {
		out[i] = store.Status(s)
	}
	return out
}

// runStatuses lists every run status.
var runStatuses = []RunStatus{RunQueued, RunRunning, RunSleeping, RunWaiting, RunBlocked, RunPaused, RunCompleted, RunFailed, RunCancelled, RunSkipped}

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

// StepStatus is the state of a step.
type StepStatus string

// Step states, as StepInfo.Status reports them.
const (
	StepCompleted StepStatus = "completed"
	StepFailed    StepStatus = "failed"
	// StepRetrying: an attempt failed and another is due at WakeAt.
	StepRetrying StepStatus = "retrying"
	// StepSleeping: a sleep until WakeAt.
	StepSleeping StepStatus = "sleeping"
	// StepWaiting: a wait for an event or an invoked run, until WakeAt.
	StepWaiting StepStatus = "waiting"
	// StepStarted: an attempt began and its outcome is not recorded yet
	// (an attempt of a parallel branch's step that a crash cut short
	// stays so until the step runs again).
	StepStarted StepStatus = "started"
)

// StepInfo describes one step of a run.
type StepInfo struct {
	ID string
	// Key identifies the step within the run (scope, ID and occurrence).
	Key    string
	Kind   string
	Status StepStatus
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
		invoked, err := tx.ListRuns(ctx, store.RunFilter{ParentRunID: runID})
		for i := len(invoked) - 1; i >= 0; i-- {
			info.Invoked = append(info.Invoked, invoked[i].ID)
		}
		return err
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

// Runs lists a page of runs, newest first (by creation, then ID), without
// their steps. Following Next until it is "" lists every run the filter
// selects once, even while runs are created (newer runs are not listed:
// a listing starts from the newest run when it begins). With If, a page
// may hold fewer than Limit runs, none even, and still have a Next: a
// page reads at most maxRunsScanned runs.
func (e *Engine) Runs(ctx context.Context, f RunFilter) (RunPage, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	for _, st := range f.Statuses {
		if !slices.Contains(runStatuses, st) {
			return RunPage{}, fmt.Errorf("runtime: runs: RunFilter.Statuses: unknown status %q (one of %v)", st, runStatuses)
		}
	}
	cond, err := compileRunIf("RunFilter.If", f.If)
	if err != nil {
		return RunPage{}, fmt.Errorf("runtime: runs: %w", err)
	}
	sf := store.RunFilter{FunctionID: f.FunctionID, Statuses: storeStatuses(f.Statuses), EventID: f.EventID}
	sf.CreatedFrom, sf.CreatedBefore = storedRange(f.Since, f.Until)
	if f.Cursor != "" {
		pos, err := decodeCursor(f.Cursor)
		if err != nil {
			return RunPage{}, fmt.Errorf("runtime: runs: RunFilter.Cursor: %w", err)
		}
		sf.After = &pos
	}
	var page RunPage
	err = e.store.View(ctx, func(tx store.Tx) error {
		page = RunPage{}
		scanned := 0
		// One run more than the page tells whether there is a next page.
		sf.Limit = f.Limit + 1
		if cond != nil {
			sf.Limit = max(sf.Limit, 100)
		}
		after := sf.After
		for {
			f2 := sf
			f2.After = after
			runs, err := tx.ListRuns(ctx, f2)
			if err != nil {
				return err
			}
			for _, r := range runs {
				ok, err := e.runMatches(cond, r)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				if len(page.Runs) == f.Limit {
					// A run beyond the page: the next page starts after
					// the page's last run.
					last := page.Runs[len(page.Runs)-1]
					page.Next = encodeCursor(store.RunPos{CreatedAt: last.CreatedAt, ID: last.ID})
					return nil
				}
				page.Runs = append(page.Runs, runInfo(r, nil))
			}
			scanned += len(runs)
			if len(runs) < f2.Limit {
				return nil // the end
			}
			last := runs[len(runs)-1]
			after = &store.RunPos{CreatedAt: last.CreatedAt, ID: last.ID}
			if scanned >= maxRunsScanned {
				page.Next = encodeCursor(*after)
				return nil
			}
		}
	})
	return page, err
}

// maxRunsScanned bounds the runs one page of a filter with If reads.
const maxRunsScanned = 10000

// A cursor is a run's position, opaque to callers.
func encodeCursor(p store.RunPos) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(p.CreatedAt.UnixNano(), 10) + "/" + p.ID))
}

func decodeCursor(c string) (store.RunPos, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return store.RunPos{}, fmt.Errorf("%q is not a cursor from RunPage.Next", quote.Excerpt(c, 0))
	}
	ns, id, ok := strings.Cut(string(b), "/")
	n, err := strconv.ParseInt(ns, 10, 64)
	if !ok || err != nil || id == "" {
		return store.RunPos{}, fmt.Errorf("%q is not a cursor from RunPage.Next", quote.Excerpt(c, 0))
	}
	return store.RunPos{CreatedAt: time.Unix(0, n), ID: id}, nil
}

func runInfo(r store.Run, steps []store.Step) RunInfo {
	info := RunInfo{
		ID: r.ID, FunctionID: r.FunctionID, Status: RunStatus(r.Status), Attempt: r.Attempt,
		Output: r.Output, Error: r.Error, CreatedAt: r.CreatedAt, StartedAt: r.StartedAt, EndedAt: r.EndedAt,
		ParentRunID: r.ParentRunID, RerunOf: r.RerunOf, RerunFromStep: r.RerunFromStep, RerunBy: r.RerunBy,
	}
	_ = json.Unmarshal(r.Events, &info.Events)
	for _, s := range steps {
		info.Steps = append(info.Steps, StepInfo{
			ID: s.ID, Key: s.Key, Kind: s.Kind, Status: StepStatus(s.Status), Output: s.Output, Error: s.Error,
			Attempts: s.Attempts, StartedAt: s.StartedAt, UpdatedAt: s.UpdatedAt, WakeAt: s.WakeAt,
		})
	}
	return info
}

// Times the stores can keep: nanoseconds since 1970 in an int64.
var (
	minStoredTime = time.Unix(0, math.MinInt64)
	maxStoredTime = time.Unix(0, math.MaxInt64)
)

// storedRange bounds a filter's [since, until) to the times the stores
// keep, so that a bound beyond them (a year 3000 "until") still means
// what it says instead of overflowing: a bound that excludes nothing
// becomes no bound, one that excludes everything the extreme time.
func storedRange(since, until time.Time) (time.Time, time.Time) {
	if !since.IsZero() {
		if since.Before(minStoredTime) {
			since = time.Time{}
		} else if since.After(maxStoredTime) {
			since = maxStoredTime
		}
	}
	if !until.IsZero() {
		if until.After(maxStoredTime) {
			until = time.Time{}
		} else if until.Before(minStoredTime) {
			until = minStoredTime
		}
	}
	return since, until
}
