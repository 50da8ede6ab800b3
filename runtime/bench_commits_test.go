package runtime_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

// countingStore counts the Updates that committed and the rows they wrote
// (runs, steps, waits, events): the work of the store's single writer,
// which bounds throughput, measured without the noise of timings.
type countingStore struct {
	store.Store
	updates, writes atomic.Int64
}

func (s *countingStore) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	var n int64
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		n = 0
		return fn(&countingTx{Tx: tx, n: &n})
	})
	if err == nil {
		s.updates.Add(1)
		s.writes.Add(n)
	}
	return err
}

type countingTx struct {
	store.Tx
	n *int64
}

func (t *countingTx) InsertEvent(ctx context.Context, ev store.Event) (bool, error) {
	*t.n++
	return t.Tx.InsertEvent(ctx, ev)
}
func (t *countingTx) InsertRun(ctx context.Context, r store.Run) error {
	*t.n++
	return t.Tx.InsertRun(ctx, r)
}
func (t *countingTx) UpdateRun(ctx context.Context, id string, c store.RunCond, u store.RunUpdate) (bool, error) {
	*t.n++
	return t.Tx.UpdateRun(ctx, id, c, u)
}
func (t *countingTx) PutStep(ctx context.Context, s store.Step) error {
	*t.n++
	return t.Tx.PutStep(ctx, s)
}
func (t *countingTx) PutOwnedStep(ctx context.Context, s store.Step, owner string) (bool, error) {
	*t.n++
	return t.Tx.PutOwnedStep(ctx, s, owner)
}
func (t *countingTx) InsertWait(ctx context.Context, w store.Wait) error {
	*t.n++
	return t.Tx.InsertWait(ctx, w)
}

// BenchmarkStoreWorkPerRun reports the committed Updates and the rows
// written per run of a 3-step workflow and of two parallel branches of two
// steps, one run at a time (the counts do not depend on timing).
func BenchmarkStoreWorkPerRun(b *testing.B) {
	run := func(ctx context.Context, id string) error {
		_, err := step.Run(ctx, id, func(ctx context.Context) (string, error) { return id, nil })
		return err
	}
	for _, tc := range []struct {
		name string
		body func(ctx context.Context) error
	}{
		{"3steps", func(ctx context.Context) error {
			for _, id := range []string{"reserve", "charge", "ship"} {
				if err := run(ctx, id); err != nil {
					return err
				}
			}
			return nil
		}},
		{"parallel2x2", func(ctx context.Context) error {
			branch := func(a, c string) func(ctx context.Context) (int, error) {
				return func(ctx context.Context) (int, error) {
					if err := run(ctx, a); err != nil {
						return 0, err
					}
					return 0, run(ctx, c)
				}
			}
			_, err := step.Parallel(ctx, branch("a1", "a2"), branch("b1", "b2"))
			return err
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			done := make(chan struct{}, 1)
			fn := runtime.NewFunction(runtime.FunctionOpts{ID: "work"}, runtime.EventTrigger("bench/work.requested", ""),
				func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
					defer func() { done <- struct{}{} }()
					return nil, tc.body(ctx)
				})
			st, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"), sqlite.Synchronous("OFF"))
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			cs := &countingStore{Store: st}
			eng, err := runtime.New(runtime.Options{Store: cs, Functions: []*runtime.Function{fn}})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if err := eng.Start(ctx); err != nil {
				b.Fatal(err)
			}
			defer eng.Stop(ctx)
			b.ResetTimer()
			for range b.N {
				if _, err := eng.Send(ctx, runtime.Event{Name: "bench/work.requested", Data: map[string]int{}}); err != nil {
					b.Fatal(err)
				}
				<-done
			}
			// The last run's end may still be committing.
			runs, err := runList(eng.Runs(ctx, runtime.RunFilter{Statuses: []runtime.RunStatus{runtime.RunCompleted}, Limit: b.N + 1}))
			for err == nil && len(runs) < b.N {
				runs, err = runList(eng.Runs(ctx, runtime.RunFilter{Statuses: []runtime.RunStatus{runtime.RunCompleted}, Limit: b.N + 1}))
			}
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(cs.updates.Load())/float64(b.N), "updates/run")
			b.ReportMetric(float64(cs.writes.Load())/float64(b.N), "writes/run")
		})
	}
}
