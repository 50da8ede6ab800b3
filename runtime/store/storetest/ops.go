package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// Operations: rerun lineage, the run filters and cursor of ListRuns, and
// pausing functions.
var opsTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"RerunLineage", testRerunLineage},
	{"ListRunsFilters", testListRunsFilters},
	{"ListRunsCursor", testListRunsCursor},
	{"PauseHoldsNewRuns", testPauseHoldsNewRuns},
	{"ResumeSkips", testResumeSkips},
	{"PauseGivesBackSlots", testPauseGivesBackSlots},
	{"InsertStartedRun", testInsertStartedRun},
	{"RerunOnceConcurrent", testRerunOnceConcurrent},
	{"ResumeWhileClaiming", testResumeWhileClaiming},
}

func listRuns(t *testing.T, s store.Store, f store.RunFilter) []string {
	t.Helper()
	var runs []store.Run
	view(t, s, func(tx store.Tx) error {
		var err error
		runs, err = tx.ListRuns(ctx, f)
		return err
	})
	return ids(runs)
}

// testRerunLineage: the rerun fields round-trip; RerunBy is set by
// UpdateRun, and RunCond.NotRerun lets one caller only record a rerun.
func testRerunLineage(t *testing.T, s store.Store) {
	old := run("old", store.StatusFailed, 0, 0)
	again := run("again", store.StatusQueued, 1, 1)
	again.RerunOf, again.RerunFromStep = "old", `"charge"/0`
	insertRuns(t, s, old, again)
	same(t, "GetRun again", getRun(t, s, "again"), again)

	for i, tc := range []struct {
		cond store.RunCond
		by   string
		want bool
	}{
		{store.RunCond{NotRerun: true}, "again", true},
		{store.RunCond{NotRerun: true}, "other", false}, // rerun already
		{store.RunCond{}, "third", true},                // an explicit rerun records the latest
	} {
		update(t, s, func(tx store.Tx) error {
			ok, err := tx.UpdateRun(ctx, "old", tc.cond, store.RunUpdate{RerunBy: ptr(tc.by)})
			if err == nil && ok != tc.want {
				t.Errorf("%d: UpdateRun(RerunBy %s, %+v) = %v, want %v", i, tc.by, tc.cond, ok, tc.want)
			}
			return err
		})
	}
	if got := getRun(t, s, "old").RerunBy; got != "third" {
		t.Errorf("RerunBy = %q, want third", got)
	}
	if got := listRuns(t, s, store.RunFilter{NotRerun: true}); !slices.Equal(got, []string{"again"}) {
		t.Errorf("ListRuns(NotRerun) = %v, want [again]", got)
	}
}

// testListRunsFilters: creation time range, first event ID (kept up to
// date when UpdateRun replaces the events), invoking run.
func testListRunsFilters(t *testing.T, s store.Store) {
	mk := func(id string, created time.Duration, eventID, parent string) store.Run {
		r := run(id, store.StatusQueued, created, created)
		r.Events = json.RawMessage(fmt.Sprintf(`[{"name":"e","id":%q,"data":{}},{"name":"e","id":"later","data":{}}]`, eventID))
		r.ParentRunID = parent
		return r
	}
	insertRuns(t, s,
		mk("r1", 1*time.Second, "ev1", ""),
		mk("r2", 2*time.Second, "ev2", "r1"),
		mk("r3", 3*time.Second, "ev1", "r1"),
		mk("r4", 4*time.Second, "ev3", ""),
	)
	update(t, s, func(tx store.Tx) error {
		_, err := tx.UpdateRun(ctx, "r4", store.RunCond{}, store.RunUpdate{Events: json.RawMessage(`[{"name":"e","id":"ev4","data":{}}]`)})
		return err
	})
	for _, tc := range []struct {
		name string
		f    store.RunFilter
		want []string
	}{
		{"from", store.RunFilter{CreatedFrom: at(2 * time.Second)}, []string{"r4", "r3", "r2"}},
		{"before", store.RunFilter{CreatedBefore: at(2 * time.Second)}, []string{"r1"}},
		{"range", store.RunFilter{CreatedFrom: at(2 * time.Second), CreatedBefore: at(4 * time.Second)}, []string{"r3", "r2"}},
		{"event", store.RunFilter{EventID: "ev1"}, []string{"r3", "r1"}},
		{"not the first event", store.RunFilter{EventID: "later"}, nil},
		{"events replaced", store.RunFilter{EventID: "ev4"}, []string{"r4"}},
		{"events replaced, old ID", store.RunFilter{EventID: "ev3"}, nil},
		{"parent", store.RunFilter{ParentRunID: "r1"}, []string{"r3", "r2"}},
		{"parent and event", store.RunFilter{ParentRunID: "r1", EventID: "ev2", Limit: 5}, []string{"r2"}},
	} {
		if got := listRuns(t, s, tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("%s: ListRuns(%+v) = %v, want %v", tc.name, tc.f, got, tc.want)
		}
	}
}

