package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/durable-go/durable/runtime/internal/expr"
	"github.com/durable-go/durable/runtime/store"
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
	// starting them; runs of events from before the pause start anyway.
	SkipHeld bool
}

// PausedFunction is a paused function and when its pause began.
type PausedFunction struct {
	FunctionID string
	Since      time.Time
}

// Rerun starts a new run of a finished run's function with the same
// events, and returns its ID. The new run's RerunOf names the old run,
// whose RerunBy names its latest rerun. Only a finished run (completed,
// failed, cancelled or skipped) can be rerun, as in Inngest: a run in
// progress still has its own future, and Cancel ends it first if need be.
//
// With opts.FromStep, the steps the old run recorded before that step, in
// the order they were first reached (its journal), are copied with their
// results into the new run, which returns them without executing them;
// the step and those after it execute again. Each copied step must have
// finished (completed, or failed and handled by the function); a step left
// sleeping, waiting or retrying by a cancellation cannot be kept.
//
// The new run is subject to the function's concurrency limits and cancel
// events, and to a pause of the function; the other flow control
// (idempotency, rate limit, debounce, batching, singleton) decided on the
// events when they arrived and is not applied again. A run started by
// step.Invoke is rerun on its own: its rerun completes no parent's step.
func (e *Engine) Rerun(ctx context.Context, runID string, opts RerunOpts) (string, error) {
	var newID string
	err := e.store.Update(ctx, func(tx store.Tx) error {
		var err error
		newID, err = e.rerun(ctx, tx, runID, opts.FromStep, false)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("runtime: rerun %s: %w", runID, err)
	}
	e.signal()
	return newID, nil
}

// errRerunAlready: a bulk rerun found the run rerun by someone else.
var errRerunAlready = errors.New("run was rerun already")

// rerun creates the rerun of run runID in tx and returns its ID. once
// records the rerun only if the run has none yet (errRerunAlready
// otherwise), atomically with any concurrent rerun.
func (e *Engine) rerun(ctx context.Context, tx store.Tx, runID, fromStep string, once bool) (string, error) {
	old, err := tx.GetRun(ctx, runID)
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrRunNotFound
	}
	if err != nil {
		return "", err
	}
	if !old.Status.Terminal() {
		return "", fmt.Errorf("%w: it is %s (cancel it first to rerun it)", ErrRunNotFinished, old.Status)
	}
	f := e.fns[old.FunctionID]
	if f == nil {
		return "", fmt.Errorf("%w: function %q of the run is not registered with this engine", ErrFunctionNotFound, old.FunctionID)
	}
	var kept []store.Step
	fromKey := ""
	if fromStep != "" {
		steps, err := tx.ListSteps(ctx, runID)
		if err != nil {
			return "", err
		}
		at := slices.IndexFunc(steps, func(s store.Step) bool { return s.Key == fromStep })
		if at < 0 {
			at = slices.IndexFunc(steps, func(s store.Step) bool { return s.ID == fromStep })
		}
		if at < 0 {
			return "", fmt.Errorf("%w: RerunOpts.FromStep %q is none of the run's steps (%s)", ErrStepNotFound, fromStep, stepIDs(steps))
		}
		kept, fromKey = steps[:at], steps[at].Key
		for _, s := range kept {
			if s.Status != store.StepCompleted && s.Status != store.StepFailed {
				return "", fmt.Errorf("RerunOpts.FromStep %q: step %q before it is %s, not finished: rerun from it or an earlier step", fromStep, s.ID, s.Status)
			}
		}
	}
	var events []json.RawMessage
	if err := json.Unmarshal(old.Events, &events); err != nil || len(events) == 0 {
		return "", fmt.Errorf("run %s: events are not a JSON array of envelopes", runID)
	}
	vars, err := expr.DecodeEnvelope(events[0])
	if err != nil {
		return "", fmt.Errorf("run %s: first event: %w", runID, err)
	}
	limits, err := e.limits(f, map[string]any{"event": vars})
	if err != nil {
		return "", err
	}

	now := e.clock.Now()
	r := e.newRun(f, string(old.Events), now)
	r.Limits, r.RerunOf, r.RerunFromStep = limits, old.ID, fromKey
	ok, err := tx.UpdateRun(ctx, old.ID, store.RunCond{NotRerun: once}, store.RunUpdate{RerunBy: &r.ID})
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errRerunAlready
	}
	if err := tx.InsertRun(ctx, r); err != nil {
		return "", err
	}
	for _, s := range kept {
		s.RunID = r.ID
		if err := tx.PutStep(ctx, s); err != nil {
			return "", err
		}
	}
	if err := e.watchCancels(ctx, tx, f, r.ID, events[0], now); err != nil {
		return "", err
	}
	return r.ID, nil
}

