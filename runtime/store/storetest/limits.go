package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// limited is a queued run subject to concurrency limits.
func limited(id string, available time.Duration, limits ...store.Limit) store.Run {
	r := run(id, store.StatusQueued, 0, available)
	r.Limits = limits
	return r
}

func claim(t *testing.T, s store.Store, owner string, now time.Time, n int) []string {
	t.Helper()
	var got []store.Run
	update(t, s, func(tx store.Tx) error {
		var err error
		got, err = tx.ClaimRuns(ctx, owner, now, now.Add(time.Minute), n)
		return err
	})
	return ids(got)
}

func setStatus(t *testing.T, s store.Store, id string, status store.Status) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		ok, err := tx.UpdateRun(ctx, id, store.RunCond{}, store.RunUpdate{Status: &status, ClearLease: true})
		if err == nil && !ok {
			t.Errorf("UpdateRun %s: no run", id)
		}
		return err
	})
}

// testConcurrencyLimits: a key's slots bound the running runs of the key;
// a run over a limit is blocked (not claimable), and leaving running frees
// the slot and requeues the oldest run blocked on the key.
func testConcurrencyLimits(t *testing.T, s store.Store) {
	a2 := store.Limit{Key: "a", Limit: 2}
	b1 := store.Limit{Key: "b", Limit: 1}
	insertRuns(t, s,
		limited("r1", 1, a2),
		limited("r2", 2, a2),
		limited("r3", 3, a2),
		limited("r4", 4, a2, b1),
		limited("r5", 5, b1),
		limited("r6", 6, b1),
		limited("free", 7),
	)
	now := at(time.Hour)
	// a admits r1, r2; r3 and r4 block on a; b admits r5; r6 blocks on b.
	if got := claim(t, s, "w", now, 10); !slices.Equal(got, []string{"r1", "r2", "r5", "free"}) {
		t.Fatalf("claimed %v, want [r1 r2 r5 free]", got)
	}
	for id, key := range map[string]string{"r3": "a", "r4": "a", "r6": "b"} {
		if r := getRun(t, s, id); r.Status != store.StatusBlocked || r.BlockedOn != key {
			t.Errorf("run %s: %s on %q, want blocked on %q", id, r.Status, r.BlockedOn, key)
		}
	}
	if got := claim(t, s, "w", now, 10); len(got) != 0 {
		t.Fatalf("claimed %v while every key is full", got)
	}
	// Parking r1 (sleeping) frees a slot of a: r3, the oldest blocked on a,
	// is requeued and claimable; r4 stays blocked.
	update(t, s, func(tx store.Tx) error {
		_, err := tx.UpdateRun(ctx, "r1", store.RunCond{}, store.RunUpdate{Status: ptr(store.StatusSleeping), AvailableAt: ptr(at(48 * time.Hour)), ClearLease: true})
		return err
	})
	if r := getRun(t, s, "r3"); r.Status != store.StatusQueued || r.BlockedOn != "" {
		t.Errorf("r3 after a slot freed: %s on %q, want queued", r.Status, r.BlockedOn)
	}
	if r := getRun(t, s, "r4"); r.Status != store.StatusBlocked {
		t.Errorf("r4: %s, want still blocked", r.Status)
	}
	if got := claim(t, s, "w", now, 10); !slices.Equal(got, []string{"r3"}) {
		t.Fatalf("claimed %v, want [r3]", got)
	}
	// A run leaving running by finishing frees its slots too; r4 needs both
	// a and b, so it waits until both have room.
	setStatus(t, s, "r2", store.StatusCompleted)
	if got := claim(t, s, "w", now, 10); len(got) != 0 {
		t.Fatalf("claimed %v while b is full", got)
	}
	if r := getRun(t, s, "r4"); r.Status != store.StatusBlocked || r.BlockedOn != "b" {
		t.Errorf("r4: %s on %q, want blocked on b", r.Status, r.BlockedOn)
	}
	setStatus(t, s, "r5", store.StatusCompleted)
	if got := claim(t, s, "w", now, 10); !slices.Equal(got, []string{"r4"}) {
		t.Fatalf("claimed %v, want [r4] (the older of r4 and r6)", got)
	}
	if r := getRun(t, s, "r6"); r.Status != store.StatusBlocked {
		t.Errorf("r6: %s, want blocked while r4 holds b", r.Status)
	}
}

