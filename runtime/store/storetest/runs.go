package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

func testRunRoundTrip(t *testing.T, s store.Store) {
	cases := []store.Run{
		{
			ID: "full", FunctionID: "charge-customer", Status: store.StatusRunning,
			Events: json.RawMessage(`[{"name":"a","data":{"x":1}},{"name":"b","data":{}}]`), Attempt: 3,
			CreatedAt: at(1), StartedAt: at(2), EndedAt: at(3), AvailableAt: at(4),
			LeaseOwner: "engine-1", LeaseUntil: at(5), Output: json.RawMessage(`{"ok":true}`), Error: "boom",
			ParentRunID: "parent", ParentStepKey: `"invoke"/0`, Deadline: at(6),
		},
		// Zero times and empty strings are stored as NULL and read back as zero.
		{ID: "minimal", FunctionID: "fn", Status: store.StatusQueued, Events: json.RawMessage(`[]`), CreatedAt: at(0), AvailableAt: at(0)},
	}
	insertRuns(t, s, cases...)
	for _, want := range cases {
		same(t, "GetRun "+want.ID, getRun(t, s, want.ID), want)
	}
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.GetRun(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetRun of a missing ID: err = %v, want ErrNotFound", err)
		}
		return nil
	})
}

func testRunDuplicateID(t *testing.T, s store.Store) {
	insertRuns(t, s, run("r1", store.StatusQueued, 0, 0))
	err := s.Update(ctx, func(tx store.Tx) error {
		return tx.InsertRun(ctx, run("r1", store.StatusFailed, 1, 1))
	})
	if err == nil {
		t.Fatal("InsertRun of an existing ID succeeded, want an error")
	}
	if got := getRun(t, s, "r1"); got.Status != store.StatusQueued {
		t.Errorf("run after a duplicate insert has status %q, want the first run's %q", got.Status, store.StatusQueued)
	}
}

func testListRuns(t *testing.T, s store.Store) {
	mk := func(id, fn string, st store.Status, created time.Duration) store.Run {
		r := run(id, st, created, created)
		r.FunctionID = fn
		return r
	}
	insertRuns(t, s,
		mk("a1", "a", store.StatusCompleted, 1*time.Second),
		mk("b1", "b", store.StatusQueued, 2*time.Second),
		mk("a2", "a", store.StatusFailed, 3*time.Second),
		mk("a3", "a", store.StatusQueued, 4*time.Second),
		mk("b2", "b", store.StatusCompleted, 5*time.Second),
		mk("a4", "a", store.StatusCompleted, 6*time.Second+1), // nanoseconds count
		mk("a5", "a", store.StatusCompleted, 6*time.Second),
	)
	cases := []struct {
		name string
		f    store.RunFilter
		want []string
	}{
		{"all", store.RunFilter{}, []string{"a4", "a5", "b2", "a3", "a2", "b1", "a1"}},
		{"function", store.RunFilter{FunctionID: "a"}, []string{"a4", "a5", "a3", "a2", "a1"}},
		{"status", store.RunFilter{Statuses: []store.Status{store.StatusQueued}}, []string{"a3", "b1"}},
		{"statuses", store.RunFilter{Statuses: []store.Status{store.StatusQueued, store.StatusFailed}}, []string{"a3", "a2", "b1"}},
		{"function and status", store.RunFilter{FunctionID: "b", Statuses: []store.Status{store.StatusCompleted}}, []string{"b2"}},
		{"limit", store.RunFilter{Limit: 3}, []string{"a4", "a5", "b2"}},
		{"limit with filter", store.RunFilter{FunctionID: "a", Statuses: []store.Status{store.StatusCompleted}, Limit: 2}, []string{"a4", "a5"}},
		{"limit above count", store.RunFilter{FunctionID: "b", Limit: 10}, []string{"b2", "b1"}},
		{"no match", store.RunFilter{FunctionID: "c"}, nil},
		{"no status match", store.RunFilter{Statuses: []store.Status{store.StatusSleeping}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			view(t, s, func(tx store.Tx) error {
				runs, err := tx.ListRuns(ctx, tc.f)
				if err != nil {
					return err
				}
				if got := ids(runs); !slices.Equal(got, tc.want) {
					t.Errorf("ListRuns(%+v) = %v, want %v", tc.f, got, tc.want)
				}
				return nil
			})
		})
	}
	// Listed runs carry all their fields.
	view(t, s, func(tx store.Tx) error {
		runs, err := tx.ListRuns(ctx, store.RunFilter{FunctionID: "b", Statuses: []store.Status{store.StatusQueued}})
		if err != nil || len(runs) != 1 {
			return fmt.Errorf("ListRuns: %d runs, %v", len(runs), err)
		}
		same(t, "listed run", runs[0], mk("b1", "b", store.StatusQueued, 2*time.Second))
		return nil
	})
}