// stepIDs lists the distinct IDs of steps, for an error message.
func stepIDs(steps []store.Step) string {
	var ids []string
	for _, s := range steps {
		if q := fmt.Sprintf("%q", s.ID); !slices.Contains(ids, q) {
			ids = append(ids, q)
		}
	}
	if len(ids) == 0 {
		return "it recorded none"
	}
	const shown = 20
	if len(ids) > shown {
		ids = append(ids[:shown], fmt.Sprintf("and %d more", len(ids)-shown))
	}
	return "it has " + strings.Join(ids, ", ")
}

// bulkPage is how many runs a bulk operation reads and changes per
// transaction.
const bulkPage = 100

// CancelRuns cancels the runs that f selects and that are not over, as
// Cancel does, and returns how many it cancelled. It is idempotent: the
// runs it cancelled are over, and a second call finds none of them.
// f.Statuses, if set, may name only statuses of runs not over.
func (e *Engine) CancelRuns(ctx context.Context, f BulkFilter) (int, error) {
	// bulk resets and reports the collector of each page's transaction.
	ctx, _ = withTxEffects(ctx)
	n, err := e.bulk(ctx, f, "CancelRuns", false, func(tx store.Tx, r store.Run) (bool, error) {
		cur, err := tx.GetRun(ctx, r.ID)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		if err != nil || cur.Status.Terminal() {
			return false, err
		}
		return true, e.finishRun(ctx, tx, cur, store.StatusCancelled, nil, "cancelled by a bulk cancel (CancelRuns)", false, true)
	})
	if err != nil {
		return n, fmt.Errorf("runtime: CancelRuns: %w", err)
	}
	return n, nil
}

