// Package storetest is the conformance suite of store.Store: every store
// implementation runs it from its own tests,
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			s, err := mystore.Open(...)
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// and must pass it unchanged. Each subtest calls open for a fresh, empty
// store; open arranges its cleanup, which must tolerate a store the test has
// closed already. The suite checks the contract written in the doc comments
// of package store, nothing more: where the contract leaves an order or a
// detail open, so does the suite.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// Run runs the conformance suite; open returns a fresh, empty store.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Events", testEvents},
		{"RunRoundTrip", testRunRoundTrip},
		{"RunDuplicateID", testRunDuplicateID},
		{"ListRuns", testListRuns},
		{"UpdateRunFields", testUpdateRunFields},
		{"UpdateRunConditions", testUpdateRunConditions},
		{"ClaimRuns", testClaimRuns},
		{"ClaimRunsConcurrent", testClaimRunsConcurrent},
		{"RenewLeases", testRenewLeases},
		{"ReleaseExpired", testReleaseExpired},
		{"OwnsRun", testOwnsRun},
		{"NextAvailable", testNextAvailable},
		{"Steps", testSteps},
		{"Waits", testWaits},
		{"DeleteWaitConcurrent", testDeleteWaitConcurrent},
		{"State", testState},
		{"UpdateAtomic", testUpdateAtomic},
		{"UpdateIsolatedUnderGroupCommit", testUpdateIsolated},
		{"UpdateContextCancelledMidway", testUpdateCancelled},
		{"View", testView},
		{"ConcurrentViewsAndUpdates", testConcurrentViews},
		{"Closed", testClosed},
		{"ConcurrencyLimits", testConcurrencyLimits},
		{"ConcurrencyInsertRunning", testConcurrencyInsertRunning},
		{"ReleaseExpiredCountsInterruptions", testReleaseExpiredCountsInterruptions},
		{"UpdateRunEvents", testUpdateRunEvents},
		{"PutOwnedStep", testPutOwnedStep},
		{"SlotHandOver", testSlotHandOver},
		{"TakeSlotsAllOrNothing", testTakeSlotsAllOrNothing},
		{"StepStarted", testStepStarted},
		{"ReleaseOwnRun", testReleaseOwnRun},
	}
	tests = append(tests, retentionTests...)
	tests = append(tests, waitKeyTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			if s == nil {
				t.Fatal("open returned a nil store")
			}
			tc.fn(t, s)
		})
	}
}

// base is a time with nanoseconds, in a zone other than UTC: stores must
// keep the instant to the nanosecond (the zone is not part of the contract).
var base = time.Date(2026, 11, 28, 10, 30, 0, 123456789, time.FixedZone("X", 3600))

func at(d time.Duration) time.Time { return base.Add(d) }

func ptr[T any](v T) *T { return &v }

var ctx = context.Background()

func update(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.Update(ctx, fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.View(ctx, fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// norm makes values comparable with reflect.DeepEqual: times become the
// same instant in UTC (zero stays zero), empty JSON becomes nil.
func norm[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	normValue(rv)
	return v
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

func normValue(v reflect.Value) {
	switch {
	case v.Type() == timeType:
		t := v.Interface().(time.Time)
		if t.IsZero() {
			v.Set(reflect.ValueOf(time.Time{}))
		} else {
			v.Set(reflect.ValueOf(time.Unix(0, t.UnixNano()).UTC()))
		}
	case v.Type() == rawType:
		if v.Len() == 0 {
			v.Set(reflect.Zero(rawType))
		}
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			normValue(v.Field(i))
		}
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct:
		for i := range v.Len() {
			normValue(v.Index(i))
		}
	}
}

func same[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if g, w := norm(got), norm(want); !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got  %+v\n want %+v", what, g, w)
	}
}

func getRun(t *testing.T, s store.Store, id string) store.Run {
	t.Helper()
	var r store.Run
	view(t, s, func(tx store.Tx) error {
		var err error
		r, err = tx.GetRun(ctx, id)
		return err
	})
	return r
}

func insertRuns(t *testing.T, s store.Store, runs ...store.Run) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		for _, r := range runs {
			if err := tx.InsertRun(ctx, r); err != nil {
				return fmt.Errorf("InsertRun %s: %w", r.ID, err)
			}
		}
		return nil
	})
}

// run is a minimal valid run.
func run(id string, status store.Status, created, available time.Duration) store.Run {
	return store.Run{
		ID: id, FunctionID: "fn", Status: status, Events: json.RawMessage(`[{"name":"e"}]`),
		CreatedAt: at(created), AvailableAt: at(available),
	}
}

