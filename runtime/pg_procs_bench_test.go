package runtime_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/postgres"
	"github.com/jackc/pgx/v5"
)

// pgWorkerEnv starts TestPGBenchWorker in a child of
// BenchmarkPGWorkflow3StepsProcesses: "<dsn>\n<schema>\n<workers>\n<file>",
// where the worker keeps the count of statements it has sent.
const pgWorkerEnv = "DURABLE_PGBENCH_WORKER"

// pgBenchFunction is the 3-step workflow of the process benchmark.
var pgBenchFunction = runtime.NewFunction(runtime.FunctionOpts{ID: "bench"}, runtime.EventTrigger("bench/run.requested", ""),
	func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
		for _, id := range []string{"reserve", "charge", "ship"} {
			if _, err := step.Run(ctx, id, func(ctx context.Context) (string, error) { return id, nil }); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})

// TestPGBenchWorker is one worker process of
// BenchmarkPGWorkflow3StepsProcesses; it skips unless started by it, and
// runs until killed.
func TestPGBenchWorker(t *testing.T) {
	spec := os.Getenv(pgWorkerEnv)
	if spec == "" {
		t.Skip("a child process of BenchmarkPGWorkflow3StepsProcesses")
	}
	parts := strings.Split(spec, "\n")
	if len(parts) != 4 {
		t.Fatalf("%s = %q", pgWorkerEnv, spec)
	}
	workers, err := strconv.Atoi(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var count queryCounter
	go func() {
		// The benchmark kills this process: the count is kept in a file,
		// replaced whole every 10 ms.
		for {
			tmp := parts[3] + ".tmp"
			if err := os.WriteFile(tmp, []byte(strconv.FormatInt(count.n.Load(), 10)), 0o644); err == nil {
				os.Rename(tmp, parts[3])
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	st, err := postgres.Open(ctx, parts[0], postgres.Schema(parts[1]), postgres.MaxConns(min(workers, 32)), postgres.QueryTracer(&count))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{pgBenchFunction}, Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Minute) // the benchmark kills its workers; this frees a forgotten one
	t.Fatal("not stopped within 10 minutes")
}

// BenchmarkPGWorkflow3StepsProcesses runs 3-step workflows, 64 in flight,
// on 1 and on 3 engine processes sharing one schema. The benchmark process
// only sends (an engine not started, as a web process), the runs execute
// in the worker processes, and it counts completed runs in the database:
// the figure includes finding work through LISTEN/NOTIFY and claims,
// which BenchmarkPGWorkflow3Steps (send and execute in one process,
// straight to a free slot) does not.
func BenchmarkPGWorkflow3StepsProcesses(b *testing.B) {
	if os.Getenv(pgWorkerEnv) != "" {
		b.Skip("in a worker")
	}
	const inFlight = 64
	for _, procs := range []int{1, 3} {
		b.Run(fmt.Sprintf("procs=%d", procs), func(b *testing.B) {
			dsn, schema := pgDSN(b), pgSchema(b)
			var senderCount queryCounter
			st := openPG(b, schema, postgres.MaxConns(16), postgres.QueryTracer(&senderCount))
			sender, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{pgBenchFunction}})
			if err != nil {
				b.Fatal(err)
			}
			countFiles := make([]string, procs)
			for i := range procs {
				countFiles[i] = filepath.Join(b.TempDir(), "statements")
				cmd := exec.Command(os.Args[0], "-test.run=^TestPGBenchWorker$", "-test.count=1")
				// Each process runs a share of the runs in flight, so the
				// cluster as a whole has inFlight slots.
				cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s\n%s\n%d\n%s", pgWorkerEnv, dsn, schema, (inFlight+procs-1-i)/procs, countFiles[i]))
				cmd.Stderr = os.Stderr
				if err := cmd.Start(); err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
			}
			// statements counts what the sender and the workers have sent,
			// less the benchmark's own polls of the completed runs.
			polls := int64(0)
			statements := func() int64 {
				n := senderCount.n.Load() - polls
				for _, f := range countFiles {
					raw, err := os.ReadFile(f)
					if err != nil {
						b.Fatal(err)
					}
					w, err := strconv.ParseInt(string(raw), 10, 64)
					if err != nil {
						b.Fatalf("%s: %v", f, err)
					}
					n += w
				}
				return n
			}
			ctx := context.Background()
			completed := func() int {
				polls++
				var n int
				err := st.Pool().QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{schema, "runs"}.Sanitize()+" WHERE status = 'completed'").Scan(&n)
				if err != nil {
					b.Fatal(err)
				}
				return n
			}
			send := func(n int) {
				events := make([]runtime.Event, n)
				for i := range events {
					events[i] = runtime.Event{Name: "bench/run.requested", Data: map[string]int{}}
				}
				if _, err := sender.Send(ctx, events...); err != nil {
					b.Fatal(err)
				}
			}
			// Warm up: every worker has connected and executed a run.
			send(procs * 4)
			for completed() < procs*4 {
				time.Sleep(5 * time.Millisecond)
			}
			base := completed()
			time.Sleep(20 * time.Millisecond) // the workers' counts are written every 10 ms
			fromStatements := statements()
			b.ResetTimer()
			start := time.Now()
			sent, done := 0, 0
			for done < b.N {
				// Keep inFlight runs sent and not completed, sending in
				// small batches as runs complete.
				if want := min(b.N, done+inFlight) - sent; want > 0 {
					for want > 0 {
						n := min(want, 8)
						send(n)
						sent, want = sent+n, want-n
					}
				}
				time.Sleep(2 * time.Millisecond)
				done = completed() - base
			}
			elapsed := time.Since(start).Seconds()
			b.StopTimer()
			time.Sleep(20 * time.Millisecond)
			b.ReportMetric(float64(b.N)/elapsed, "runs/s")
			b.ReportMetric(float64(3*b.N)/elapsed, "steps/s")
			b.ReportMetric(float64(statements()-fromStatements)/float64(b.N), "queries/run")
		})
	}
}
