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
//
// The cases live in one file per area of the contract (events, runs,
// leases, steps, waits, state, transactions, limits, attempts,
// retention, waitkeys); Run lists them all.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
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
		{"ClaimRunsWithJournals", testClaimRunsWithJournals},
		{"ClaimRunBatch", testClaimRunBatch},
		{"ClaimBlockedHandsOn", testClaimBlockedHandsOn},
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
		{"QueueStats", testQueueStats},
		{"CommitObserver", testCommitObserver},
		{"CommitRuns", testCommitRuns},
		{"SendEvents", testSendEvents},
	}
	tests = append(tests, retentionTests...)
	tests = append(tests, waitKeyTests...)
	tests = append(tests, eventsByNameTests...)
	tests = append(tests, eventListTests...)
	tests = append(tests, opsTests...)
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

// LargestCommit observes the store's commits (replacing any observer it
// had) and returns a function that reports the most Updates, or runs of a
// batch, that one commit has carried so far: for tests that check that
// work made at the same time was committed together.
func LargestCommit(o store.CommitObserver) func() int {
	var mu sync.Mutex
	most := 0
	o.ObserveCommits(func(c store.CommitStats) {
		mu.Lock()
		most = max(most, c.Updates)
		mu.Unlock()
	})
	return func() int {
		mu.Lock()
		defer mu.Unlock()
		return most
	}
}

// optional returns s as T, an interface a store may implement, and skips
// the test when it does not.
func optional[T any](t *testing.T, s store.Store) T {
	t.Helper()
	x, ok := s.(T)
	if !ok {
		t.Skipf("%T does not implement %s", s, reflect.TypeFor[T]())
	}
	return x
}

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

var errFail = errors.New("fn failed on purpose")

var allWrites = []string{"event", "run", "step", "wait", "wait deleted", "state"}
