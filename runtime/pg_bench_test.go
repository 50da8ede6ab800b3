package runtime_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/postgres"
	"github.com/jackc/pgx/v5"
)

// pgDSN is the PostgreSQL database of the tests; they skip without it.
func pgDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv("DURABLE_TEST_POSTGRES")
	if dsn == "" {
		tb.Skip("DURABLE_TEST_POSTGRES is not set (a postgres:// URL of a database the tests may create schemas in)")
	}
	return dsn
}

// pgSchema returns a fresh schema name, dropped with everything in it when
// the test ends.
func pgSchema(tb testing.TB) string {
	tb.Helper()
	dsn := pgDSN(tb)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "durable_test_" + hex.EncodeToString(b)
	tb.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// openPG opens a store on schema, closed when the test ends (before the
// schema is dropped: cleanups run last first).
func openPG(tb testing.TB, schema string, opts ...postgres.Option) *postgres.Store {
	tb.Helper()
	st, err := postgres.Open(context.Background(), pgDSN(tb), append([]postgres.Option{postgres.Schema(schema)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// BenchmarkPGWorkflow3Steps is BenchmarkWorkflow3Steps on PostgreSQL: one
// process, 64 runs of 3 steps in flight.
func BenchmarkPGWorkflow3Steps(b *testing.B) {
	var count queryCounter
	st := openPG(b, pgSchema(b), postgres.MaxConns(32), postgres.QueryTracer(&count))
	benchmarkStepsOn(b, st, &count, 64, []string{"reserve", "charge", "ship"})
}

// BenchmarkPGWorkflow3StepsConcurrencyLimited is BenchmarkPGWorkflow3Steps
// with a per-key concurrency limit (1,000 keys, limit 5 each): every run
// takes a slot when it is claimed, which the claim decides under the key's
// lock, and gives it back when it ends.
func BenchmarkPGWorkflow3StepsConcurrencyLimited(b *testing.B) {
	var count queryCounter
	st := openPG(b, pgSchema(b), postgres.MaxConns(32), postgres.QueryTracer(&count))
	benchmarkStepsOn(b, st, &count, 64, []string{"reserve", "charge", "ship"},
		runtime.Concurrency{Limit: 5, Key: "event.data.key"})
}

// BenchmarkPGWorkflow3StepsInFlight is BenchmarkPGWorkflow3Steps with 32
// to 256 runs in flight: the batches of sends and run commits grow with
// them, and so does throughput while the cores have room.
func BenchmarkPGWorkflow3StepsInFlight(b *testing.B) {
	for _, n := range []int{32, 64, 128, 256} {
		b.Run(fmt.Sprintf("inflight=%d", n), func(b *testing.B) {
			var count queryCounter
			st := openPG(b, pgSchema(b), postgres.MaxConns(32), postgres.QueryTracer(&count))
			benchmarkStepsOn(b, st, &count, n, []string{"reserve", "charge", "ship"})
		})
	}
}

// BenchmarkPGJob is a queue of 1-step jobs on PostgreSQL, 100 in flight.
func BenchmarkPGJob(b *testing.B) {
	var count queryCounter
	st := openPG(b, pgSchema(b), postgres.MaxConns(32), postgres.QueryTracer(&count))
	benchmarkStepsOn(b, st, &count, 100, []string{"work"})
}

// benchmarkStepsOn runs b.N runs of steps on st, inFlight at once, each
// started by its own event (its data's key is the run's number modulo
// 1,000) under the concurrency limits given, and reports runs/s, steps/s
// and the statements (round trips, BEGIN and COMMIT included; a batch is
// one) sent per run.
func benchmarkStepsOn(b *testing.B, st *postgres.Store, count *queryCounter, inFlight int, steps []string, limits ...runtime.Concurrency) {
	done := make(chan struct{}, inFlight)
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "bench", Concurrency: limits}, runtime.EventTrigger("bench/run.requested", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			for _, id := range steps {
				if _, err := step.Run(ctx, id, func(ctx context.Context) (string, error) { return id, nil }); err != nil {
					return nil, err
				}
			}
			done <- struct{}{}
			return nil, nil
		})
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{fn}, Workers: inFlight})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer eng.Stop(ctx)
	from := count.n.Load()
	drive(b, inFlight, len(steps), done, func(i int) error {
		_, err := eng.Send(ctx, runtime.Event{Name: "bench/run.requested", Data: map[string]int{"i": i, "key": i % 1000}})
		return err
	})
	b.ReportMetric(float64(count.n.Load()-from)/float64(b.N), "queries/run")
}

// BenchmarkPGJobBulk works 1-step jobs enqueued in bulk beforehand, as
// River's own benchmark (river bench) does: b.N events are sent 5,000 per
// Send to an engine not yet started (their runs are queued), then an engine
// with 1,000 workers starts and claims them; it reports jobs/s from the
// start until the last job ended, and the statements per job of that part.
func BenchmarkPGJobBulk(b *testing.B) {
	const perSend, workers = 5000, 1000
	var count queryCounter
	st := openPG(b, pgSchema(b), postgres.MaxConns(32), postgres.QueryTracer(&count))
	var finished atomic.Int64
	done := make(chan struct{})
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "bulk"}, runtime.EventTrigger("bench/bulk", ""),
		func(ctx context.Context, in runtime.Input[struct{ I int }]) (any, error) {
			if _, err := step.Run(ctx, "work", func(ctx context.Context) (int, error) { return 1, nil }); err != nil {
				return nil, err
			}
			if finished.Add(1) == int64(b.N) {
				close(done)
			}
			return nil, nil
		})
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{fn}, Workers: workers})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for sent := 0; sent < b.N; sent += perSend {
		events := make([]runtime.Event, min(perSend, b.N-sent))
		for i := range events {
			events[i] = runtime.Event{Name: "bench/bulk", Data: map[string]int{"i": sent + i}}
		}
		if _, err := eng.Send(ctx, events...); err != nil {
			b.Fatal(err)
		}
	}
	from := count.n.Load()
	b.ResetTimer()
	start := time.Now()
	if err := eng.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer eng.Stop(ctx)
	<-done
	elapsed := time.Since(start).Seconds()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed, "runs/s")
	b.ReportMetric(float64(count.n.Load()-from)/float64(b.N), "queries/run")
}

