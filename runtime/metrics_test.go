package runtime_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
)

// TestMetricsRunsAndSteps: runs started and finished by function and
// status, step attempts timed by outcome, and the store's commits.
func TestMetricsRunsAndSteps(t *testing.T) {
	reg := prometheus.NewRegistry()
	ok := runtime.NewFunction(runtime.FunctionOpts{ID: "ok"}, runtime.EventTrigger("test/ok.requested", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			for _, id := range []string{"a", "b"} {
				if _, err := step.Run(ctx, id, func(ctx context.Context) (int, error) { return 1, nil }); err != nil {
					return nil, err
				}
			}
			return nil, step.Sleep(ctx, "nap", time.Hour)
		})
	bad := runtime.NewFunction(runtime.FunctionOpts{ID: "bad", Retries: runtime.Retries(1)}, runtime.EventTrigger("test/bad.requested", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			return step.Run(ctx, "call", func(ctx context.Context) (int, error) { return 0, errors.New("down") })
		})
	te := startObserved(t, runtime.Options{Functions: []*runtime.Function{ok, bad}, Metrics: reg}, true)
	for range 2 {
		te.send(t, "test/ok.requested", map[string]any{})
	}
	te.send(t, "test/bad.requested", map[string]any{})
	runs, err := te.Runs(context.Background(), runtime.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs.Runs {
		te.advanceUntil(t, r.ID, 30*time.Minute, runtime.RunCompleted, runtime.RunFailed)
	}

	// A run resumed after its sleep is not started again; its replayed
	// steps are not timed again.
	want := `
# HELP durable_runs_finished_total Runs this engine ended, by function and status (completed, failed, cancelled, skipped).
# TYPE durable_runs_finished_total counter
durable_runs_finished_total{function="bad",status="failed"} 1
durable_runs_finished_total{function="ok",status="completed"} 2
# HELP durable_runs_started_total Runs whose first execution started, by function.
# TYPE durable_runs_started_total counter
durable_runs_started_total{function="bad"} 1
durable_runs_started_total{function="ok"} 2
`
	// A run's end is counted just after its commit, which advanceUntil
	// may see first: the counters are read until they agree, or 5 s.
	var gatherErr error
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		gatherErr = testutil.GatherAndCompare(reg, strings.NewReader(want), "durable_runs_started_total", "durable_runs_finished_total")
		if gatherErr == nil || time.Now().After(deadline) {
			break
		}
	}
	if gatherErr != nil {
		t.Error(gatherErr)
	}
	counts := histogramCounts(t, reg, "durable_step_duration_seconds")
	for series, want := range map[string]uint64{
		"function=ok,kind=run,status=completed": 4,
		"function=bad,kind=run,status=retrying": 1,
		"function=bad,kind=run,status=failed":   1,
	} {
		if counts[series] != want {
			t.Errorf("durable_step_duration_seconds{%s}: %d observations, want %d (all: %v)", series, counts[series], want, counts)
		}
	}
	if len(counts) != 3 {
		t.Errorf("step duration series %v, want 3 (a sleep is not timed)", counts)
	}
	// Stopped, the engine commits nothing while the two are read.
	if err := te.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	commits := histogramCounts(t, reg, "durable_store_commit_batch_size")[""]
	if commits == 0 {
		t.Error("no store commit observed")
	}
	if n := histogramCounts(t, reg, "durable_store_commit_duration_seconds")[""]; n != commits {
		t.Errorf("%d commit durations, %d batch sizes; want as many", n, commits)
	}
}

// TestMetricsQueue: the queue's gauges are read from the store at scrape.
func TestMetricsQueue(t *testing.T) {
	reg := prometheus.NewRegistry()
	// A run holds its slot while it executes a step: the first of each key
	// holds it until the test ends.
	release := make(chan struct{})
	limited := runtime.NewFunction(runtime.FunctionOpts{ID: "limited", Concurrency: []runtime.Concurrency{{Limit: 1, Key: "event.data.k"}}},
		runtime.EventTrigger("test/limited.requested", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			return step.Run(ctx, "hold", func(ctx context.Context) (int, error) {
				select {
				case <-release:
				case <-ctx.Done():
				}
				return 1, nil
			})
		})
	// Not started: the runs stay queued until it is.
	te := startObserved(t, runtime.Options{Functions: []*runtime.Function{limited}, Metrics: reg}, false)
	for _, k := range []string{"x", "x", "x", "y"} {
		te.send(t, "test/limited.requested", map[string]any{"k": k})
	}
	te.clock.Advance(90 * time.Second)
	want := `
# HELP durable_blocked_keys Concurrency keys with at least one blocked run.
# TYPE durable_blocked_keys gauge
durable_blocked_keys 0
# HELP durable_blocked_runs Runs due but held by a concurrency limit.
# TYPE durable_blocked_runs gauge
durable_blocked_runs 0
# HELP durable_queue_depth Runs due now and not executing (queued, or sleeping or waiting past their time).
# TYPE durable_queue_depth gauge
durable_queue_depth 4
# HELP durable_queue_oldest_ready_age_seconds How long the run due the longest has been due; 0 when none is.
# TYPE durable_queue_oldest_ready_age_seconds gauge
durable_queue_oldest_ready_age_seconds 90
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "durable_queue_depth", "durable_queue_oldest_ready_age_seconds", "durable_blocked_runs", "durable_blocked_keys"); err != nil {
		t.Error(err)
	}

	// Started, one run per key holds its slot and the others are blocked
	// behind it.
	if err := te.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer close(release)
	deadline := time.Now().Add(10 * time.Second)
	want = `
# HELP durable_blocked_runs Runs due but held by a concurrency limit.
# TYPE durable_blocked_runs gauge
durable_blocked_runs 2
# HELP durable_blocked_runs_by_key Blocked runs of each of the 20 concurrency keys with the most.
# TYPE durable_blocked_runs_by_key gauge
durable_blocked_runs_by_key{key="function/limited/x"} 2
# HELP durable_queue_depth Runs due now and not executing (queued, or sleeping or waiting past their time).
# TYPE durable_queue_depth gauge
durable_queue_depth 0
`
	for {
		err := testutil.GatherAndCompare(reg, strings.NewReader(want), "durable_blocked_runs", "durable_blocked_runs_by_key", "durable_queue_depth")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestMetricsRegisteredTwice: a second engine on the same registry is
// refused, naming the option.
func TestMetricsRegisteredTwice(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := runtime.New(runtime.Options{Store: nopStore(t), Metrics: reg}); err != nil {
		t.Fatal(err)
	}
	_, err := runtime.New(runtime.Options{Store: nopStore(t), Metrics: reg})
	if err == nil || !strings.Contains(err.Error(), "Options.Metrics") {
		t.Fatalf("New with a registry in use: %v, want an error naming Options.Metrics", err)
	}
}

// histogramCounts returns the observation count of each series of the
// histogram name, by its labels ("k=v,k=v").
func histogramCounts(t *testing.T, reg *prometheus.Registry, name string) map[string]uint64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]uint64{}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			out[labels(m)] = m.GetHistogram().GetSampleCount()
		}
	}
	return out
}

func labels(m *dto.Metric) string {
	var parts []string
	for _, l := range m.GetLabel() {
		parts = append(parts, l.GetName()+"="+l.GetValue())
	}
	return strings.Join(parts, ",")
}
