package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// testQueueStats: QueueStats counts the runs due (not those due later, nor
// running or ended ones) with the oldest due time, and the blocked runs by
// key, the keys with the most first, bounded by MaxBlockedKeys.
func testQueueStats(t *testing.T, s store.Store) {
	blocked := func(id, key string) store.Run {
		r := run(id, store.StatusBlocked, 0, 0)
		r.BlockedOn = key
		return r
	}
	stats := func(p store.QueueStatsParams) store.QueueStats {
		t.Helper()
		var qs store.QueueStats
		view(t, s, func(tx store.Tx) error {
			qi, ok := tx.(store.QueueInspector)
			if !ok {
				t.Fatalf("the store's Tx (%T) does not implement store.QueueInspector", tx)
			}
			var err error
			qs, err = qi.QueueStats(ctx, p)
			return err
		})
		return qs
	}
	same(t, "QueueStats of an empty store", stats(store.QueueStatsParams{Now: at(time.Hour), MaxBlockedKeys: 5}), store.QueueStats{})

	insertRuns(t, s,
		run("q1", store.StatusQueued, 0, 2*time.Minute),
		run("q2", store.StatusQueued, 0, time.Minute),
		run("later", store.StatusQueued, 0, time.Hour),
		run("slept", store.StatusSleeping, 0, 3*time.Minute),
		run("waiting", store.StatusWaiting, 0, 2*time.Hour),
		leased(run("running", store.StatusRunning, 0, 0), "o", time.Hour),
		run("done", store.StatusCompleted, 0, 0),
		blocked("b1", "function/f/a"), blocked("b2", "function/f/a"), blocked("b3", "function/f/a"),
		blocked("b4", "global/b"), blocked("b5", "global/b"),
		blocked("b6", "function/f/c"), blocked("b7", "function/f/d"),
	)
	for _, tc := range []struct {
		name string
		p    store.QueueStatsParams
		want store.QueueStats
	}{
		{"due at 10m, 2 keys", store.QueueStatsParams{Now: at(10 * time.Minute), MaxBlockedKeys: 2}, store.QueueStats{
			Ready: 3, OldestReady: at(time.Minute), BlockedRuns: 7, BlockedKeys: 4,
			Blocked: []store.KeyCount{{Key: "function/f/a", Runs: 3}, {Key: "global/b", Runs: 2}},
		}},
		{"due at 1m, all keys", store.QueueStatsParams{Now: at(time.Minute), MaxBlockedKeys: 10}, store.QueueStats{
			Ready: 1, OldestReady: at(time.Minute), BlockedRuns: 7, BlockedKeys: 4,
			Blocked: []store.KeyCount{{Key: "function/f/a", Runs: 3}, {Key: "global/b", Runs: 2}, {Key: "function/f/c", Runs: 1}, {Key: "function/f/d", Runs: 1}},
		}},
		{"nothing due yet, no keys", store.QueueStatsParams{Now: at(0)}, store.QueueStats{BlockedRuns: 7, BlockedKeys: 4}},
		{"due at 3h", store.QueueStatsParams{Now: at(3 * time.Hour)}, store.QueueStats{Ready: 5, OldestReady: at(time.Minute), BlockedRuns: 7, BlockedKeys: 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := stats(tc.p)
			if !got.OldestReady.Equal(tc.want.OldestReady) {
				t.Errorf("OldestReady = %v, want %v", got.OldestReady, tc.want.OldestReady)
			}
			got.OldestReady, tc.want.OldestReady = time.Time{}, time.Time{}
			same(t, "QueueStats", got, tc.want)
		})
	}
}

// testCommitObserver: a store that reports its commits reports each
// committed Update once (in a group or alone), no failed Update and no
// View, and stops when given nil.
func testCommitObserver(t *testing.T, s store.Store) {
	co := optional[store.CommitObserver](t, s)
	var mu sync.Mutex
	var updates, commits int
	co.ObserveCommits(func(c store.CommitStats) {
		mu.Lock()
		defer mu.Unlock()
		if c.Updates < 1 || c.Duration <= 0 {
			t.Errorf("commit reported with %d updates in %v; want at least 1 in a positive time", c.Updates, c.Duration)
		}
		updates += c.Updates
		commits++
	})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			update(t, s, func(tx store.Tx) error { return tx.PutState(ctx, fmt.Sprintf("k%d", i), []byte("v")) })
		}()
	}
	wg.Wait()
	failed := errors.New("refused")
	if err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutState(ctx, "lost", []byte("v")); err != nil {
			return err
		}
		return failed
	}); !errors.Is(err, failed) {
		t.Fatalf("failing Update returned %v", err)
	}
	view(t, s, func(tx store.Tx) error { _, err := tx.GetState(ctx, "k0"); return err })
	co.ObserveCommits(nil)
	update(t, s, func(tx store.Tx) error { return tx.PutState(ctx, "after", []byte("v")) })
	mu.Lock()
	defer mu.Unlock()
	if updates != 8 || commits < 1 || commits > 8 {
		t.Errorf("reported %d updates in %d commits; want the 8 committed updates in 1 to 8 commits", updates, commits)
	}
}