// testListRunsCursor: following After through pages lists every run once,
// in order, runs created at the same instant included (ordered by ID).
func testListRunsCursor(t *testing.T, s store.Store) {
	var all []store.Run
	for i := range 23 {
		// Three runs per instant: the cursor must break ties by ID.
		all = append(all, run(fmt.Sprintf("r%02d", i), store.StatusQueued, time.Duration(i/3)*time.Second, 0))
	}
	insertRuns(t, s, all...)
	var want []string
	for i := len(all) - 1; i >= 0; i-- {
		want = append(want, all[i].ID)
	}
	for _, size := range []int{1, 4, 5, 23, 30} {
		var got []string
		var after *store.RunPos
		for pages := 0; ; pages++ {
			if pages > len(all)+1 {
				t.Fatalf("page size %d: more pages than runs", size)
			}
			var page []store.Run
			view(t, s, func(tx store.Tx) error {
				var err error
				page, err = tx.ListRuns(ctx, store.RunFilter{Limit: size, After: after})
				return err
			})
			if len(page) == 0 {
				break
			}
			got = append(got, ids(page)...)
			last := page[len(page)-1]
			after = &store.RunPos{CreatedAt: last.CreatedAt, ID: last.ID}
		}
		if !slices.Equal(got, want) {
			t.Errorf("page size %d: listed %v, want %v", size, got, want)
		}
	}
}

func pause(t *testing.T, s store.Store, fn string, when time.Time) bool {
	t.Helper()
	var ok bool
	update(t, s, func(tx store.Tx) error {
		var err error
		ok, err = tx.PauseFunction(ctx, store.PauseParams{FunctionID: fn, At: when})
		return err
	})
	return ok
}

func resume(t *testing.T, s store.Store, p store.ResumeParams) store.ResumeResult {
	t.Helper()
	var res store.ResumeResult
	update(t, s, func(tx store.Tx) error {
		var err error
		res, err = tx.ResumeFunction(ctx, p)
		return err
	})
	return res
}

func paused(t *testing.T, s store.Store) []store.PausedFunction {
	t.Helper()
	var out []store.PausedFunction
	view(t, s, func(tx store.Tx) error {
		var err error
		out, err = tx.ListPaused(ctx)
		return err
	})
	return out
}

// testPauseHoldsNewRuns: a paused function's due runs that never started
// are not claimed but become paused; its started runs and other functions'
// runs are claimed; resuming queues the held runs again.
func testPauseHoldsNewRuns(t *testing.T, s store.Store) {
	fresh := run("fresh", store.StatusQueued, 0, 1)
	fresh.FunctionID = "f"
	started := run("started", store.StatusSleeping, 0, 1)
	started.FunctionID, started.StartedAt = "f", at(0)
	later := run("later", store.StatusQueued, 0, 100)
	later.FunctionID = "f"
	other := run("other", store.StatusQueued, 0, 1)
	other.FunctionID = "g"
	insertRuns(t, s, fresh, started, later, other)

	if !pause(t, s, "f", at(5)) {
		t.Fatal("PauseFunction of a running function reported it paused already")
	}
	if pause(t, s, "f", at(6)) {
		t.Error("second PauseFunction reported the function was not paused")
	}
	same(t, "ListPaused", paused(t, s), []store.PausedFunction{{FunctionID: "f", Since: at(5)}})

	got := claim(t, s, "o", at(10), 10)
	slices.Sort(got)
	if want := []string{"other", "started"}; !slices.Equal(got, want) {
		t.Fatalf("claimed %v, want %v", got, want)
	}
	if st := getRun(t, s, "fresh").Status; st != store.StatusPaused {
		t.Fatalf("held run's status = %q, want paused", st)
	}
	if st := getRun(t, s, "later").Status; st != store.StatusQueued {
		t.Errorf("run not due yet: status %q, want queued", st)
	}
	if got := claim(t, s, "o", at(10), 10); len(got) != 0 {
		t.Errorf("claimed %v again while paused", got)
	}

	res := resume(t, s, store.ResumeParams{FunctionID: "f", At: at(20)})
	if !res.WasPaused || !slices.Equal(res.Queued, []string{"fresh"}) || len(res.Skipped) > 0 {
		t.Errorf("ResumeFunction = %+v, want one run queued", res)
	}
	if got := paused(t, s); len(got) != 0 {
		t.Errorf("ListPaused after resume = %v", got)
	}
	if got := claim(t, s, "o", at(20), 10); !slices.Equal(got, []string{"fresh"}) {
		t.Errorf("claimed after resume %v, want [fresh]", got)
	}
	if res := resume(t, s, store.ResumeParams{FunctionID: "f", At: at(21)}); res.WasPaused || len(res.Queued)+len(res.Skipped) > 0 {
		t.Errorf("ResumeFunction of a function not paused = %+v, want nothing", res)
	}
}

