package runtime_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/internal/vclock"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

type testEngine struct {
	*runtime.Engine
	clock *vclock.Clock
	path  string
	close func()
}

var epoch = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)

// newEngine starts an engine with a virtual clock on a fresh SQLite file.
func newEngine(t testing.TB, fns ...*runtime.Function) *testEngine {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	return startEngine(t, path, vclock.New(epoch), fns...)
}

func startEngine(t testing.TB, path string, clock *vclock.Clock, fns ...*runtime.Function) *testEngine {
	t.Helper()
	st, err := sqlite.Open(path, sqlite.Synchronous("OFF"))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := runtime.New(runtime.Options{Store: st, Functions: fns, Clock: clock, PollInterval: 20 * time.Millisecond})
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	closeAll := func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := eng.Stop(ctx); err != nil {
				t.Errorf("stop: %v", err)
			}
			st.Close()
		})
	}
	t.Cleanup(closeAll)
	return &testEngine{Engine: eng, clock: clock, path: path, close: closeAll}
}

// send sends one event and returns its ID.
func (te *testEngine) send(t testing.TB, name string, data any) string {
	t.Helper()
	ids, err := te.Send(context.Background(), runtime.Event{Name: name, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	return ids[0]
}

// onlyRun returns the single run of function fnID, waiting for it to exist.
func (te *testEngine) onlyRun(t testing.TB, fnID string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		runs, err := runList(te.Runs(context.Background(), runtime.RunFilter{FunctionID: fnID}))
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) > 1 {
			t.Fatalf("function %s has %d runs, want 1", fnID, len(runs))
		}
		if len(runs) == 1 {
			return runs[0].ID
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("no run of %s", fnID)
	return ""
}

// await waits (in wall time) until the run reaches one of the statuses.
func (te *testEngine) await(t testing.TB, runID string, want ...runtime.RunStatus) runtime.RunInfo {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var info runtime.RunInfo
	for time.Now().Before(deadline) {
		var err error
		info, err = te.Run(context.Background(), runID)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if info.Status == w {
				return info
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("run %s: status %s after 10s, want one of %v (error %q)", runID, info.Status, want, info.Error)
	return info
}

// advanceUntil moves the virtual clock forward by step, again and again,
// until the run reaches one of the statuses.
func (te *testEngine) advanceUntil(t testing.TB, runID string, step time.Duration, want ...runtime.RunStatus) runtime.RunInfo {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var info runtime.RunInfo
	for time.Now().Before(deadline) {
		var err error
		info, err = te.Run(context.Background(), runID)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if info.Status == w {
				return info
			}
		}
		te.clock.Advance(step)
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("run %s: status %s after 10s, want one of %v", runID, info.Status, want)
	return info
}

func openStore(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(path, sqlite.Synchronous("OFF"))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// nopStore is a store for tests that never start an engine.
func nopStore(t testing.TB) *sqlite.Store {
	st := openStore(t, filepath.Join(t.TempDir(), "unused.db"))
	t.Cleanup(func() { st.Close() })
	return st
}