func testUpdateRunFields(t *testing.T, s store.Store) {
	full := store.Run{
		ID: "r", FunctionID: "fn", Status: store.StatusRunning, Events: json.RawMessage(`[{}]`), Attempt: 1,
		CreatedAt: at(1), StartedAt: at(2), EndedAt: at(3), AvailableAt: at(4), LeaseOwner: "me", LeaseUntil: at(5),
		Output: json.RawMessage(`"out"`), Error: "err", Deadline: at(6),
	}
	var zero time.Time
	cases := []struct {
		name   string
		u      store.RunUpdate
		change func(r *store.Run)
	}{
		{"status", store.RunUpdate{Status: ptr(store.StatusSleeping)}, func(r *store.Run) { r.Status = store.StatusSleeping }},
		{"attempt", store.RunUpdate{Attempt: ptr(7)}, func(r *store.Run) { r.Attempt = 7 }},
		{"attempt to zero", store.RunUpdate{Attempt: ptr(0)}, func(r *store.Run) { r.Attempt = 0 }},
		{"started", store.RunUpdate{StartedAt: ptr(at(time.Hour + 1))}, func(r *store.Run) { r.StartedAt = at(time.Hour + 1) }},
		{"started to zero", store.RunUpdate{StartedAt: &zero}, func(r *store.Run) { r.StartedAt = time.Time{} }},
		{"ended", store.RunUpdate{EndedAt: ptr(at(time.Hour + 2))}, func(r *store.Run) { r.EndedAt = at(time.Hour + 2) }},
		{"ended to zero", store.RunUpdate{EndedAt: &zero}, func(r *store.Run) { r.EndedAt = time.Time{} }},
		{"available", store.RunUpdate{AvailableAt: ptr(at(time.Hour + 3))}, func(r *store.Run) { r.AvailableAt = at(time.Hour + 3) }},
		{"clear lease", store.RunUpdate{ClearLease: true}, func(r *store.Run) { r.LeaseOwner, r.LeaseUntil = "", time.Time{} }},
		{"output", store.RunUpdate{Output: json.RawMessage(`{"n":42}`)}, func(r *store.Run) { r.Output = json.RawMessage(`{"n":42}`) }},
		{"error", store.RunUpdate{Error: ptr("new error")}, func(r *store.Run) { r.Error = "new error" }},
		{"error to empty", store.RunUpdate{Error: ptr("")}, func(r *store.Run) { r.Error = "" }},
		{"deadline", store.RunUpdate{Deadline: ptr(at(time.Hour + 4))}, func(r *store.Run) { r.Deadline = at(time.Hour + 4) }},
		{"deadline to zero", store.RunUpdate{Deadline: &zero}, func(r *store.Run) { r.Deadline = time.Time{} }},
		{"several", store.RunUpdate{Status: ptr(store.StatusCompleted), EndedAt: ptr(at(time.Minute)), Output: json.RawMessage(`1`), Error: ptr(""), ClearLease: true},
			func(r *store.Run) {
				r.Status, r.EndedAt, r.Output, r.Error, r.LeaseOwner, r.LeaseUntil = store.StatusCompleted, at(time.Minute), json.RawMessage(`1`), "", "", time.Time{}
			}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := full
			r.ID = fmt.Sprintf("r%d", i)
			insertRuns(t, s, r)
			update(t, s, func(tx store.Tx) error {
				ok, err := tx.UpdateRun(ctx, r.ID, store.RunCond{}, tc.u)
				if err != nil || !ok {
					return fmt.Errorf("UpdateRun = %v, %v; want true, nil", ok, err)
				}
				return nil
			})
			want := r
			tc.change(&want)
			same(t, "run after UpdateRun", getRun(t, s, r.ID), want)
		})
	}
}

func testUpdateRunConditions(t *testing.T, s store.Store) {
	cases := []struct {
		name string
		run  store.Run
		cond store.RunCond
		want bool
	}{
		{"no condition", run("x", store.StatusQueued, 0, 0), store.RunCond{}, true},
		{"owner holds", leased(run("x", "", 0, 0), "me", time.Hour), store.RunCond{Owner: "me"}, true},
		{"other owner", leased(run("x", "", 0, 0), "other", time.Hour), store.RunCond{Owner: "me"}, false},
		{"no owner", run("x", store.StatusQueued, 0, 0), store.RunCond{Owner: "me"}, false},
		{"status holds", run("x", store.StatusSleeping, 0, 0), store.RunCond{Statuses: []store.Status{store.StatusWaiting, store.StatusSleeping}}, true},
		{"status differs", run("x", store.StatusCompleted, 0, 0), store.RunCond{Statuses: []store.Status{store.StatusWaiting, store.StatusSleeping}}, false},
		{"owner and status hold", leased(run("x", "", 0, 0), "me", time.Hour), store.RunCond{Owner: "me", Statuses: []store.Status{store.StatusRunning}}, true},
		{"owner holds, status differs", leased(run("x", "", 0, 0), "me", time.Hour), store.RunCond{Owner: "me", Statuses: []store.Status{store.StatusQueued}}, false},
		{"status holds, owner differs", leased(run("x", "", 0, 0), "other", time.Hour), store.RunCond{Owner: "me", Statuses: []store.Status{store.StatusRunning}}, false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.run
			r.ID = fmt.Sprintf("r%d", i)
			insertRuns(t, s, r)
			update(t, s, func(tx store.Tx) error {
				ok, err := tx.UpdateRun(ctx, r.ID, tc.cond, store.RunUpdate{Error: ptr("changed")})
				if err != nil {
					return err
				}
				if ok != tc.want {
					t.Errorf("UpdateRun(%+v) = %v, want %v", tc.cond, ok, tc.want)
				}
				return nil
			})
			want := r
			if tc.want {
				want.Error = "changed"
			}
			same(t, "run after UpdateRun", getRun(t, s, r.ID), want)
		})
	}
	t.Run("missing run", func(t *testing.T) {
		update(t, s, func(tx store.Tx) error {
			ok, err := tx.UpdateRun(ctx, "nope", store.RunCond{}, store.RunUpdate{Error: ptr("x")})
			if err != nil || ok {
				t.Errorf("UpdateRun of a missing run = %v, %v; want false, nil", ok, err)
			}
			return nil
		})
	})
}
