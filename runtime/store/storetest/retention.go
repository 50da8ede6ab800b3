package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// retentionTests are the cases of the retention operations.
var retentionTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"DeleteFinishedRuns", testDeleteFinishedRuns},
	{"DeleteFinishedRunsInBatches", testDeleteFinishedRunsInBatches},
	{"DeleteEvents", testDeleteEvents},
	{"ExpiringState", testExpiringState},
}

// ended is a run in a terminal status that ended at end.
func ended(id string, status store.Status, end time.Duration) store.Run {
	r := run(id, status, 0, 0)
	r.EndedAt = at(end)
	return r
}

// exists reports whether run id is in s.
func exists(t *testing.T, s store.Store, id string) bool {
	t.Helper()
	found := true
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetRun(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			found = false
			return nil
		}
		return err
	})
	return found
}

func deleteRuns(t *testing.T, s store.Store, p store.DeleteRunsParams) int {
	t.Helper()
	var n int
	update(t, s, func(tx store.Tx) error {
		var err error
		n, err = tx.DeleteFinishedRuns(ctx, p)
		return err
	})
	return n
}

func testDeleteFinishedRuns(t *testing.T, s store.Store) {
	// A running run with an end time set is not finished: the status,
	// not the time, decides.
	odd := run("running", store.StatusRunning, 0, 0)
	odd.EndedAt = at(time.Minute)
	insertRuns(t, s,
		ended("old-completed", store.StatusCompleted, time.Hour),
		ended("new-completed", store.StatusCompleted, 3*time.Hour),
		ended("old-failed", store.StatusFailed, time.Hour),
		ended("old-skipped", store.StatusSkipped, time.Hour),
		run("queued", store.StatusQueued, 0, 0),
		odd,
	)
	update(t, s, func(tx store.Tx) error {
		for _, id := range []string{"old-completed", "new-completed"} {
			if err := tx.PutStep(ctx, store.Step{RunID: id, Key: `"a"/0`, ID: "a", Kind: "run", Status: store.StepCompleted,
				Attempts: 1, StartedAt: at(0), UpdatedAt: at(0)}); err != nil {
				return err
			}
			if err := tx.InsertWait(ctx, store.Wait{RunID: id, StepKey: "cancel/0", EventName: "shop/cancelled", ExpiresAt: at(100 * time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})

	for _, tc := range []struct {
		name string
		p    store.DeleteRunsParams
		want int
		gone []string
	}{
		{"non-terminal statuses are ignored",
			store.DeleteRunsParams{Statuses: []store.Status{store.StatusRunning, store.StatusQueued}, EndedBefore: at(10 * time.Hour), Limit: 10}, 0, nil},
		{"zero limit deletes nothing",
			store.DeleteRunsParams{Statuses: []store.Status{store.StatusCompleted}, EndedBefore: at(10 * time.Hour), Limit: 0}, 0, nil},
		{"completed before the horizon",
			store.DeleteRunsParams{Statuses: []store.Status{store.StatusCompleted, store.StatusRunning}, EndedBefore: at(2 * time.Hour), Limit: 10}, 1, []string{"old-completed"}},
		{"failed and skipped",
			store.DeleteRunsParams{Statuses: []store.Status{store.StatusFailed, store.StatusSkipped}, EndedBefore: at(2 * time.Hour), Limit: 10}, 2, []string{"old-failed", "old-skipped"}},
		{"the horizon is exclusive",
			store.DeleteRunsParams{Statuses: []store.Status{store.StatusCompleted}, EndedBefore: at(3 * time.Hour), Limit: 10}, 0, nil},
	} {
		if n := deleteRuns(t, s, tc.p); n != tc.want {
			t.Errorf("%s: deleted %d runs, want %d", tc.name, n, tc.want)
		}
		for _, id := range tc.gone {
			if exists(t, s, id) {
				t.Errorf("%s: run %s still exists", tc.name, id)
			}
		}
	}
	for _, id := range []string{"new-completed", "queued", "running"} {
		if !exists(t, s, id) {
			t.Errorf("run %s was deleted", id)
		}
	}
	// The deleted run's steps and waits went with it; the kept run's stayed.
	view(t, s, func(tx store.Tx) error {
		for id, want := range map[string]int{"old-completed": 0, "new-completed": 1} {
			steps, err := tx.ListSteps(ctx, id)
			if err != nil {
				return err
			}
			if len(steps) != want {
				t.Errorf("run %s has %d steps, want %d", id, len(steps), want)
			}
		}
		waits, err := tx.WaitsForEvent(ctx, "shop/cancelled")
		if err != nil {
			return err
		}
		if len(waits) != 1 || waits[0].RunID != "new-completed" {
			t.Errorf("waits left: %+v, want only new-completed's", waits)
		}
		return nil
	})
}

func testDeleteFinishedRunsInBatches(t *testing.T, s store.Store) {
	var runs []store.Run
	for i := range 5 {
		// Inserted newest first: the store must order by end time.
		runs = append(runs, ended(fmt.Sprintf("r%d", 4-i), store.StatusCancelled, time.Duration(4-i)*time.Minute))
	}
	insertRuns(t, s, runs...)
	p := store.DeleteRunsParams{Statuses: []store.Status{store.StatusCancelled}, EndedBefore: at(time.Hour), Limit: 2}
	for i, want := range []int{2, 2, 1, 0} {
		if n := deleteRuns(t, s, p); n != want {
			t.Fatalf("batch %d: deleted %d, want %d", i, n, want)
		}
		// Oldest first: after the first batch r0 and r1 are gone, r2 is not.
		if i == 0 && (exists(t, s, "r0") || exists(t, s, "r1") || !exists(t, s, "r2")) {
			t.Errorf("the first batch did not delete the two oldest runs")
		}
	}
}

func testDeleteEvents(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for i, h := range []time.Duration{1, 2, 5, 20} {
			ev := store.Event{ID: fmt.Sprintf("ev%d", i), Name: "e", TS: 1, Envelope: json.RawMessage(`{}`), ReceivedAt: at(h * time.Hour)}
			if _, err := tx.InsertEvent(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	// A live run created at 3h may hold events received since.
	insertRuns(t, s, run("live", store.StatusWaiting, 3*time.Hour, 3*time.Hour), ended("done", store.StatusCompleted, time.Hour))
	present := func() []string {
		var out []string
		view(t, s, func(tx store.Tx) error {
			for i := range 4 {
				id := fmt.Sprintf("ev%d", i)
				if _, err := tx.GetEvent(ctx, id); err == nil {
					out = append(out, id)
				} else if !errors.Is(err, store.ErrNotFound) {
					return err
				}
			}
			return nil
		})
		return out
	}
	del := func(before time.Duration, limit int) int {
		var n int
		update(t, s, func(tx store.Tx) error {
			var err error
			n, err = tx.DeleteEvents(ctx, store.DeleteEventsParams{ReceivedBefore: at(before), Limit: limit})
			return err
		})
		return n
	}
	if n := del(10*time.Hour, 1); n != 1 {
		t.Errorf("limit 1: deleted %d events", n)
	}
	same(t, "after a batch of one", present(), []string{"ev1", "ev2", "ev3"})
	if n := del(10*time.Hour, 10); n != 1 {
		t.Errorf("deleted %d events, want 1 (ev1; ev2 may be in the live run)", n)
	}
	same(t, "with a live run", present(), []string{"ev2", "ev3"})
	// Running, the run still holds them (stores may index running runs
	// apart from the others).
	update(t, s, func(tx store.Tx) error {
		_, err := tx.UpdateRun(ctx, "live", store.RunCond{}, store.RunUpdate{Status: ptr(store.StatusRunning)})
		return err
	})
	if n := del(10*time.Hour, 10); n != 0 {
		t.Errorf("deleted %d events, want none while the live run is running", n)
	}
	same(t, "with a running run", present(), []string{"ev2", "ev3"})
	update(t, s, func(tx store.Tx) error {
		_, err := tx.UpdateRun(ctx, "live", store.RunCond{}, store.RunUpdate{Status: ptr(store.StatusCompleted), EndedAt: ptr(at(4 * time.Hour))})
		return err
	})
	if n := del(10*time.Hour, 10); n != 1 {
		t.Errorf("deleted %d events, want 1 (ev2; ev3 is after the horizon)", n)
	}
	same(t, "after the run ended", present(), []string{"ev3"})
	// A deleted event's ID may be stored again.
	update(t, s, func(tx store.Tx) error {
		ok, err := tx.InsertEvent(ctx, store.Event{ID: "ev0", Name: "e", TS: 1, Envelope: json.RawMessage(`{}`), ReceivedAt: at(30 * time.Hour)})
		if err == nil && !ok {
			t.Error("InsertEvent of a deleted event's ID did not store it")
		}
		return err
	})
}

func testExpiringState(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for _, p := range []store.PutStateParams{
			{Key: "a", Value: []byte("1"), ExpiresAt: at(time.Hour)},
			{Key: "b", Value: []byte("2"), ExpiresAt: at(3 * time.Hour)},
			{Key: "c", Value: []byte("3"), ExpiresAt: at(time.Hour)},
			{Key: "d", Value: nil, ExpiresAt: at(time.Minute)},
			{Key: "renewed", Value: []byte("old"), ExpiresAt: at(time.Minute)},
		} {
			if err := tx.PutExpiringState(ctx, p); err != nil {
				return err
			}
		}
		// PutState clears the expiry; PutExpiringState replaces it.
		if err := tx.PutState(ctx, "c", []byte("kept")); err != nil {
			return err
		}
		if err := tx.PutState(ctx, "cron", []byte("never expires")); err != nil {
			return err
		}
		return tx.PutExpiringState(ctx, store.PutStateParams{Key: "renewed", Value: []byte("new"), ExpiresAt: at(5 * time.Hour)})
	})
	get := func() map[string]string {
		out := map[string]string{}
		view(t, s, func(tx store.Tx) error {
			for _, k := range []string{"a", "b", "c", "d", "renewed", "cron"} {
				v, err := tx.GetState(ctx, k)
				if errors.Is(err, store.ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				out[k] = string(v)
			}
			return nil
		})
		return out
	}
	same(t, "state before any expiry", get(), map[string]string{"a": "1", "b": "2", "c": "kept", "d": "", "renewed": "new", "cron": "never expires"})
	del := func(now time.Duration, limit int) int {
		var n int
		update(t, s, func(tx store.Tx) error {
			var err error
			n, err = tx.DeleteExpiredState(ctx, store.DeleteStateParams{Now: at(now), Limit: limit})
			return err
		})
		return n
	}
	if n := del(2*time.Hour, 1); n != 1 {
		t.Errorf("limit 1: deleted %d keys", n)
	}
	same(t, "after a batch of one (the earliest expiry, d)", get(), map[string]string{"a": "1", "b": "2", "c": "kept", "renewed": "new", "cron": "never expires"})
	if n := del(2*time.Hour, 10); n != 1 {
		t.Errorf("deleted %d keys, want 1 (a)", n)
	}
	if n := del(1000*time.Hour, 10); n != 2 {
		t.Errorf("deleted %d keys, want 2 (b, renewed)", n)
	}
	same(t, "state after every expiry", get(), map[string]string{"c": "kept", "cron": "never expires"})
}
