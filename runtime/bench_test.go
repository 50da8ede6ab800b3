package runtime_test

import (
	"context"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

// BenchmarkWorkflow3Steps measures throughput of a 3-step workflow on SQLite
// with synchronous=FULL (every commit fsynced), 64 runs in flight.
func BenchmarkWorkflow3Steps(b *testing.B) { benchmarkWorkflow(b, runtime.FunctionOpts{ID: "three-steps"}) }

// BenchmarkWorkflow3StepsConcurrencyLimited is the same workload with a
// per-key concurrency limit: 1,000 keys, limit 5 each.
func BenchmarkWorkflow3StepsConcurrencyLimited(b *testing.B) {
	benchmarkWorkflow(b, runtime.FunctionOpts{ID: "three-steps", Concurrency: []runtime.Concurrency{{Limit: 5, Key: "event.data.key"}}})
}

func benchmarkWorkflow(b *testing.B, opts runtime.FunctionOpts) {
	const inFlight = 64
	done := make(chan struct{}, inFlight)
	fn := runtime.NewFunction(opts, runtime.EventTrigger("bench/run.requested", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			for _, id := range []string{"reserve", "charge", "ship"} {
				if _, err := step.Run(ctx, id, func(ctx context.Context) (string, error) { return id, nil }); err != nil {
					return nil, err
				}
			}
			done <- struct{}{}
			return nil, nil
		})
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{fn}, Workers: inFlight})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer eng.Stop(ctx)
	slots := make(chan struct{}, inFlight)
	b.ResetTimer()
	start := time.Now()
	go func() {
		for i := 0; i < b.N; i++ {
			slots <- struct{}{}
			go func() {
				if _, err := eng.Send(ctx, runtime.Event{Name: "bench/run.requested", Data: map[string]int{"i": i, "key": i % 1000}}); err != nil {
					b.Error(err)
				}
			}()
		}
	}()
	for i := 0; i < b.N; i++ {
		<-done
		<-slots
	}
	elapsed := time.Since(start).Seconds()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed, "runs/s")
	b.ReportMetric(float64(3*b.N)/elapsed, "steps/s")
}

// BenchmarkEventToFirstStep measures the latency from Send to the start of
// the first step of the triggered run, in-process, one run at a time.
func BenchmarkEventToFirstStep(b *testing.B) {
	started := make(chan time.Time, 1)
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "latency"}, runtime.EventTrigger("bench/latency.probe", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			return step.Run(ctx, "first", func(ctx context.Context) (bool, error) {
				started <- time.Now()
				return true, nil
			})
		})
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{fn}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer eng.Stop(ctx)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := eng.Send(ctx, runtime.Event{Name: "bench/latency.probe", Data: map[string]int{"i": i}}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, (<-started).Sub(t0))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
