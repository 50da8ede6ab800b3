package runtime_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

// BenchmarkWorkflowParallel measures throughput of a workflow of two
// parallel branches of two steps each on SQLite with synchronous=FULL, 64
// runs in flight: the steps of branches record each attempt before they
// run, which top-level steps do not.
func BenchmarkWorkflowParallel(b *testing.B) {
	const inFlight = 64
	done := make(chan struct{}, inFlight)
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "parallel"}, runtime.EventTrigger("bench/parallel.requested", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			branch := func(a, b string) func(ctx context.Context) (string, error) {
				return func(ctx context.Context) (string, error) {
					for _, id := range []string{a, b} {
						if _, err := step.Run(ctx, id, func(ctx context.Context) (string, error) { return id, nil }); err != nil {
							return "", err
						}
					}
					return a, nil
				}
			}
			if _, err := step.Parallel(ctx, branch("a1", "a2"), branch("b1", "b2")); err != nil {
				return nil, err
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
	drive(b, inFlight, 4, done, func(i int) error {
		_, err := eng.Send(ctx, runtime.Event{Name: "bench/parallel.requested", Data: map[string]int{"i": i}})
		return err
	})
}