// testResumeSkips: resuming with Skip skips the runs created during the
// pause that never started, held or not, with the reason; runs created
// before the pause stay queued, or are queued again if it held them.
func testResumeSkips(t *testing.T, s store.Store) {
	mk := func(id string, created, available time.Duration) store.Run {
		r := run(id, store.StatusQueued, created, available)
		r.FunctionID = "f"
		return r
	}
	insertRuns(t, s, mk("before", 0, 50), mk("held-before", 1, 1))
	pause(t, s, "f", at(5))
	insertRuns(t, s, mk("held", 10, 10))
	if got := claim(t, s, "o", at(20), 10); len(got) != 0 {
		t.Fatalf("claimed %v while paused", got)
	}
	insertRuns(t, s, mk("during", 30, 100))
	res := resume(t, s, store.ResumeParams{FunctionID: "f", Skip: true, At: at(40), Reason: "skipped: paused"})
	slices.Sort(res.Skipped)
	if !res.WasPaused || !slices.Equal(res.Skipped, []string{"during", "held"}) || !slices.Equal(res.Queued, []string{"held-before"}) {
		t.Errorf("ResumeFunction(Skip) = %+v, want during and held skipped, held-before queued", res)
	}
	for _, id := range []string{"held", "during"} {
		r := getRun(t, s, id)
		if r.Status != store.StatusSkipped || r.Error != "skipped: paused" || !r.EndedAt.Equal(at(40)) {
			t.Errorf("%s: status %q, error %q, ended %v; want skipped with the reason at %v", id, r.Status, r.Error, r.EndedAt, at(40))
		}
	}
	for _, id := range []string{"before", "held-before"} {
		if st := getRun(t, s, id).Status; st != store.StatusQueued {
			t.Errorf("%s, created before the pause: status %q, want queued", id, st)
		}
	}
}

// testPauseGivesBackSlots: a run handed a slot while blocked gives it back
// when its function's pause holds it, so that other runs of the key run.
func testPauseGivesBackSlots(t *testing.T, s store.Store) {
	k1 := store.Limit{Key: "k", Limit: 1}
	a := limited("a", 0, k1)
	b := limited("b", 1, k1)
	b.FunctionID = "f"
	c := limited("c", 2, k1)
	c.FunctionID = "g"
	insertRuns(t, s, a, b)
	if got := claim(t, s, "o", at(5), 10); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("claimed %v, want [a] (b blocked)", got)
	}
	insertRuns(t, s, c)
	pause(t, s, "f", at(6))
	// a ends: its slot goes to b, the oldest run blocked on k.
	setStatus(t, s, "a", store.StatusCompleted)
	if got := claim(t, s, "o", at(7), 10); !slices.Equal(got, []string{"c"}) {
		t.Errorf("claimed %v, want [c]: b, paused, must give back its slot", got)
	}
	if st := getRun(t, s, "b").Status; st != store.StatusPaused {
		t.Errorf("b: status %q, want paused", st)
	}
}

