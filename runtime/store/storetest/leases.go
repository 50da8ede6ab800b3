package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

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
