package postgres

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// BenchmarkStepCommit: the engine's commit of a step (an Update with one
// PutOwnedStep), from 16 goroutines per CPU, each on its own leased run.
func BenchmarkStepCommit(b *testing.B) {
	for _, mode := range []struct {
		name string
		opts []Option
	}{{"extended", nil}, {"simple", []Option{SimpleProtocol()}}} {
		b.Run(mode.name, func(b *testing.B) {
			s := openTest(b, append(mode.opts, MaxConns(32))...)
			var next atomic.Int64
			now := time.Now()
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				id := fmt.Sprint("run-", next.Add(1))
				err := s.Update(ctx, func(tx store.Tx) error {
					return tx.InsertRun(ctx, store.Run{ID: id, FunctionID: "fn", Status: store.StatusRunning, Events: json.RawMessage(`[]`),
						CreatedAt: now, AvailableAt: now, LeaseOwner: "me", LeaseUntil: now.Add(time.Hour)})
				})
				if err != nil {
					b.Error(err)
					return
				}
				for i := 0; pb.Next(); i++ {
					st := store.Step{RunID: id, Key: fmt.Sprint(i), ID: "s", Kind: "run", Status: store.StepCompleted,
						Output: json.RawMessage(`{"ok":true}`), Attempts: 1, StartedAt: now, UpdatedAt: now}
					err := s.Update(ctx, func(tx store.Tx) error {
						ok, err := tx.PutOwnedStep(ctx, st, "me")
						if err == nil && !ok {
							err = fmt.Errorf("run %s not owned", id)
						}
						return err
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkJob: one job's life in the store: enqueued, claimed, completed
// (three Updates), from 16 goroutines per CPU.
func BenchmarkJob(b *testing.B) {
	s := openTest(b, MaxConns(32))
	var next atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		owner := fmt.Sprint("worker-", next.Add(1))
		for pb.Next() {
			now := time.Now()
			id := fmt.Sprint("job-", next.Add(1))
			err := s.Update(ctx, func(tx store.Tx) error {
				return tx.InsertRun(ctx, store.Run{ID: id, FunctionID: "fn", Status: store.StatusQueued, Events: json.RawMessage(`[]`),
					CreatedAt: now, AvailableAt: now})
			})
			var claimed []store.Run
			if err == nil {
				err = s.Update(ctx, func(tx store.Tx) error {
					var err error
					claimed, err = tx.ClaimRuns(ctx, owner, time.Now(), time.Now().Add(time.Minute), 1)
					return err
				})
			}
			for _, r := range claimed {
				if err != nil {
					break
				}
				err = s.Update(ctx, func(tx store.Tx) error {
					_, err := tx.UpdateRun(ctx, r.ID, store.RunCond{Owner: owner}, store.RunUpdate{Status: ptr(store.StatusCompleted), ClearLease: true})
					return err
				})
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkWakeupLatency: a queued run committed by one store until the
// Wakeups channel of another store (another process) fires; reports the
// median and 99th percentile. Sequential: one run at a time.
func BenchmarkWakeupLatency(b *testing.B) {
	schema := testSchema(b)
	sender, receiver := openSchema(b, schema), openSchema(b, schema)
	wake := receiver.Wakeups()
	select {
	case <-wake: // the listener is up
	case <-time.After(10 * time.Second):
		b.Fatal("listener did not start")
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		now := time.Now()
		err := sender.Update(ctx, func(tx store.Tx) error {
			return tx.InsertRun(ctx, store.Run{ID: fmt.Sprint("r", i), FunctionID: "fn", Status: store.StatusQueued,
				Events: json.RawMessage(`[]`), CreatedAt: now, AvailableAt: now})
		})
		if err != nil {
			b.Fatal(err)
		}
		select {
		case <-wake:
		case <-time.After(10 * time.Second):
			b.Fatal("no wake-up")
		}
		lat = append(lat, time.Since(now))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
