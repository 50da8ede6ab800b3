package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/durable-go/durable/runtime/internal/journal"
	"github.com/durable-go/durable/runtime/store"
)

// Version implements runctx.Exec (step.Version): the value recorded for
// the change id at this point of the journal; max, recorded now, at the end
// of the journal of a run in progress; 0 where the journal holds another
// step (the run was recorded before the call existed), which takes no
// position, so that the steps after it still match the old journal.
func (x *execution) Version(ctx context.Context, id string, max int) (int, error) {
	scope := scopeOf(ctx)
	x.mu.Lock()
	occKey := scope + "\x00" + id
	n := x.occ[occKey]
	key := stepKey(scope, id, n)
	pos := x.skipRemovedVersions(scope, key)
	var expected *store.Step
	if list := x.byScope[scope]; pos < len(list) {
		expected = &list[pos]
	}
	prior, seen := x.journal[key]
	recorded := seen && prior.Pos == pos
	frontier := expected == nil && !seen
	if recorded || frontier {
		// The call takes its place in the journal, as any step.
		x.occ[occKey] = n + 1
		x.pos[scope] = pos + 1
		if x.reached != nil {
			x.reached[key] = true
		}
	}
	x.mu.Unlock()

	actual := describe(id, n)
	switch {
	case seen && !recorded:
		x.failRun(&NonDeterminismError{Expected: fmt.Sprintf("%s at position %d", actual, prior.Pos+1), Actual: fmt.Sprintf("%s at position %d", actual, pos+1)})
	case recorded && prior.Kind != journal.KindVersion:
		x.failRun(&NonDeterminismError{Expected: fmt.Sprintf("%s (a %s step)", actual, prior.Kind), Actual: fmt.Sprintf("%s (a %s step)", actual, journal.KindVersion)})
	case recorded:
		v, err := strconv.Atoi(string(prior.Output))
		if err != nil {
			return 0, NonRetriable(fmt.Errorf("step %q: recorded version %q is not an integer", id, prior.Output))
		}
		if v > max {
			x.failRun(&NonDeterminismError{Expected: fmt.Sprintf("%s at version %d or above", actual, v), Actual: fmt.Sprintf("%s with at most version %d (was the code rolled back?)", actual, max)})
		}
		return v, nil
	case !frontier, x.replay && x.run.Status.Terminal():
		// Recorded before the change: a run that ended is too.
		return 0, nil
	case x.replay:
		x.stop(errReplayEnd)
	}
	now := x.e.clock.Now()
	st := store.Step{RunID: x.run.ID, Key: key, ID: id, Scope: scope, Pos: pos, Kind: journal.KindVersion,
		Status: store.StepCompleted, Output: json.RawMessage(strconv.Itoa(max)), StartedAt: now, UpdatedAt: now}
	x.commitStep(ctx, st)
	x.stepCommitted(ctx, st, string(st.Status), attrVersion.Int(max))
	return max, nil
}

// skipRemovedVersions returns the position of the step with key about to be
// reached in scope, past the Version steps recorded there that the code no
// longer calls (a change whose branch was removed once no old run remained).
// x.mu must be held.
func (x *execution) skipRemovedVersions(scope, key string) int {
	pos := x.pos[scope]
	list := x.byScope[scope]
	for pos < len(list) && list[pos].Kind == journal.KindVersion && list[pos].Key != key {
		if x.reached != nil {
			x.reached[list[pos].Key] = true
		}
		pos++
	}
	return pos
}
