package runtime_test

import (
	"context"
	"os"
	"path/filepath"
	goruntime "runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

// BenchmarkWorkflow3Steps measures throughput of a 3-step workflow on SQLite
// with synchronous=FULL (every commit fsynced), 64 runs in flight.
func BenchmarkWorkflow3Steps(b *testing.B) {
	benchmarkWorkflow(b, runtime.FunctionOpts{ID: "three-steps"})
}

// BenchmarkWorkflow3StepsConcurrencyLimited is the same workload with a
// per-key concurrency limit: 1,000 keys, limit 5 each.
func BenchmarkWorkflow3StepsConcurrencyLimited(b *testing.B) {
	benchmarkWorkflow(b, runtime.FunctionOpts{ID: "three-steps", Concurrency: []runtime.Concurrency{{Limit: 5, Key: "event.data.key"}}})
}

// benchmarkWorkflow runs the workflow benchmark; configure, if given,
// changes the engine's options.
func benchmarkWorkflow(b *testing.B, opts runtime.FunctionOpts, configure ...func(*runtime.Options)) {
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
	engOpts := runtime.Options{Store: st, Functions: []*runtime.Function{fn}, Workers: inFlight}
	for _, c := range configure {
		c(&engOpts)
	}
	eng, err := runtime.New(engOpts)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer eng.Stop(ctx)
	cpu := processCPU()
	drive(b, inFlight, 3, done, func(i int) error {
		_, err := eng.Send(ctx, runtime.Event{Name: "bench/run.requested", Data: map[string]int{"i": i, "key": i % 1000}})
		return err
	})
	// CPU per run moves less than throughput with the machine's other load.
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/run")
}

// drive sends b.N events with send, keeping at most inFlight runs going
// (each run signals done when it ends), and reports runs/s and steps/s
// for runs of stepsPerRun steps.
func drive(b *testing.B, inFlight, stepsPerRun int, done <-chan struct{}, send func(i int) error) {
	slots := make(chan struct{}, inFlight)
	b.ResetTimer()
	start := time.Now()
	go func() {
		for i := 0; i < b.N; i++ {
			slots <- struct{}{}
			go func() {
				if err := send(i); err != nil {
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
	b.ReportMetric(float64(stepsPerRun*b.N)/elapsed, "steps/s")
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

// BenchmarkParkedRuns parks 100,000 runs in a sleep and reports the
// goroutines and the resident memory of the process with all of them
// parked: a parked run holds rows, not a goroutine.
func BenchmarkParkedRuns(b *testing.B) {
	const runs = 100_000
	for b.Loop() {
		fn := runtime.NewFunction(runtime.FunctionOpts{ID: "parked"}, runtime.EventTrigger("bench/nap.requested", ""),
			func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
				return nil, step.Sleep(ctx, "nap", 30*24*time.Hour)
			})
		st, err := sqlite.Open(filepath.Join(b.TempDir(), "parked.db"), sqlite.Synchronous("NORMAL"))
		if err != nil {
			b.Fatal(err)
		}
		eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{fn}, PollInterval: 10 * time.Millisecond})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		if err := eng.Start(ctx); err != nil {
			b.Fatal(err)
		}
		goroutinesBefore := goruntime.NumGoroutine()
		batch := make([]runtime.Event, 0, 1000)
		for i := 0; i < runs; i++ {
			batch = append(batch, runtime.Event{Name: "bench/nap.requested", Data: map[string]int{"i": i}})
			if len(batch) == cap(batch) {
				if _, err := eng.Send(ctx, batch...); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		// Wait until no run is left to park (all sent runs are sleeping).
		for {
			busy, err := runList(eng.Runs(ctx, runtime.RunFilter{Statuses: []runtime.RunStatus{runtime.RunQueued, runtime.RunRunning}, Limit: 1}))
			if err != nil {
				b.Fatal(err)
			}
			if len(busy) == 0 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		sample, err := runList(eng.Runs(ctx, runtime.RunFilter{Statuses: []runtime.RunStatus{runtime.RunSleeping}, Limit: 1}))
		if err != nil || len(sample) != 1 {
			b.Fatalf("no sleeping run: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
		debug.FreeOSMemory()
		b.ReportMetric(float64(goroutinesBefore), "goroutines-before")
		b.ReportMetric(float64(goruntime.NumGoroutine()), "goroutines-parked")
		b.ReportMetric(float64(rssKiB())/1024, "RSS-MiB")
		eng.Stop(ctx)
		st.Close()
	}
}

// rssKiB reads the resident set size of the process (Linux), or 0.
func rssKiB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return n
		}
	}
	return 0
}