// RerunRuns reruns, as Rerun does from the start, the finished runs that
// f selects, and returns how many it reran. A run is rerun at most once by
// RerunRuns: one that has a rerun already (RerunBy, by Rerun or an
// earlier RerunRuns) is left alone, so repeating a bulk rerun reruns
// nothing twice, even when two run at once. Its reruns are newer than the
// runs it reads and are not themselves rerun by the same call. f.Statuses,
// if set, may name only statuses of finished runs.
func (e *Engine) RerunRuns(ctx context.Context, f BulkFilter) (int, error) {
	n, err := e.bulk(ctx, f, "RerunRuns", true, func(tx store.Tx, r store.Run) (bool, error) {
		_, err := e.rerun(ctx, tx, r.ID, "", true)
		if errors.Is(err, errRerunAlready) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		return n, fmt.Errorf("runtime: RerunRuns: %w", err)
	}
	return n, nil
}

// bulk applies op to the runs f selects, terminal ones (finished) or the
// others, a page per transaction, newest first, and counts the runs op
// reports it changed. A page's count is added once its transaction commits.
func (e *Engine) bulk(ctx context.Context, f BulkFilter, name string, finished bool, op func(tx store.Tx, r store.Run) (bool, error)) (int, error) {
	if f.FunctionID == "" && len(f.Statuses) == 0 && f.Since.IsZero() && f.Until.IsZero() && f.If == "" {
		return 0, errors.New("the BulkFilter is empty: it would select every run; set FunctionID, Statuses, Since, Until or If")
	}
	statuses, err := bulkStatuses(f.Statuses, finished)
	if err != nil {
		return 0, err
	}
	cond, err := compileRunIf("BulkFilter.If", f.If)
	if err != nil {
		return 0, err
	}
	sf := store.RunFilter{FunctionID: f.FunctionID, Statuses: statuses, Limit: bulkPage, NotRerun: finished}
	sf.CreatedFrom, sf.CreatedBefore = storedRange(f.Since, f.Until)
	total := 0
	for {
		var page []store.Run
		if err := e.store.View(ctx, func(tx store.Tx) error {
			var err error
			page, err = tx.ListRuns(ctx, sf)
			return err
		}); err != nil {
			return total, err
		}
		if len(page) == 0 {
			return total, nil
		}
		last := page[len(page)-1]
		sf.After = &store.RunPos{CreatedAt: last.CreatedAt, ID: last.ID}
		var selected []store.Run
		for _, r := range page {
			ok, err := e.runMatches(cond, r)
			if err != nil {
				return total, err
			}
			if ok {
				selected = append(selected, r)
			}
		}
		if len(selected) == 0 {
			continue
		}
		n := 0
		fx := txEffectsOf(ctx)
		if err := e.store.Update(ctx, func(tx store.Tx) error {
			n = 0
			fx.reset()
			for _, r := range selected {
				changed, err := op(tx, r)
				if err != nil {
					return fmt.Errorf("run %s: %w", r.ID, err)
				}
				if changed {
					n++
				}
			}
			return nil
		}); err != nil {
			return total, err
		}
		e.obs.committed(ctx, fx)
		total += n
		e.signal()
	}
}

// bulkStatuses checks the statuses a bulk operation is given against the
// runs it may change, finished ones or the others, and defaults to all of
// those.
func bulkStatuses(given []RunStatus, finished bool) ([]store.Status, error) {
	var all []RunStatus
	for _, s := range runStatuses {
		if s.Terminal() == finished {
			all = append(all, s)
		}
	}
	kind := "not over"
	if finished {
		kind = "finished"
	}
	if len(given) == 0 {
		return storeStatuses(all), nil
	}
	for _, s := range given {
		if !slices.Contains(all, s) {
			return nil, fmt.Errorf("BulkFilter.Statuses: %q is not a status of a run %s (one of %v)", s, kind, all)
		}
	}
	return storeStatuses(given), nil
}

// compileRunIf compiles a CEL filter over a run's first event; nil for "".
// It is not cached: filters come from operators (over HTTP too), and each
// distinct one would stay in the cache for good.
func compileRunIf(field, src string) (*expr.Bool, error) {
	if src == "" {
		return nil, nil
	}
	x, err := expr.Compile(src, false, defaultLimits.eval)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	return x, nil
}

// runMatches evaluates a CEL filter on the run's first event as stored.
// An evaluation error (a missing field) does not match, as for a trigger's
// If; one over the engine's expression limits is an error.
func (e *Engine) runMatches(cond *expr.Bool, r store.Run) (bool, error) {
	if cond == nil {
		return true, nil
	}
	var events []json.RawMessage
	if json.Unmarshal(r.Events, &events) != nil || len(events) == 0 {
		return false, nil
	}
	ev, err := expr.DecodeEnvelope(events[0])
	if err != nil {
		return false, nil
	}
	ok, err := cond.Match(e.lim.eval, map[string]any{"event": ev})
	if errors.Is(err, expr.ErrLimit) {
		return false, fmt.Errorf("run %s: %w", r.ID, err)
	}
	return ok && err == nil, nil
}

// Pause pauses a function, in the store, for every engine sharing it: no
// run of the function starts until Resume. The events that trigger it
// meanwhile are stored and their runs created; when due they are held
// (status paused) until Resume starts or skips them. Runs that started
// before the pause go on (sleeps end, waits resume, retries run): a pause
// stops new work, Cancel or CancelRuns stops work in progress. A run
// admitted by a transaction that commits while Pause does may still start.
// Pausing a paused function does nothing.
func (e *Engine) Pause(ctx context.Context, functionID string) error {
	if e.fns[functionID] == nil {
		return fmt.Errorf("runtime: pause %q: %w", functionID, ErrFunctionNotFound)
	}
	now := e.clock.Now()
	err := e.store.Update(ctx, func(tx store.Tx) error {
		_, err := tx.PauseFunction(ctx, store.PauseParams{FunctionID: functionID, At: now})
		return err
	})
	if err != nil {
		return fmt.Errorf("runtime: pause %q: %w", functionID, err)
	}
	return nil
}

// Resume ends a function's pause. Without opts.SkipHeld it starts the
// runs the pause held and returns how many. With it, it skips the runs of
// the events that arrived during the pause and never started (held, due
// later, or not seen yet by any engine) and returns how many: each ends
// with status skipped and the reason as its error, and is announced by a
// FunctionSkippedEvent (reason SkipPaused); Rerun starts one later if need
// be. Runs the pause held whose events arrived before it start in both
// cases. Resuming a function that is not paused does nothing. A function
// this engine does not have can be resumed (it may have been removed from
// the code while paused) but not paused.
func (e *Engine) Resume(ctx context.Context, functionID string, opts ResumeOpts) (int, error) {
	now := e.clock.Now()
	reason := fmt.Sprintf("skipped: function %q was paused when its event arrived (resumed with SkipHeld)", functionID)
	var res store.ResumeResult
	ctx, fx := withTxEffects(ctx)
	err := e.store.Update(ctx, func(tx store.Tx) error {
		fx.reset()
		var err error
		res, err = tx.ResumeFunction(ctx, store.ResumeParams{FunctionID: functionID, Skip: opts.SkipHeld, At: now, Reason: reason})
		if err != nil || !opts.SkipHeld {
			return err
		}
		// Each skip is counted and announced, as flow control's are.
		for _, id := range res.Skipped {
			fx.runEnded(functionID, store.StatusSkipped)
			r, err := tx.GetRun(ctx, id)
			if err != nil {
				return err
			}
			if err := e.announceSkip(ctx, tx, r, firstEvent(r), SkipPaused, reason); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("runtime: resume %q: %w", functionID, err)
	}
	e.obs.committed(ctx, fx)
	if !res.WasPaused && e.fns[functionID] == nil {
		return 0, fmt.Errorf("runtime: resume %q: %w", functionID, ErrFunctionNotFound)
	}
	e.signal()
	if opts.SkipHeld {
		return len(res.Skipped), nil
	}
	return len(res.Queued), nil
}

// Paused lists the paused functions, by function ID.
func (e *Engine) Paused(ctx context.Context) ([]PausedFunction, error) {
	var out []PausedFunction
	err := e.store.View(ctx, func(tx store.Tx) error {
		ps, err := tx.ListPaused(ctx)
		out = out[:0]
		for _, p := range ps {
			out = append(out, PausedFunction{FunctionID: p.FunctionID, Since: p.Since})
		}
		return err
	})
	return out, err
}