func leased(r store.Run, owner string, until time.Duration) store.Run {
	r.Status, r.LeaseOwner, r.LeaseUntil = store.StatusRunning, owner, at(until)
	return r
}

func ids(runs []store.Run) []string {
	out := make([]string, len(runs))
	for i, r := range runs {
		out[i] = r.ID
	}
	return out
}

func testEvents(t *testing.T, s store.Store) {
	first := store.Event{ID: "ev1", Name: "shop/order.created", TS: 1764325800123, Envelope: json.RawMessage(`{"name":"shop/order.created","data":{"a":1}}`), ReceivedAt: at(0)}
	dup := store.Event{ID: "ev1", Name: "other/name", TS: 1, Envelope: json.RawMessage(`{"name":"other/name","data":{}}`), ReceivedAt: at(time.Hour)}
	update(t, s, func(tx store.Tx) error {
		ok, err := tx.InsertEvent(ctx, first)
		if err != nil || !ok {
			return fmt.Errorf("first InsertEvent = %v, %v; want true, nil", ok, err)
		}
		ok, err = tx.InsertEvent(ctx, dup)
		if err != nil || ok {
			return fmt.Errorf("InsertEvent of a known ID in the same transaction = %v, %v; want false, nil", ok, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		ok, err := tx.InsertEvent(ctx, dup)
		if err != nil || ok {
			return fmt.Errorf("InsertEvent of a known ID = %v, %v; want false, nil", ok, err)
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetEvent(ctx, "ev1")
		if err != nil {
			return err
		}
		same(t, "GetEvent keeps the first event", got, first)
		if _, err := tx.GetEvent(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetEvent of a missing ID: err = %v, want ErrNotFound", err)
		}
		return nil
	})
}

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

func testClaimRuns(t *testing.T, s store.Store) {
	now := at(time.Hour)
	insertRuns(t, s,
		run("q-late", store.StatusQueued, 0, 50*time.Minute),
		run("q-early", store.StatusQueued, time.Minute, 10*time.Minute),
		run("sleeping", store.StatusSleeping, 0, 20*time.Minute),
		run("waiting", store.StatusWaiting, 0, 30*time.Minute),
		run("q-now", store.StatusQueued, 0, time.Hour), // available exactly now
		run("q-future", store.StatusQueued, 0, time.Hour+1),
		run("sleeping-future", store.StatusSleeping, 0, 2*time.Hour),
		leased(run("running", "", 0, 0), "other", 2*time.Hour),
		run("completed", store.StatusCompleted, 0, 0),
		run("failed", store.StatusFailed, 0, 0),
		run("cancelled", store.StatusCancelled, 0, 0),
	)
	claim := func(owner string, limit int) []store.Run {
		var got []store.Run
		update(t, s, func(tx store.Tx) error {
			var err error
			got, err = tx.ClaimRuns(ctx, owner, now, now.Add(time.Minute), limit)
			return err
		})
		return got
	}
	got := claim("me", 3)
	if want := []string{"q-early", "sleeping", "waiting"}; !slices.Equal(ids(got), want) {
		t.Fatalf("first claim = %v, want the 3 oldest available %v", ids(got), want)
	}
	for _, r := range got {
		if r.Status != store.StatusRunning || r.LeaseOwner != "me" || !r.LeaseUntil.Equal(now.Add(time.Minute)) {
			t.Errorf("claimed run %s returned as %s, owner %q until %v; want running, me, %v", r.ID, r.Status, r.LeaseOwner, r.LeaseUntil, now.Add(time.Minute))
		}
		stored := getRun(t, s, r.ID)
		same(t, "stored claimed run "+r.ID, stored, r)
		if stored.Status != store.StatusRunning || stored.LeaseOwner != "me" || !stored.LeaseUntil.Equal(now.Add(time.Minute)) {
			t.Errorf("claimed run %s stored as %s, owner %q until %v", r.ID, stored.Status, stored.LeaseOwner, stored.LeaseUntil)
		}
	}
	got = claim("you", 10)
	if want := []string{"q-late", "q-now"}; !slices.Equal(ids(got), want) {
		t.Fatalf("second claim = %v, want %v", ids(got), want)
	}
	if got := claim("me", 10); len(got) != 0 {
		t.Fatalf("third claim = %v, want none", ids(got))
	}
	for id, want := range map[string]store.Status{
		"q-future": store.StatusQueued, "sleeping-future": store.StatusSleeping, "completed": store.StatusCompleted,
		"failed": store.StatusFailed, "cancelled": store.StatusCancelled,
	} {
		if r := getRun(t, s, id); r.Status != want || r.LeaseOwner != "" {
			t.Errorf("unclaimable run %s is %s owned by %q, want %s, unowned", id, r.Status, r.LeaseOwner, want)
		}
	}
	if r := getRun(t, s, "running"); r.LeaseOwner != "other" || !r.LeaseUntil.Equal(at(2*time.Hour)) {
		t.Errorf("a running run was claimed: owner %q until %v", r.LeaseOwner, r.LeaseUntil)
	}
}

func testClaimRunsConcurrent(t *testing.T, s store.Store) {
	const runs, claimers = 300, 8
	all := make([]store.Run, runs)
	for i := range all {
		all[i] = run(fmt.Sprintf("r%03d", i), store.StatusQueued, 0, time.Duration(i))
	}
	insertRuns(t, s, all...)
	now := at(time.Hour)
	var mu sync.Mutex
	owners := map[string]string{}
	var dups []string
	var wg sync.WaitGroup
	errs := make(chan error, claimers)
	for c := range claimers {
		owner := fmt.Sprintf("claimer-%d", c)
		wg.Go(func() {
			for {
				var got []store.Run
				err := s.Update(ctx, func(tx store.Tx) error {
					var err error
					got, err = tx.ClaimRuns(ctx, owner, now, now.Add(time.Minute), 3)
					return err
				})
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, r := range got {
					if prev, ok := owners[r.ID]; ok {
						dups = append(dups, fmt.Sprintf("%s by %s and %s", r.ID, prev, owner))
					}
					owners[r.ID] = owner
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("ClaimRuns: %v", err)
	}
	if len(dups) > 0 {
		t.Fatalf("runs claimed twice: %v", dups)
	}
	if len(owners) != runs {
		t.Fatalf("%d runs claimed, want %d", len(owners), runs)
	}
	var listed []store.Run
	view(t, s, func(tx store.Tx) error {
		var err error
		listed, err = tx.ListRuns(ctx, store.RunFilter{})
		return err
	})
	for _, r := range listed {
		if r.Status != store.StatusRunning || r.LeaseOwner != owners[r.ID] {
			t.Errorf("run %s is %s owned by %q; the claim went to %q", r.ID, r.Status, r.LeaseOwner, owners[r.ID])
		}
	}
}

func testRenewLeases(t *testing.T, s store.Store) {
	parked := run("parked", store.StatusQueued, 0, 0)
	parked.LeaseOwner, parked.LeaseUntil = "me", at(time.Minute) // not running: not a lease to renew
	insertRuns(t, s,
		leased(run("m1", "", 0, 0), "me", time.Minute),
		leased(run("m2", "", 0, 0), "me", -time.Minute), // expired, still ours
		leased(run("o1", "", 0, 0), "other", time.Minute),
		parked,
	)
	update(t, s, func(tx store.Tx) error {
		n, err := tx.RenewLeases(ctx, "me", at(time.Hour))
		if err != nil {
			return err
		}
		if n != 2 {
			t.Errorf("RenewLeases = %d, want 2", n)
		}
		return nil
	})
	for id, want := range map[string]time.Time{"m1": at(time.Hour), "m2": at(time.Hour), "o1": at(time.Minute), "parked": at(time.Minute)} {
		if r := getRun(t, s, id); !r.LeaseUntil.Equal(want) {
			t.Errorf("lease of %s ends %v, want %v", id, r.LeaseUntil, want)
		}
	}
	update(t, s, func(tx store.Tx) error {
		n, err := tx.RenewLeases(ctx, "nobody", at(time.Hour))
		if err != nil || n != 0 {
			t.Errorf("RenewLeases of an owner with no runs = %d, %v; want 0, nil", n, err)
		}
		return nil
	})
}

func testReleaseExpired(t *testing.T, s store.Store) {
	now := at(time.Hour)
	insertRuns(t, s,
		leased(run("a-expired", "", 0, 0), "a", 0),
		leased(run("b-expired", "", 0, 0), "b", 0),
		leased(run("me-expired", "", 0, 0), "me", 0),
		leased(run("a-live", "", 0, 0), "a", 2*time.Hour),
		leased(run("a-ends-now", "", 0, 0), "a", time.Hour), // ended before now: no
	)
	update(t, s, func(tx store.Tx) error {
		n, err := tx.ReleaseExpired(ctx, now, "me")
		if err != nil {
			return err
		}
		if n != 2 {
			t.Errorf("ReleaseExpired = %d, want 2", n)
		}
		return nil
	})
	for _, id := range []string{"a-expired", "b-expired"} {
		r := getRun(t, s, id)
		if r.Status != store.StatusQueued || r.LeaseOwner != "" || !r.LeaseUntil.IsZero() {
			t.Errorf("expired run %s is %s owned by %q until %v; want queued with no lease", id, r.Status, r.LeaseOwner, r.LeaseUntil)
		}
	}
	for _, id := range []string{"me-expired", "a-live", "a-ends-now"} {
		if r := getRun(t, s, id); r.Status != store.StatusRunning || r.LeaseOwner == "" {
			t.Errorf("run %s was released (%s, owner %q); want it left running", id, r.Status, r.LeaseOwner)
		}
	}
	// Released runs are claimable again.
	update(t, s, func(tx store.Tx) error {
		got, err := tx.ClaimRuns(ctx, "c", now, now.Add(time.Minute), 10)
		if err != nil {
			return err
		}
		if g := ids(got); !slices.Equal(g, []string{"a-expired", "b-expired"}) {
			t.Errorf("claim after release = %v, want [a-expired b-expired]", g)
		}
		return nil
	})
}

func testOwnsRun(t *testing.T, s store.Store) {
	parked := run("parked", store.StatusSleeping, 0, 0)
	parked.LeaseOwner, parked.LeaseUntil = "me", at(time.Hour)
	insertRuns(t, s, leased(run("mine", "", 0, 0), "me", time.Hour), leased(run("theirs", "", 0, 0), "other", time.Hour), parked)
	cases := []struct {
		id, owner string
		want      bool
	}{
		{"mine", "me", true},
		{"mine", "other", false},
		{"theirs", "me", false},
		{"parked", "me", false},
		{"missing", "me", false},
	}
	view(t, s, func(tx store.Tx) error {
		for _, tc := range cases {
			got, err := tx.OwnsRun(ctx, tc.id, tc.owner)
			if err != nil {
				return err
			}
			if got != tc.want {
				t.Errorf("OwnsRun(%s, %s) = %v, want %v", tc.id, tc.owner, got, tc.want)
			}
		}
		return nil
	})
}

func testNextAvailable(t *testing.T, s store.Store) {
	next := func() (time.Time, bool) {
		var tm time.Time
		var ok bool
		view(t, s, func(tx store.Tx) error {
			var err error
			tm, ok, err = tx.NextAvailable(ctx)
			return err
		})
		return tm, ok
	}
	if tm, ok := next(); ok {
		t.Errorf("NextAvailable of an empty store = %v, true; want false", tm)
	}
	insertRuns(t, s,
		run("done", store.StatusCompleted, 0, -time.Hour),
		leased(run("running", "", 0, -time.Hour), "x", time.Hour),
		run("failed", store.StatusFailed, 0, -time.Hour),
	)
	if tm, ok := next(); ok {
		t.Errorf("NextAvailable with no claimable run = %v, true; want false", tm)
	}
	for _, tc := range []struct {
		r    store.Run
		want time.Duration
	}{
		{run("waiting", store.StatusWaiting, 0, 3*time.Hour), 3 * time.Hour},
		{run("sleeping", store.StatusSleeping, 0, 2*time.Hour+7), 2*time.Hour + 7},
		{run("queued", store.StatusQueued, 0, time.Hour+1), time.Hour + 1},
		{run("later", store.StatusQueued, 0, 4*time.Hour), time.Hour + 1},
	} {
		insertRuns(t, s, tc.r)
		if tm, ok := next(); !ok || !tm.Equal(at(tc.want)) {
			t.Errorf("after adding %s: NextAvailable = %v, %v; want %v", tc.r.ID, tm, ok, at(tc.want))
		}
	}
}

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

func testWaits(t *testing.T, s store.Store) {
	w1 := store.Wait{RunID: "r1", StepKey: `"pay"/0`, EventName: "shop/payment.received", If: "async.data.id == event.data.id",
		Trigger: json.RawMessage(`{"name":"shop/order.created","data":{"id":1}}`), ExpiresAt: at(time.Hour)}
	w2 := store.Wait{RunID: "r2", StepKey: `"pay"/0`, EventName: "shop/payment.received", Trigger: json.RawMessage(`{}`), ExpiresAt: at(2 * time.Hour)}
	w3 := store.Wait{RunID: "r1", StepKey: `"ship"/0`, EventName: "shop/shipped", ExpiresAt: at(3 * time.Hour)}
	inv := store.Wait{RunID: "r1", StepKey: `"invoke"/0`, ChildRunID: "child", ExpiresAt: at(4*time.Hour + 1)}
	update(t, s, func(tx store.Tx) error {
		for _, w := range []store.Wait{w1, w2, w3, inv} {
			if err := tx.InsertWait(ctx, w); err != nil {
				return err
			}
		}
		return nil
	})
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.InsertWait(ctx, w1) }); err == nil {
		t.Error("InsertWait of an existing (run, step) succeeded, want an error")
	}
	byEvent := func(name string) []store.Wait {
		var out []store.Wait
		view(t, s, func(tx store.Tx) error {
			var err error
			out, err = tx.WaitsForEvent(ctx, name)
			return err
		})
		sortWaits(out)
		return out
	}
	byChild := func(id string) []store.Wait {
		var out []store.Wait
		view(t, s, func(tx store.Tx) error {
			var err error
			out, err = tx.WaitsForChild(ctx, id)
			return err
		})
		sortWaits(out)
		return out
	}
	same(t, "WaitsForEvent", byEvent("shop/payment.received"), []store.Wait{w1, w2})
	same(t, "WaitsForEvent", byEvent("shop/shipped"), []store.Wait{w3})
	if got := byEvent("shop/nothing"); len(got) != 0 {
		t.Errorf("WaitsForEvent of an awaited-by-none event = %v", got)
	}
	same(t, "WaitsForChild", byChild("child"), []store.Wait{inv})
	if got := byChild("other"); len(got) != 0 {
		t.Errorf("WaitsForChild of another run = %v", got)
	}
	deleteWait := func(runID, key string) bool {
		var ok bool
		update(t, s, func(tx store.Tx) error {
			var err error
			ok, err = tx.DeleteWait(ctx, runID, key)
			return err
		})
		return ok
	}
	if !deleteWait("r2", `"pay"/0`) {
		t.Error("DeleteWait of an existing wait = false")
	}
	if deleteWait("r2", `"pay"/0`) {
		t.Error("second DeleteWait of a wait = true")
	}
	if deleteWait("r9", `"pay"/0`) {
		t.Error("DeleteWait of a wait that never existed = true")
	}
	same(t, "WaitsForEvent after delete", byEvent("shop/payment.received"), []store.Wait{w1})
	update(t, s, func(tx store.Tx) error { return tx.DeleteRunWaits(ctx, "r1") })
	if got := append(byEvent("shop/payment.received"), append(byEvent("shop/shipped"), byChild("child")...)...); len(got) != 0 {
		t.Errorf("waits left after DeleteRunWaits: %v", got)
	}
	update(t, s, func(tx store.Tx) error { return tx.DeleteRunWaits(ctx, "r1") }) // none left: no error
	// A deleted wait can be inserted again.
	update(t, s, func(tx store.Tx) error { return tx.InsertWait(ctx, w1) })
	same(t, "WaitsForEvent after re-insert", byEvent("shop/payment.received"), []store.Wait{w1})
}

func sortWaits(ws []store.Wait) {
	sort.Slice(ws, func(i, j int) bool {
		if ws[i].RunID != ws[j].RunID {
			return ws[i].RunID < ws[j].RunID
		}
		return ws[i].StepKey < ws[j].StepKey
	})
}

func testDeleteWaitConcurrent(t *testing.T, s store.Store) {
	const waits, deleters = 20, 8
	update(t, s, func(tx store.Tx) error {
		for i := range waits {
			if err := tx.InsertWait(ctx, store.Wait{RunID: fmt.Sprintf("r%d", i), StepKey: "k", EventName: "e", ExpiresAt: at(time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
	var mu sync.Mutex
	wins := make([]int, waits)
	var wg sync.WaitGroup
	for range deleters {
		wg.Go(func() {
			for i := range waits {
				err := s.Update(ctx, func(tx store.Tx) error {
					ok, err := tx.DeleteWait(ctx, fmt.Sprintf("r%d", i), "k")
					if ok {
						mu.Lock()
						wins[i]++
						mu.Unlock()
					}
					return err
				})
				if err != nil {
					t.Errorf("DeleteWait: %v", err)
				}
			}
		})
	}
	wg.Wait()
	for i, n := range wins {
		if n != 1 {
			t.Errorf("wait r%d: %d deleters were told they deleted it, want exactly 1", i, n)
		}
	}
}

func testState(t *testing.T, s store.Store) {
	get := func(key string) ([]byte, error) {
		var v []byte
		err := s.View(ctx, func(tx store.Tx) error {
			var err error
			v, err = tx.GetState(ctx, key)
			return err
		})
		return v, err
	}
	if _, err := get("cron"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetState of a missing key: err = %v, want ErrNotFound", err)
	}
	update(t, s, func(tx store.Tx) error {
		if err := tx.PutState(ctx, "cron", []byte("v1")); err != nil {
			return err
		}
		return tx.PutState(ctx, "other", []byte{0, 1, 2, 255})
	})
	for key, want := range map[string][]byte{"cron": []byte("v1"), "other": {0, 1, 2, 255}} {
		if v, err := get(key); err != nil || !bytes.Equal(v, want) {
			t.Errorf("GetState(%s) = %q, %v; want %q", key, v, err, want)
		}
	}
	update(t, s, func(tx store.Tx) error {
		if err := tx.PutState(ctx, "cron", []byte("version two")); err != nil {
			return err
		}
		// Within the transaction, the new value is seen.
		v, err := tx.GetState(ctx, "cron")
		if err != nil || string(v) != "version two" {
			t.Errorf("GetState in the writing transaction = %q, %v", v, err)
		}
		return err
	})
	if v, err := get("cron"); err != nil || string(v) != "version two" {
		t.Errorf("GetState after overwrite = %q, %v; want %q", v, err, "version two")
	}
	if v, err := get("other"); err != nil || !bytes.Equal(v, []byte{0, 1, 2, 255}) {
		t.Errorf("GetState of a key not overwritten = %q, %v", v, err)
	}
	// An empty value is a value: stored, read back empty, not ErrNotFound.
	for _, empty := range [][]byte{nil, {}} {
		update(t, s, func(tx store.Tx) error { return tx.PutState(ctx, "empty", empty) })
		if v, err := get("empty"); err != nil || len(v) != 0 {
			t.Errorf("GetState after PutState(%#v) = %q, %v; want an empty value", empty, v, err)
		}
		update(t, s, func(tx store.Tx) error { return tx.PutState(ctx, "empty", []byte("x")) })
	}
}

var errFail = errors.New("fn failed on purpose")

// writeAll does one of every write of Tx, all named after tag.
func writeAll(tx store.Tx, tag string) error {
	ok, err := tx.InsertEvent(ctx, store.Event{ID: "ev-" + tag, Name: "n", Envelope: json.RawMessage(`{}`), ReceivedAt: at(0)})
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("event ev-%s exists already", tag)
	}
	r := run("run-"+tag, store.StatusQueued, 0, 0)
	if err := tx.InsertRun(ctx, r); err != nil {
		return err
	}
	if ok, err := tx.UpdateRun(ctx, "shared", store.RunCond{}, store.RunUpdate{Error: ptr("touched by " + tag)}); err != nil || !ok {
		return fmt.Errorf("UpdateRun shared = %v, %v", ok, err)
	}
	if err := tx.PutStep(ctx, store.Step{RunID: "run-" + tag, Key: "k", ID: "k", Kind: "run", Status: store.StepCompleted, StartedAt: at(0), UpdatedAt: at(0)}); err != nil {
		return err
	}
	if err := tx.InsertWait(ctx, store.Wait{RunID: "run-" + tag, StepKey: "w", EventName: "wait-" + tag, ExpiresAt: at(time.Hour)}); err != nil {
		return err
	}
	if ok, err := tx.DeleteWait(ctx, "shared", "w-"+tag); err != nil || !ok {
		return fmt.Errorf("DeleteWait shared w-%s = %v, %v", tag, ok, err)
	}
	return tx.PutState(ctx, "state-"+tag, []byte(tag))
}

// wrote reports which of writeAll's writes for tag are visible.
func wrote(t *testing.T, s store.Store, tag string) []string {
	t.Helper()
	var found []string
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.GetEvent(ctx, "ev-"+tag); err == nil {
			found = append(found, "event")
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if _, err := tx.GetRun(ctx, "run-"+tag); err == nil {
			found = append(found, "run")
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if _, err := tx.GetStep(ctx, "run-"+tag, "k"); err == nil {
			found = append(found, "step")
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		ws, err := tx.WaitsForEvent(ctx, "wait-"+tag)
		if err != nil {
			return err
		}
		if len(ws) > 0 {
			found = append(found, "wait")
		}
		ws, err = tx.WaitsForEvent(ctx, "shared-"+tag)
		if err != nil {
			return err
		}
		if len(ws) == 0 {
			found = append(found, "wait deleted")
		}
		if _, err := tx.GetState(ctx, "state-"+tag); err == nil {
			found = append(found, "state")
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	})
	return found
}

var allWrites = []string{"event", "run", "step", "wait", "wait deleted", "state"}

func prepareShared(t *testing.T, s store.Store, tags ...string) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		if err := tx.InsertRun(ctx, run("shared", store.StatusQueued, 0, 0)); err != nil {
			return err
		}
		for _, tag := range tags {
			if err := tx.InsertWait(ctx, store.Wait{RunID: "shared", StepKey: "w-" + tag, EventName: "shared-" + tag, ExpiresAt: at(time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
}

func testUpdateAtomic(t *testing.T, s store.Store) {
	prepareShared(t, s, "ok", "fail", "dup")
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := writeAll(tx, "fail"); err != nil {
			return err
		}
		return fmt.Errorf("wrapped: %w", errFail)
	})
	if !errors.Is(err, errFail) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	if got := wrote(t, s, "fail"); len(got) != 0 {
		t.Errorf("a failed Update kept %v", got)
	}
	if r := getRun(t, s, "shared"); r.Error != "" {
		t.Errorf("a failed Update kept its UpdateRun: error = %q", r.Error)
	}
	// A failure from the store itself (a duplicate run) inside fn.
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := writeAll(tx, "dup"); err != nil {
			return err
		}
		return tx.InsertRun(ctx, run("shared", store.StatusQueued, 0, 0))
	})
	if err == nil {
		t.Fatal("Update with a duplicate InsertRun succeeded")
	}
	if got := wrote(t, s, "dup"); len(got) != 0 {
		t.Errorf("an Update failing on a store error kept %v", got)
	}
	update(t, s, func(tx store.Tx) error { return writeAll(tx, "ok") })
	if got := wrote(t, s, "ok"); !slices.Equal(got, allWrites) {
		t.Errorf("a successful Update kept %v, want %v", got, allWrites)
	}
}

func testUpdateIsolated(t *testing.T, s store.Store) {
	const n = 96
	tags := make([]string, n)
	for i := range tags {
		tags[i] = fmt.Sprintf("u%02d", i)
	}
	prepareShared(t, s, tags...)
	// Some fail after writing, some fail on a store error, the rest commit;
	// all are started together so that a grouping store groups them.
	start := make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, tag := range tags {
		wg.Go(func() {
			<-start
			errs[i] = s.Update(ctx, func(tx store.Tx) error {
				if err := writeAll(tx, tag); err != nil {
					return err
				}
				switch i % 3 {
				case 1:
					return errFail
				case 2:
					// A store error; fn returns it.
					return tx.InsertRun(ctx, run("shared", store.StatusQueued, 0, 0))
				}
				return nil
			})
		})
	}
	close(start)
	wg.Wait()
	for i, tag := range tags {
		got := wrote(t, s, tag)
		switch i % 3 {
		case 0:
			if errs[i] != nil {
				t.Errorf("Update %s: %v", tag, errs[i])
			}
			if !slices.Equal(got, allWrites) {
				t.Errorf("Update %s succeeded but kept only %v", tag, got)
			}
		case 1:
			if !errors.Is(errs[i], errFail) {
				t.Errorf("Update %s returned %v, want fn's error", tag, errs[i])
			}
			if len(got) != 0 {
				t.Errorf("Update %s failed but kept %v", tag, got)
			}
		case 2:
			if errs[i] == nil {
				t.Errorf("Update %s with a duplicate InsertRun succeeded", tag)
			}
			if len(got) != 0 {
				t.Errorf("Update %s failed but kept %v", tag, got)
			}
		}
	}
	// The shared run was changed by every Update; the change kept must be
	// one of a successful Update.
	var last int
	if r := getRun(t, s, "shared"); r.Error == "" {
		t.Error("no Update's change of the shared run was kept")
	} else if _, err := fmt.Sscanf(r.Error, "touched by u%d", &last); err != nil || last%3 != 0 {
		t.Errorf("shared run error = %q: the change of a failed Update was kept", r.Error)
	}
}

// testUpdateCancelledMidway runs concurrent Updates, a third of which cancel
// their context between two writes: an Update that returns nil kept both
// writes, one that returns an error kept neither, and the others are
// unaffected.
func testUpdateCancelled(t *testing.T, s store.Store) {
	const n = 48
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			<-start
			errs[i] = s.Update(cctx, func(tx store.Tx) error {
				if err := tx.PutState(cctx, fmt.Sprint("a", i), []byte("v")); err != nil {
					return err
				}
				if i%3 == 1 {
					cancel()
				}
				return tx.PutState(cctx, fmt.Sprint("b", i), []byte("v"))
			})
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		var kept []string
		view(t, s, func(tx store.Tx) error {
			for _, k := range []string{"a", "b"} {
				_, err := tx.GetState(ctx, fmt.Sprint(k, i))
				if err == nil {
					kept = append(kept, k)
				} else if !errors.Is(err, store.ErrNotFound) {
					return err
				}
			}
			return nil
		})
		switch {
		case i%3 != 1 && errs[i] != nil:
			t.Errorf("Update %d (not cancelled): %v", i, errs[i])
		case errs[i] == nil && len(kept) != 2:
			t.Errorf("Update %d returned nil but kept %v of its two writes", i, kept)
		case errs[i] != nil && len(kept) != 0:
			t.Errorf("Update %d returned %v but kept %v", i, errs[i], kept)
		}
	}
}

func testView(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		if err := tx.InsertRun(ctx, run("r1", store.StatusQueued, 0, 0)); err != nil {
			return err
		}
		return tx.PutState(ctx, "k", []byte("v"))
	})
	// A View after Update returns sees what it committed.
	for i := range 20 {
		key := fmt.Sprintf("k%d", i)
		update(t, s, func(tx store.Tx) error { return tx.PutState(ctx, key, []byte(key)) })
		view(t, s, func(tx store.Tx) error {
			v, err := tx.GetState(ctx, key)
			if err != nil || string(v) != key {
				t.Errorf("View right after Update: GetState(%s) = %q, %v", key, v, err)
			}
			return nil
		})
	}
	if r := getRun(t, s, "r1"); r.Status != store.StatusQueued {
		t.Errorf("View: run status %q", r.Status)
	}
	if err := s.View(ctx, func(tx store.Tx) error { return errFail }); !errors.Is(err, errFail) {
		t.Errorf("View returned %v, want fn's error", err)
	}
	// View is read-only: a write fails and is not kept.
	var werr error
	s.View(ctx, func(tx store.Tx) error {
		werr = tx.PutState(ctx, "from-view", []byte("x"))
		return nil
	})
	if werr == nil {
		t.Error("PutState in View succeeded, want an error (View is read-only)")
	}
	if err := s.View(ctx, func(tx store.Tx) error { _, err := tx.GetState(ctx, "from-view"); return err }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a write in View was kept (GetState err = %v)", err)
	}
}

// testConcurrentViews runs many Views (of queries of many shapes, each seen
// for the first time) alongside Updates; none may block another for good.
func testConcurrentViews(t *testing.T, s store.Store) {
	insertRuns(t, s, run("r1", store.StatusQueued, 0, 0), run("r2", store.StatusCompleted, 1, 1))
	statuses := []store.Status{store.StatusQueued, store.StatusRunning, store.StatusSleeping, store.StatusWaiting,
		store.StatusCompleted, store.StatusFailed, store.StatusCancelled}
	const goroutines, rounds = 32, 30
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range rounds {
				f := store.RunFilter{Statuses: statuses[:(g+i)%len(statuses)+1], Limit: i % 2}
				if i%3 == 0 {
					f.FunctionID = "fn"
				}
				err := s.View(ctx, func(tx store.Tx) error {
					if _, err := tx.ListRuns(ctx, f); err != nil {
						return err
					}
					if _, err := tx.GetRun(ctx, "r1"); err != nil {
						return err
					}
					time.Sleep(50 * time.Microsecond) // hold the view a little
					_, err := tx.ListSteps(ctx, "r1")
					return err
				})
				if err != nil {
					t.Errorf("View: %v", err)
					return
				}
				if i%5 == 0 {
					key := fmt.Sprintf("g%d-%d", g, i)
					if err := s.Update(ctx, func(tx store.Tx) error { return tx.PutState(ctx, key, []byte("v")) }); err != nil {
						t.Errorf("Update: %v", err)
						return
					}
				}
			}
		})
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
		case <-time.After(time.Minute):
			// Not a timing assertion: the work takes well under a second;
			// this turns a deadlock into a crash with every goroutine's stack.
			panic("storetest: concurrent Views and Updates still blocked after a minute: deadlock")
		}
	}()
	wg.Wait()
	close(done)
}

func testClosed(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error { return tx.PutState(ctx, "k", []byte("v")) })
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ran := false
	if err := s.Update(ctx, func(tx store.Tx) error { ran = true; return nil }); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Update after Close: err = %v, want ErrClosed", err)
	}
	if err := s.View(ctx, func(tx store.Tx) error { ran = true; return nil }); !errors.Is(err, store.ErrClosed) {
		t.Errorf("View after Close: err = %v, want ErrClosed", err)
	}
	if ran {
		t.Error("fn ran on a closed store")
	}
}
