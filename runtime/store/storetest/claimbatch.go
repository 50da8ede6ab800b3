package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// testClaimBlockedHandsOn: within one claim, a run that holds a slot of
// one key (handed to it when it was requeued) but is blocked on another
// gives the slot back, and a later run of the same claim takes it: a claim
// that decides its runs together counts what a blocked run gave back.
func testClaimBlockedHandsOn(t *testing.T, s store.Store) {
	a1 := store.Limit{Key: "a", Limit: 1}
	b1 := store.Limit{Key: "b", Limit: 1}
	holder := run("holder", store.StatusRunning, 0, 0)
	holder.Limits = []store.Limit{b1}
	holder = leased(holder, "other", time.Hour)
	insertRuns(t, s, holder, limited("h", 1, a1, b1), limited("x", 2, a1), limited("y", 3, a1))
	update(t, s, func(tx store.Tx) error {
		for _, take := range []struct {
			run    string
			limits []store.Limit
		}{{"holder", []store.Limit{b1}}, {"h", []store.Limit{a1}}} {
			if ok, err := tx.TakeSlots(ctx, take.run, take.limits); err != nil || !ok {
				t.Fatalf("TakeSlots %s: %v, %v", take.run, ok, err)
			}
		}
		return nil
	})
	// h holds a but b is full: h blocks on b and gives a back; x takes
	// it; y blocks on a.
	if got := claim(t, s, "w", at(time.Hour), 10); !slices.Equal(got, []string{"x"}) {
		t.Fatalf("claimed %v, want [x]", got)
	}
	for id, key := range map[string]string{"h": "b", "y": "a"} {
		if r := getRun(t, s, id); r.Status != store.StatusBlocked || r.BlockedOn != key {
			t.Errorf("run %s: %s on %q, want blocked on %s", id, r.Status, r.BlockedOn, key)
		}
	}
	// Slots are exact: a has no room for another run, until x ends.
	update(t, s, func(tx store.Tx) error {
		if ok, err := tx.TakeSlots(ctx, "new", []store.Limit{a1}); err != nil || ok {
			t.Errorf("TakeSlots of a with x running: %v, %v; want no slot", ok, err)
		}
		return nil
	})
	setStatus(t, s, "x", store.StatusCompleted)
	if got := claim(t, s, "w", at(time.Hour), 10); !slices.Equal(got, []string{"y"}) {
		t.Fatalf("after x: claimed %v, want [y]", got)
	}
}
