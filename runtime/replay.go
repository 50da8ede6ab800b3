package runtime

import (
	"context"
	"errors"
	"fmt"

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
	_, herr, panicked, exited := x.callHandler(ctx, plain)
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
		if !x.reached[s.Key] {
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
