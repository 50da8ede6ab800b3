package runtime_test

import (
	"context"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/internal/vclock"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/postgres"
)

// BenchmarkPGWakeMany parks 2,000 runs in a sleep on PostgreSQL (the peer
// benchmark's "sleeping runs woken at once", at its 2,000-run size), then
// moves the virtual clock past their wake-up and times until every run has
// finished: each woken run is claimed, replays its journal (the sleep), runs
// one step and ends. Parking is not timed. It reports woken runs/s and the
// statements (round trips, BEGIN and COMMIT included) per woken run.
func BenchmarkPGWakeMany(b *testing.B) {
	const runs = 2000
	var count queryCounter
	st := openPG(b, pgSchema(b), postgres.MaxConns(32), postgres.QueryTracer(&count))
	done := make(chan struct{}, runs)
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "wake"}, runtime.EventTrigger("bench/wake.requested", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			if err := step.Sleep(ctx, "nap", time.Hour); err != nil {
				return nil, err
			}
			if _, err := step.Run(ctx, "after", func(ctx context.Context) (int, error) { return 1, nil }); err != nil {
				return nil, err
			}
			done <- struct{}{}
			return nil, nil
		})
	clock := vclock.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{fn}, Workers: 64, Clock: clock, PollInterval: 20 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer eng.Stop(ctx)
	var woken time.Duration
	var queries int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		batch := make([]runtime.Event, 0, 500)
		for j := 0; j < runs; j++ {
			batch = append(batch, runtime.Event{Name: "bench/wake.requested", Data: map[string]int{"i": i*runs + j}})
			if len(batch) == cap(batch) {
				if _, err := eng.Send(ctx, batch...); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		// Wait until every run sent sleeps (none queued or running). The
		// virtual clock does not move: kick the engine's timers so that a
		// poll finds the runs queued behind busy slots.
		deadline := time.Now().Add(5 * time.Minute)
		for {
			busy, err := runList(eng.Runs(ctx, runtime.RunFilter{Statuses: []runtime.RunStatus{runtime.RunQueued, runtime.RunRunning}, Limit: 1}))
			if err != nil {
				b.Fatal(err)
			}
			if len(busy) == 0 {
				break
			}
			if time.Now().After(deadline) {
				b.Fatal("runs still queued or running after 5 minutes of parking")
			}
			clock.Kick()
			time.Sleep(20 * time.Millisecond)
		}
		from := count.n.Load()
		start := time.Now()
		b.StartTimer()
		clock.Advance(2 * time.Hour)
		for j := 0; j < runs; j++ {
			select {
			case <-done:
			case <-time.After(2 * time.Minute):
				b.Fatalf("%d of %d woken runs finished within 2 minutes", j, runs)
			}
		}
		b.StopTimer()
		woken += time.Since(start)
		queries += count.n.Load() - from
	}
	b.ReportMetric(float64(runs*b.N)/woken.Seconds(), "runs/s")
	b.ReportMetric(float64(queries)/float64(runs*b.N), "queries/run")
}