// testConcurrencyInsertRunning: a run inserted as running (leased at
// creation) with slots from TakeSlots holds them like a claimed one.
func testConcurrencyInsertRunning(t *testing.T, s store.Store) {
	l := store.Limit{Key: "k", Limit: 1}
	direct := leased(limited("direct", 0, l), "w", time.Hour)
	update(t, s, func(tx store.Tx) error {
		ok, err := tx.TakeSlots(ctx, "direct", direct.Limits)
		if !ok {
			t.Errorf("TakeSlots on a free key = false")
		}
		return err
	})
	insertRuns(t, s, direct, limited("next", 1, l))
	if got := claim(t, s, "w", at(time.Minute), 10); len(got) != 0 {
		t.Fatalf("claimed %v while the running run holds the only slot", got)
	}
	setStatus(t, s, "direct", store.StatusCompleted)
	if got := claim(t, s, "w", at(time.Minute), 10); !slices.Equal(got, []string{"next"}) {
		t.Fatalf("claimed %v, want [next]", got)
	}
}

// testReleaseExpiredCountsInterruptions: a run taken from a dead owner
// counts an interruption and gives back its slots.
func testReleaseExpiredCountsInterruptions(t *testing.T, s store.Store) {
	l := store.Limit{Key: "k", Limit: 1}
	update(t, s, func(tx store.Tx) error {
		_, err := tx.TakeSlots(ctx, "dead", []store.Limit{l})
		return err
	})
	insertRuns(t, s, leased(limited("dead", 0, l), "gone", 0), limited("waiting", 1, l))
	if got := claim(t, s, "w", at(time.Minute), 10); len(got) != 0 {
		t.Fatalf("claimed %v while a dead owner holds the slot", got)
	}
	update(t, s, func(tx store.Tx) error {
		_, err := tx.ReleaseExpired(ctx, at(time.Hour), "w")
		return err
	})
	if r := getRun(t, s, "dead"); r.Status != store.StatusQueued || r.Interrupted != 1 {
		t.Errorf("released run: %s, interrupted %d; want queued, 1", r.Status, r.Interrupted)
	}
	if got := claim(t, s, "w", at(time.Hour), 1); len(got) != 1 {
		t.Fatalf("claimed %v, want one run now that the slot is free", got)
	}
	update(t, s, func(tx store.Tx) error {
		_, err := tx.UpdateRun(ctx, "dead", store.RunCond{}, store.RunUpdate{Interrupted: ptr(0)})
		return err
	})
	if r := getRun(t, s, "dead"); r.Interrupted != 0 {
		t.Errorf("interrupted = %d after reset, want 0", r.Interrupted)
	}
}

// testUpdateRunEvents: a queued run's events can be replaced (debounce and
// batch buffers).
func testUpdateRunEvents(t *testing.T, s store.Store) {
	insertRuns(t, s, run("buffer", store.StatusQueued, 0, 0))
	events := []byte(`[{"name":"a"},{"name":"b"}]`)
	update(t, s, func(tx store.Tx) error {
		_, err := tx.UpdateRun(ctx, "buffer", store.RunCond{Statuses: []store.Status{store.StatusQueued}}, store.RunUpdate{Events: events})
		return err
	})
	if r := getRun(t, s, "buffer"); string(r.Events) != string(events) {
		t.Errorf("events = %s, want %s", r.Events, events)
	}
}

