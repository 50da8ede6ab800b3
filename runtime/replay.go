package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/durable-go/durable/runtime/internal/journal"
	"github.com/durable-go/durable/runtime/store"
)

// errReplayEnd stops a replay that reached the end of a journal of a run
// still in progress.
var errReplayEnd = errors.New("replay reached the end of the journal")

// CheckReplay replays a run's handler against the run's journal, executing
// no step and committing nothing, and reports whether the code as it is now
// takes the path the journal recorded. Run it after a change to a function,
// on runs still sleeping or waiting, to learn before they resume whether
// they would fail with a non-determinism error. For an ended run it also
// checks that the replay reaches every recorded step and ends the same way.
func (e *Engine) CheckReplay(ctx context.Context, runID string) error {
	var r store.Run
	var steps []store.Step
	err := e.store.View(ctx, func(tx store.Tx) error {
		var err error
		if r, err = tx.GetRun(ctx, runID); err != nil {
			return err
		}
		steps, err = tx.ListSteps(ctx, runID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("runtime: run %s: %w", runID, ErrRunNotFound)
	}
	if err != nil {
		return err
	}
	f := e.fns[r.FunctionID]
	if f == nil {
		return fmt.Errorf("runtime: run %s: function %q is not registered with this engine", runID, r.FunctionID)
	}
	x := newExecution(e, f, r, steps)
	x.replay, x.reached = true, map[string]bool{}
	events, err := x.events()
	if err != nil {
		return fmt.Errorf("runtime: %w", err)
	}
	plain, err := e.events.openEvents(events)
	if err != nil {
		return fmt.Errorf("runtime: run %s: %w", runID, err)
	}
	// The handler runs in a goroutine of its own: a replay that reaches
	// the end of the journal ends it with runtime.Goexit.
	type ending struct {
		err              error
		panicked, exited bool
	}
	done := make(chan ending, 1)
	go x.callHandler(ctx, plain, func(_ any, err error, panicked, exited bool) { done <- ending{err, panicked, exited} })
	end := <-done
	herr, panicked, exited := end.err, end.panicked, end.exited
	switch {
	case x.fatal != nil:
		return fmt.Errorf("runtime: run %s: %w", runID, x.fatal)
	case exited:
		if x.lost != nil && !errors.Is(x.lost, errReplayEnd) {
			return fmt.Errorf("runtime: run %s: replay stopped: %w", runID, x.lost)
		}
		return nil
	case panicked:
		return fmt.Errorf("runtime: run %s: replay panicked: %w", runID, herr)
	}
	for _, s := range steps {
		// A Version step the code no longer calls is a removed change.
		if !x.reached[s.Key] && s.Kind != journal.KindVersion {
			return fmt.Errorf("runtime: run %s: %w", runID, &NonDeterminismError{Expected: describeRecorded(s), Actual: "the end of the function"})
		}
	}
	switch r.Status {
	case store.StatusCompleted:
		if herr != nil {
			return fmt.Errorf("runtime: run %s completed, but its replay returned an error: %w", runID, herr)
		}
	case store.StatusFailed:
		if herr == nil {
			return fmt.Errorf("runtime: run %s failed (%s), but its replay returned no error", runID, r.Error)
		}
	}
	return nil
}

// ReplayReport is the outcome of CheckReplayAll.
type ReplayReport struct {
	// Checked is how many runs were replayed.
	Checked int `json:"checked"`
	// Failures are the runs that would fail, oldest first.
	Failures []ReplayFailure `json:"failures"`
}

// ReplayFailure is a run that would fail if it resumed under the code of
// this process.
type ReplayFailure struct {
	RunID      string    `json:"run_id"`
	FunctionID string    `json:"function_id"`
	Status     RunStatus `json:"status"`
	// Error says why. For a run that would diverge from its journal,
	// Expected is the step its journal holds where the code now reaches
	// Actual (as in NonDeterminismError).
	Error    string `json:"error"`
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
}

// liveStatuses are those of the runs a deploy would resume.
var liveStatuses = []store.Status{store.StatusQueued, store.StatusRunning, store.StatusSleeping, store.StatusWaiting, store.StatusBlocked, store.StatusPaused}

// CheckReplayAll replays every run that is not over (queued, running,
// sleeping, waiting, blocked or paused: what the engine would resume) against the
// functions of this engine, as CheckReplay does, and reports those that
// would fail: the runs whose code now takes another path than their
// journal (naming the step the journal expected and the one reached), the
// runs of functions this engine does not have, and the runs whose replay
// panics. It executes no step and commits nothing, and needs no Start; run
// it with the new code before a deploy (durable check-replay, or
// durabletest.CheckReplay). The handlers' code outside steps runs, as on
// every replay. The error is for a store that cannot be read.
func (e *Engine) CheckReplayAll(ctx context.Context) (ReplayReport, error) {
	report := ReplayReport{Failures: []ReplayFailure{}}
	// One page of runs at a time (newest first), each replayed outside
	// the store's transactions.
	f := store.RunFilter{Statuses: liveStatuses, Limit: replayPage}
	for {
		var runs []store.Run
		err := e.store.View(ctx, func(tx store.Tx) error {
			var err error
			runs, err = tx.ListRuns(ctx, f)
			return err
		})
		if err != nil {
			return report, fmt.Errorf("runtime: listing runs to replay: %w", err)
		}
		for _, r := range runs {
			if err := ctx.Err(); err != nil {
				return report, err
			}
			err := e.CheckReplay(ctx, r.ID)
			if errors.Is(err, ErrRunNotFound) {
				continue // deleted meanwhile
			}
			report.Checked++
			if err == nil {
				continue
			}
			f := ReplayFailure{RunID: r.ID, FunctionID: r.FunctionID, Status: RunStatus(r.Status), Error: err.Error()}
			var nd *NonDeterminismError
			if errors.As(err, &nd) {
				f.Expected, f.Actual = nd.Expected, nd.Actual
			}
			report.Failures = append(report.Failures, f)
		}
		if len(runs) < f.Limit {
			break
		}
		last := runs[len(runs)-1]
		f.After = &store.RunPos{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	slices.Reverse(report.Failures) // oldest first
	return report, nil
}

// replayPage is how many runs CheckReplayAll reads at a time.
var replayPage = 500

// CheckReplayEnv names the environment variable that turns Engine.Start
// into a replay check, for `durable check-replay`, which builds the app and
// runs it with the variable set to a file path: Start then runs
// CheckReplayAll, writes the report to that file as JSON, and returns
// ErrReplayChecked without starting anything, so that the app exits.
const CheckReplayEnv = "DURABLE_CHECK_REPLAY"

// ErrReplayChecked is returned by Start when CheckReplayEnv asked for a
// replay check instead: the report is written, the engine did not start.
var ErrReplayChecked = errors.New("runtime: replay check done (" + CheckReplayEnv + " is set); the engine does not start")

// checkReplayForCLI runs the replay check Start was asked for (see
// CheckReplayEnv) and writes the report to path.
func (e *Engine) checkReplayForCLI(ctx context.Context, path string) error {
	report, err := e.CheckReplayAll(ctx)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		return err
	}
	// Written whole, then renamed: the CLI takes the file's appearance as
	// the end of the check.
	tmp := path + ".partial"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("runtime: writing the replay report (%s): %w", CheckReplayEnv, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("runtime: writing the replay report (%s): %w", CheckReplayEnv, err)
	}
	return ErrReplayChecked
}