// BenchmarkPGWakeLatency measures the time from Send in one process to the
// first step of the run it starts beginning in another: two engines on two
// stores (two pools, two listeners) of one schema. The sender is not
// started, as a web process that only sends events: Send then queues the
// run rather than leasing it to itself, and only the other engine's wake-up
// (LISTEN/NOTIFY) or poll finds it. Runs are one at a time; p50 and p99
// are reported (run with -benchtime=500x or more).
func BenchmarkPGWakeLatency(b *testing.B) {
	schema := pgSchema(b)
	started := make(chan time.Time, 1)
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "wake"}, runtime.EventTrigger("bench/wake", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			return step.Run(ctx, "first", func(ctx context.Context) (int, error) {
				started <- time.Now()
				return 0, nil
			})
		})
	newEngine := func() *runtime.Engine {
		// A poll interval far above the targets: what is measured is the
		// wake-up, not the poll.
		eng, err := runtime.New(runtime.Options{Store: openPG(b, schema, postgres.MaxConns(8)), Functions: []*runtime.Function{fn}, PollInterval: 5 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		return eng
	}
	sender, worker := newEngine(), newEngine()
	ctx := context.Background()
	if err := worker.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer worker.Stop(ctx)
	// The worker's listener connects in the background: wait for it to
	// hear a first run.
	if _, err := sender.Send(ctx, runtime.Event{Name: "bench/wake", Data: map[string]any{}}); err != nil {
		b.Fatal(err)
	}
	<-started
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sent := time.Now()
		if _, err := sender.Send(ctx, runtime.Event{Name: "bench/wake", Data: map[string]any{}}); err != nil {
			b.Fatal(err)
		}
		select {
		case at := <-started:
			lat = append(lat, at.Sub(sent))
		case <-time.After(time.Minute):
			b.Fatalf("run %d: its first step did not start within a minute", i)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}

// queryCounter is a pgx tracer that counts round trips: statements sent
// alone, and batches.
type queryCounter struct{ n atomic.Int64 }

func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// A batch is one round trip, however many statements it holds.
func (c *queryCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *queryCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (c *queryCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// BenchmarkPGIdleQueries counts the statements (BEGIN and COMMIT included)
// an idle engine sends to PostgreSQL per minute, once its poll interval has
// grown: each iteration is one idle minute (run with -benchtime=1x).
func BenchmarkPGIdleQueries(b *testing.B) {
	var count queryCounter
	st := openPG(b, pgSchema(b), postgres.QueryTracer(&count))
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "idle"}, runtime.EventTrigger("bench/idle", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) { return nil, nil })
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{fn}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer eng.Stop(ctx)
	// The poll interval doubles from 1 s to its bound in about 30 s.
	time.Sleep(35 * time.Second)
	b.ResetTimer()
	from := count.n.Load()
	for i := 0; i < b.N; i++ {
		time.Sleep(time.Minute)
	}
	b.StopTimer()
	b.ReportMetric(float64(count.n.Load()-from)/float64(b.N), "queries/min")
}
