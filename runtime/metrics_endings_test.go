package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store"
	"github.com/durable-go/durable/runtime/store/sqlite"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestMetricsEveryEndingCounted: durable_runs_finished_total counts the
// runs ended inside other transactions (a cancel event, sent by a client or
// from a step, a singleton replacing a run, a key error before the start,
// a bulk cancel, the skips of flow control and of Resume), once each.
func TestMetricsEveryEndingCounted(t *testing.T) {
	nap := func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
		return nil, step.Sleep(ctx, "nap", time.Hour)
	}
	const start = "test/work.requested"
	for _, tc := range []struct {
		name string
		opts runtime.FunctionOpts
		// act drives the engine; fn is the function of opts, "work".
		act  func(t *testing.T, te *testEngine)
		want string // the series of durable_runs_finished_total
	}{{
		name: "cancel event",
		opts: runtime.FunctionOpts{Cancel: []runtime.Cancel{{Event: "test/work.stopped"}}},
		act: func(t *testing.T, te *testEngine) {
			te.send(t, start, map[string]any{})
			id := te.onlyRun(t, "work")
			te.await(t, id, runtime.RunSleeping)
			te.send(t, "test/work.stopped", map[string]any{})
			te.await(t, id, runtime.RunCancelled)
		},
		want: `durable_runs_finished_total{function="work",status="cancelled"} 1`,
	}, {
		name: "cancel event sent from a step",
		opts: runtime.FunctionOpts{Cancel: []runtime.Cancel{{Event: "test/work.stopped"}}},
		act: func(t *testing.T, te *testEngine) {
			te.send(t, start, map[string]any{})
			id := te.onlyRun(t, "work")
			te.await(t, id, runtime.RunSleeping)
			te.send(t, "test/stopper.requested", map[string]any{})
			te.await(t, te.onlyRun(t, "stopper"), runtime.RunCompleted)
			te.await(t, id, runtime.RunCancelled)
		},
		want: `durable_runs_finished_total{function="stopper",status="completed"} 1
durable_runs_finished_total{function="work",status="cancelled"} 1`,
	}, {
		name: "singleton replaces a run",
		opts: runtime.FunctionOpts{Singleton: &runtime.Singleton{Key: "event.data.k", Mode: runtime.SingletonCancel}},
		act: func(t *testing.T, te *testEngine) {
			te.send(t, start, map[string]any{"k": "a"})
			te.await(t, te.onlyRun(t, "work"), runtime.RunSleeping)
			te.send(t, start, map[string]any{"k": "a"})
			te.runsOf(t, "work", 2, runtime.RunCancelled, runtime.RunSleeping)
		},
		want: `durable_runs_finished_total{function="work",status="cancelled"} 1`,
	}, {
		name: "singleton skips a run",
		opts: runtime.FunctionOpts{Singleton: &runtime.Singleton{Key: "event.data.k", Mode: runtime.SingletonSkip}},
		act: func(t *testing.T, te *testEngine) {
			te.send(t, start, map[string]any{"k": "a"})
			te.await(t, te.onlyRun(t, "work"), runtime.RunSleeping)
			te.send(t, start, map[string]any{"k": "a"})
			te.runsOf(t, "work", 2, runtime.RunSkipped, runtime.RunSleeping)
		},
		want: `durable_runs_finished_total{function="work",status="skipped"} 1`,
	}, {
		name: "key error before the start",
		opts: runtime.FunctionOpts{Idempotency: "event.data.missing"},
		act: func(t *testing.T, te *testEngine) {
			te.send(t, start, map[string]any{})
			te.await(t, te.onlyRun(t, "work"), runtime.RunFailed)
		},
		want: `durable_runs_finished_total{function="work",status="failed"} 1`,
	}, {
		name: "idempotency skip",
		opts: runtime.FunctionOpts{Idempotency: "event.data.k"},
		act: func(t *testing.T, te *testEngine) {
			te.send(t, start, map[string]any{"k": "a"})
			te.send(t, start, map[string]any{"k": "a"})
			te.runsOf(t, "work", 2, runtime.RunSkipped, runtime.RunSleeping)
		},
		want: `durable_runs_finished_total{function="work",status="skipped"} 1`,
	}, {
		name: "rate limit skip",
		opts: runtime.FunctionOpts{RateLimit: &runtime.RateLimit{Limit: 1, Period: time.Hour}},
		act: func(t *testing.T, te *testEngine) {
			te.send(t, start, map[string]any{})
			te.send(t, start, map[string]any{})
			te.runsOf(t, "work", 2, runtime.RunSkipped, runtime.RunSleeping)
		},
		want: `durable_runs_finished_total{function="work",status="skipped"} 1`,
	}, {
		name: "bulk cancel",
		act: func(t *testing.T, te *testEngine) {
			te.send(t, start, map[string]any{})
			te.send(t, start, map[string]any{})
			te.runsOf(t, "work", 2, runtime.RunSleeping)
			n, err := te.CancelRuns(context.Background(), runtime.BulkFilter{FunctionID: "work"})
			if err != nil || n != 2 {
				t.Fatalf("CancelRuns: %d, %v; want 2", n, err)
			}
		},
		want: `durable_runs_finished_total{function="work",status="cancelled"} 2`,
	}, {
		name: "resume skips the held runs",
		act: func(t *testing.T, te *testEngine) {
			if err := te.Pause(context.Background(), "work"); err != nil {
				t.Fatal(err)
			}
			te.send(t, start, map[string]any{})
			n, err := te.Resume(context.Background(), "work", runtime.ResumeOpts{SkipHeld: true})
			if err != nil || n != 1 {
				t.Fatalf("Resume: %d, %v; want 1", n, err)
			}
		},
		want: `durable_runs_finished_total{function="work",status="skipped"} 1`,
	}, {
		name: "cancel",
		act: func(t *testing.T, te *testEngine) {
			te.send(t, start, map[string]any{})
			id := te.onlyRun(t, "work")
			te.await(t, id, runtime.RunSleeping)
			for range 2 { // the second finds it ended: not counted again
				if err := te.Cancel(context.Background(), id); err != nil {
					t.Fatal(err)
				}
			}
		},
		want: `durable_runs_finished_total{function="work",status="cancelled"} 1`,
	}} {
		// rerun: every transaction's callback runs twice, the first run
		// rolled back, as a store retrying a transaction does.
		for _, rerun := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/rerun=%v", tc.name, rerun), func(t *testing.T) {
				reg := prometheus.NewRegistry()
				opts := tc.opts
				opts.ID = "work"
				work := runtime.NewFunction(opts, runtime.EventTrigger(start, ""), nap)
				stopper := runtime.NewFunction(runtime.FunctionOpts{ID: "stopper"}, runtime.EventTrigger("test/stopper.requested", ""),
					func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
						return step.SendEvent(ctx, "stop", runtime.Event{Name: "test/work.stopped", Data: map[string]any{}})
					})
				o := runtime.Options{Functions: []*runtime.Function{work, stopper}, Metrics: reg}
				if rerun {
					o.Store = &rerunStore{Store: openSQLite(t)}
				}
				te := startObserved(t, o, true)
				tc.act(t, te)
				want := "# HELP durable_runs_finished_total Runs this engine ended, by function and status (completed, failed, cancelled, skipped).\n" +
					"# TYPE durable_runs_finished_total counter\n" + tc.want + "\n"
				// A run's end is counted after its commit, which await may
				// see first: the count is read until it is right or a while
				// has passed, and once more a little later, so that an end
				// counted twice is not missed.
				compare := func() error {
					return testutil.GatherAndCompare(reg, strings.NewReader(want), "durable_runs_finished_total")
				}
				err := compare()
				for deadline := time.Now().Add(5 * time.Second); err != nil && time.Now().Before(deadline); err = compare() {
					time.Sleep(10 * time.Millisecond)
				}
				if err == nil {
					time.Sleep(100 * time.Millisecond)
					err = compare()
				}
				if err != nil {
					t.Error(err)
				}
			})
		}
	}
}

// rerunStore runs the callback of every Update twice: the first run is
// rolled back, as when a store retries a transaction.
type rerunStore struct{ store.Store }

var errRolledBack = errors.New("rolled back to run again")

func (s *rerunStore) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	if err := s.Store.Update(ctx, func(tx store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errRolledBack
	}); !errors.Is(err, errRolledBack) {
		return err
	}
	return s.Store.Update(ctx, fn)
}

func openSQLite(t *testing.T) store.Store {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "rerun.db"), sqlite.Synchronous("OFF"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