// testPutOwnedStep: a step is recorded only for a run running under the
// owner's lease.
func testPutOwnedStep(t *testing.T, s store.Store) {
	insertRuns(t, s, leased(run("mine", "", 0, 0), "me", time.Hour), leased(run("theirs", "", 0, 0), "them", time.Hour),
		run("parked", store.StatusSleeping, 0, time.Hour))
	for _, tc := range []struct {
		run  string
		want bool
	}{{"mine", true}, {"theirs", false}, {"parked", false}, {"missing", false}} {
		st := store.Step{RunID: tc.run, Key: `"a"/0`, ID: "a", Kind: "run", Status: store.StepCompleted, Attempts: 1, StartedAt: at(0), UpdatedAt: at(0)}
		update(t, s, func(tx store.Tx) error {
			ok, err := tx.PutOwnedStep(ctx, st, "me")
			if ok != tc.want {
				t.Errorf("PutOwnedStep on %s = %v, want %v", tc.run, ok, tc.want)
			}
			return err
		})
		var steps []store.Step
		view(t, s, func(tx store.Tx) error {
			var err error
			steps, err = tx.ListSteps(ctx, tc.run)
			return err
		})
		if got := len(steps) == 1; got != tc.want {
			t.Errorf("run %s has %d steps after PutOwnedStep, want recorded=%v", tc.run, len(steps), tc.want)
		}
	}
}

// testSlotHandOver: a freed slot goes to the oldest run blocked on its key,
// so a run that takes slots directly (TakeSlots) cannot jump the queue.
func testSlotHandOver(t *testing.T, s store.Store) {
	l := store.Limit{Key: "k", Limit: 1}
	insertRuns(t, s, limited("first", 1, l), limited("second", 2, l))
	now := at(time.Hour)
	if got := claim(t, s, "w", now, 10); !slices.Equal(got, []string{"first"}) {
		t.Fatalf("claimed %v, want [first]", got)
	}
	setStatus(t, s, "first", store.StatusCompleted)
	// second holds the slot while queued: a new run finds the key full.
	update(t, s, func(tx store.Tx) error {
		ok, err := tx.TakeSlots(ctx, "newcomer", []store.Limit{l})
		if ok {
			t.Errorf("TakeSlots succeeded while the slot was handed to a blocked run")
		}
		return err
	})
	if got := claim(t, s, "w", now, 10); !slices.Equal(got, []string{"second"}) {
		t.Fatalf("claimed %v, want [second]", got)
	}
	setStatus(t, s, "second", store.StatusCompleted)
	update(t, s, func(tx store.Tx) error {
		ok, err := tx.TakeSlots(ctx, "newcomer", []store.Limit{l, {Key: "other", Limit: 2}})
		if !ok {
			t.Errorf("TakeSlots failed with free slots")
		}
		return err
	})
	// The taken slot counts: a queued run of the key blocks.
	insertRuns(t, s, limited("third", 3, l))
	if got := claim(t, s, "w", now, 10); len(got) != 0 {
		t.Fatalf("claimed %v while newcomer holds the slot", got)
	}
}

// testTakeSlotsAllOrNothing: a run needing several keys takes no slot when
// one of them is full.
func testTakeSlotsAllOrNothing(t *testing.T, s store.Store) {
	a, b := store.Limit{Key: "a", Limit: 2}, store.Limit{Key: "b", Limit: 1}
	update(t, s, func(tx store.Tx) error {
		for _, tc := range []struct {
			run    string
			limits []store.Limit
			want   bool
		}{
			{"one", []store.Limit{a, b}, true},
			{"two", []store.Limit{a, b}, false}, // b is full: a is not taken either
			{"three", []store.Limit{a}, true},
			{"four", []store.Limit{a}, false},
		} {
			ok, err := tx.TakeSlots(ctx, tc.run, tc.limits)
			if err != nil {
				return err
			}
			if ok != tc.want {
				t.Errorf("TakeSlots(%s) = %v, want %v", tc.run, ok, tc.want)
			}
		}
		return nil
	})
}
