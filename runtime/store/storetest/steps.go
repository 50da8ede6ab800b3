package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

func testSteps(t *testing.T, s store.Store) {
	step := func(runID, key string, pos int) store.Step {
		return store.Step{RunID: runID, Key: key, ID: key, Pos: pos, Kind: "run", Status: store.StepCompleted,
			Output: json.RawMessage(`"` + key + `"`), Attempts: 1, StartedAt: at(time.Duration(pos)*time.Second + 1), UpdatedAt: at(time.Duration(pos)*time.Second + 2)}
	}
	b := step("r1", `"b"/0`, 0)
	b.Status, b.Output, b.Error, b.Attempts, b.WakeAt = store.StepRetrying, nil, "try again", 1, at(time.Hour+3)
	a := step("r1", `"a"/0`, 1)
	a.Scope = "parallel/0[1]/"
	c := step("r1", `"c"/0`, 2)
	c.Kind, c.Status, c.Output, c.WakeAt = "sleep", store.StepSleeping, nil, at(time.Hour)
	other := step("r2", `"b"/0`, 0)
	update(t, s, func(tx store.Tx) error {
		for _, st := range []store.Step{b, a, other, c} {
			if err := tx.PutStep(ctx, st); err != nil {
				return err
			}
		}
		return nil
	})
	list := func(runID string) []store.Step {
		var out []store.Step
		view(t, s, func(tx store.Tx) error {
			var err error
			out, err = tx.ListSteps(ctx, runID)
			return err
		})
		return out
	}
	same(t, "ListSteps", list("r1"), []store.Step{b, a, c})
	// Replacing steps changes them, not their place in the order.
	b2 := b
	b2.Status, b2.Output, b2.Error, b2.Attempts, b2.WakeAt, b2.UpdatedAt = store.StepCompleted, json.RawMessage(`{"v":2}`), "", 2, time.Time{}, at(2*time.Hour+5)
	c2 := c
	c2.Status, c2.UpdatedAt = store.StepCompleted, at(2*time.Hour+6)
	a2 := a
	a2.Status, a2.Output, a2.Error, a2.Attempts, a2.UpdatedAt = store.StepFailed, nil, "gave up", 4, at(2*time.Hour+7)
	update(t, s, func(tx store.Tx) error {
		for _, st := range []store.Step{c2, a2, b2} {
			if err := tx.PutStep(ctx, st); err != nil {
				return err
			}
		}
		return nil
	})
	same(t, "ListSteps after replacing", list("r1"), []store.Step{b2, a2, c2})
	same(t, "ListSteps of another run", list("r2"), []store.Step{other})
	if got := list("none"); len(got) != 0 {
		t.Errorf("ListSteps of a run with no steps = %v, want none", got)
	}
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetStep(ctx, "r1", `"a"/0`)
		if err != nil {
			return err
		}
		same(t, "GetStep", got, a2)
		if _, err := tx.GetStep(ctx, "r1", `"zz"/0`); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetStep of a missing key: err = %v, want ErrNotFound", err)
		}
		if _, err := tx.GetStep(ctx, "r3", `"a"/0`); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetStep of a missing run: err = %v, want ErrNotFound", err)
		}
		return nil
	})
	// Order is kept across many steps and transactions.
	var want []store.Step
	for i := range 30 {
		st := step("r4", fmt.Sprintf(`"s%d"/0`, 29-i), i)
		want = append(want, st)
		update(t, s, func(tx store.Tx) error { return tx.PutStep(ctx, st) })
	}
	same(t, "ListSteps of 30 steps", list("r4"), want)
}
