package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

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