// testInsertStartedRun: a run started at once is inserted as given, unless
// its function is paused: then it is inserted queued, never started, with
// the held deadline, and the slots taken for it are given back.
func testInsertStartedRun(t *testing.T, s store.Store) {
	k := store.Limit{Key: "k", Limit: 1}
	started := func(id, fn string) store.Run {
		r := leased(run(id, store.StatusQueued, 0, 0), "o", 60)
		r.FunctionID, r.StartedAt, r.Deadline, r.Limits = fn, at(0), at(100), []store.Limit{k}
		return r
	}
	pause(t, s, "p", at(0))
	for _, tc := range []struct {
		run  store.Run
		want bool
	}{
		{started("free", "f"), true},
		{started("held", "p"), false},
	} {
		update(t, s, func(tx store.Tx) error {
			if ok, err := tx.TakeSlots(ctx, tc.run.ID, tc.run.Limits); err != nil || !ok {
				return fmt.Errorf("TakeSlots %s: %v, %w", tc.run.ID, ok, err)
			}
			ok, err := tx.InsertStartedRun(ctx, store.StartRunParams{Run: tc.run, HeldDeadline: at(50)})
			if err == nil && ok != tc.want {
				t.Errorf("InsertStartedRun(%s) = %v, want %v", tc.run.ID, ok, tc.want)
			}
			return err
		})
		want := tc.run
		if !tc.want {
			want.Status, want.LeaseOwner, want.LeaseUntil, want.StartedAt, want.Deadline = store.StatusQueued, "", time.Time{}, time.Time{}, at(50)
		}
		same(t, "GetRun "+tc.run.ID, getRun(t, s, tc.run.ID), want)
		if tc.want {
			// Free k for the next case.
			setStatus(t, s, tc.run.ID, store.StatusCompleted)
		}
	}
	// The held run gave back k: another run takes it.
	update(t, s, func(tx store.Tx) error {
		if ok, err := tx.TakeSlots(ctx, "other", []store.Limit{k}); err != nil || !ok {
			t.Errorf("TakeSlots after a held start = %v, %v; want the slot free", ok, err)
		}
		return nil
	})
}

// testRerunOnceConcurrent: of concurrent updates recording a rerun under
// RunCond.NotRerun, exactly one succeeds.
func testRerunOnceConcurrent(t *testing.T, s store.Store) {
	insertRuns(t, s, run("old", store.StatusFailed, 0, 0))
	const n = 8
	var wg sync.WaitGroup
	won := make([]bool, n)
	for i := range n {
		wg.Go(func() {
			err := s.Update(ctx, func(tx store.Tx) error {
				var err error
				won[i], err = tx.UpdateRun(ctx, "old", store.RunCond{NotRerun: true}, store.RunUpdate{RerunBy: ptr(fmt.Sprint("rerun-", i))})
				return err
			})
			if err != nil {
				t.Errorf("Update %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	winners := 0
	for i, w := range won {
		if w {
			winners++
			if got := getRun(t, s, "old").RerunBy; got != fmt.Sprint("rerun-", i) {
				t.Errorf("RerunBy = %q, want the winner's rerun-%d", got, i)
			}
		}
	}
	if winners != 1 {
		t.Errorf("%d of %d concurrent updates recorded the rerun, want 1", winners, n)
	}
}

// testResumeWhileClaiming: claims that hold a paused function's runs,
// concurrent with its resume, leave none held once the function runs.
func testResumeWhileClaiming(t *testing.T, s store.Store) {
	var runs []store.Run
	for i := range 40 {
		r := run(fmt.Sprintf("r%02d", i), store.StatusQueued, 0, time.Duration(i)*time.Millisecond)
		r.FunctionID = "f"
		runs = append(runs, r)
	}
	insertRuns(t, s, runs...)
	pause(t, s, "f", at(0))
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := range 20 {
				err := s.Update(ctx, func(tx store.Tx) error {
					_, err := tx.ClaimRuns(ctx, fmt.Sprint("o", w), at(time.Duration(i)*2*time.Millisecond), at(time.Hour), 2)
					return err
				})
				if err != nil {
					t.Errorf("ClaimRuns: %v", err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		time.Sleep(2 * time.Millisecond)
		if err := s.Update(ctx, func(tx store.Tx) error {
			_, err := tx.ResumeFunction(ctx, store.ResumeParams{FunctionID: "f", At: at(0)})
			return err
		}); err != nil {
			t.Errorf("ResumeFunction: %v", err)
		}
	})
	wg.Wait()
	if got := listRuns(t, s, store.RunFilter{Statuses: []store.Status{store.StatusPaused}}); len(got) > 0 {
		t.Errorf("runs %v held after the function resumed", got)
	}
}
