package runtime_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/internal/vclock"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store"
)

// waitCountingStore counts the waits MatchWaits reads: what the engine
// evaluates an If for.
type waitCountingStore struct {
	store.Store
	read atomic.Int64
}

func (s *waitCountingStore) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error { return fn(&waitCountingTx{Tx: tx, s: s}) })
}

func (s *waitCountingStore) View(ctx context.Context, fn func(tx store.Tx) error) error {
	return s.Store.View(ctx, func(tx store.Tx) error { return fn(&waitCountingTx{Tx: tx, s: s}) })
}

type waitCountingTx struct {
	store.Tx
	s *waitCountingStore
}

func (t *waitCountingTx) MatchWaits(ctx context.Context, p store.MatchWaitsParams) ([]store.Wait, error) {
	ws, err := t.Tx.MatchWaits(ctx, p)
	t.s.read.Add(int64(len(ws)))
	return ws, err
}

// parkWaiters starts an engine whose n runs, one per order, wait for the
// payment of their order with ifSrc, and returns when all are parked.
func parkWaiters(tb testing.TB, ifSrc string, n int, resumed *atomic.Int32) (*runtime.Engine, *waitCountingStore) {
	tb.Helper()
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "waiter"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			ev, err := step.WaitForEvent(ctx, "pay", paymentReceived, step.WaitOpts{If: ifSrc, Timeout: time.Hour})
			if err != nil {
				return nil, err
			}
			resumed.Add(1)
			return ev.Data.OrderID, nil
		})
	st := openStore(tb, filepath.Join(tb.TempDir(), "waits.db"))
	tb.Cleanup(func() { st.Close() })
	cs := &waitCountingStore{Store: st}
	eng, err := runtime.New(runtime.Options{Store: cs, Functions: []*runtime.Function{fn}, Clock: vclock.New(epoch), PollInterval: 20 * time.Millisecond})
	if err != nil {
		tb.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := eng.Stop(ctx); err != nil {
			tb.Errorf("stop: %v", err)
		}
	})
	events := make([]runtime.Event, n)
	for i := range events {
		events[i] = runtime.Event{Name: "shop/order.created", Data: order{OrderID: fmt.Sprintf("o%d", i), Amount: 1}}
	}
	if _, err := eng.Send(context.Background(), events...); err != nil {
		tb.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for waitsOf(tb, st, "shop/payment.received") < n {
		if time.Now().After(deadline) {
			tb.Fatalf("%d of %d runs parked", waitsOf(tb, st, "shop/payment.received"), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return eng, cs
}

// waitsOf counts the waits for event name.
func waitsOf(tb testing.TB, st store.Store, name string) int {
	tb.Helper()
	var n int
	if err := st.View(context.Background(), func(tx store.Tx) error {
		ws, err := tx.WaitsForEvent(context.Background(), name)
		n = len(ws)
		return err
	}); err != nil {
		tb.Fatal(err)
	}
	return n
}

// BenchmarkSendPastParkedWaits sends events of the awaited name that match
// none of 1,000 parked waits: keyed, the store finds none to evaluate.
func BenchmarkSendPastParkedWaits(b *testing.B) {
	for _, bc := range []struct{ name, ifSrc string }{
		{"keyed", "async.data.order_id == event.data.order_id"},
		{"evaluated", "async.data.order_id == event.data.order_id && async.data.amount >= 0"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var resumed atomic.Int32
			eng, _ := parkWaiters(b, bc.ifSrc, 1000, &resumed)
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				if _, err := eng.Send(ctx, runtime.Event{Name: "shop/payment.received", Data: order{OrderID: "nobody", Amount: 1}}); err != nil {
					b.Fatal(err)
				}
			}
			if resumed.Load() != 0 {
				b.Fatal("a run resumed")
			}
		})
	}
}

// 1,000 runs wait for a payment of their order; one payment comes. With
// the keyed If shape the engine reads only the wait of that order; with
// another If it reads (and evaluates) them all. Either way exactly the
// one run resumes.
func TestThousandParkedWaitsOneMatches(t *testing.T) {
	const parked = 1000
	for _, tc := range []struct {
		name, ifSrc string
		// maxRead bounds, minRead floors the waits read for the payment.
		minRead, maxRead int64
	}{
		{"keyed", "async.data.order_id == event.data.order_id", 1, 2},
		{"evaluated", "async.data.order_id == event.data.order_id && async.data.amount >= 0", parked, 2 * parked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var resumed atomic.Int32
			eng, cs := parkWaiters(t, tc.ifSrc, parked, &resumed)
			ctx := context.Background()
			waiting := func() int { return waitsOf(t, cs.Store, "shop/payment.received") }
			deadline := time.Now().Add(30 * time.Second)
			cs.read.Store(0)
			if _, err := eng.Send(ctx, runtime.Event{Name: "shop/payment.received", Data: order{OrderID: "o500", Amount: 1}}); err != nil {
				t.Fatal(err)
			}
			read := cs.read.Load()
			for resumed.Load() == 0 {
				if time.Now().After(deadline) {
					t.Fatal("the run of order o500 did not resume")
				}
				time.Sleep(5 * time.Millisecond)
			}
			runs, err := runList(eng.Runs(ctx, runtime.RunFilter{FunctionID: "waiter", Statuses: []runtime.RunStatus{runtime.RunCompleted}}))
			if err != nil {
				t.Fatal(err)
			}
			for len(runs) == 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
				runs, _ = runList(eng.Runs(ctx, runtime.RunFilter{FunctionID: "waiter", Statuses: []runtime.RunStatus{runtime.RunCompleted}}))
			}
			if len(runs) != 1 || string(runs[0].Output) != `"o500"` {
				t.Fatalf("completed runs: %+v, want the one of o500", runs)
			}
			if n := waiting(); n != parked-1 {
				t.Errorf("%d runs still wait, want %d", n, parked-1)
			}
			if read < tc.minRead || read > tc.maxRead {
				t.Errorf("the payment read %d waits, want %d to %d", read, tc.minRead, tc.maxRead)
			}
		})
	}
}
