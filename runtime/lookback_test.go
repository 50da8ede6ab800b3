package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/internal/vclock"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

type sent struct {
	at     time.Duration // after the trigger
	amount int
	order  string
}

// concurrentWriters marks a SQLite store as one whose writers run side by
// side, so that the engine evaluates a lookback's If in the transaction,
// as it does on PostgreSQL.
type concurrentWriters struct{ *sqlite.Store }

func (concurrentWriters) ConcurrentWriters() {}

// TestWaitLookback sends events while a run sleeps, before its waits
// begin (an hour after the trigger, or later), and checks which of them
// the waits take.
func TestWaitLookback(t *testing.T) {
	tests := []struct {
		name     string
		lookback time.Duration
		waits    int
		waitFor  runtime.EventType[order]
		before   []sent
		want     string
	}{
		{name: "no lookback: an earlier event does not count", lookback: 0, waits: 1, waitFor: paymentReceived,
			before: []sent{{10 * time.Minute, 1, "o1"}}, want: "timeout"},
		{name: "an event within the lookback is taken at once", lookback: 2 * time.Hour, waits: 1, waitFor: paymentReceived,
			before: []sent{{10 * time.Minute, 1, "o1"}}, want: "1"},
		{name: "an event older than the lookback does not count", lookback: 10 * time.Minute, waits: 1, waitFor: paymentReceived,
			before: []sent{{10 * time.Minute, 1, "o1"}}, want: "timeout"},
		{name: "the earliest event that satisfies If", lookback: 2 * time.Hour, waits: 1, waitFor: paymentReceived,
			before: []sent{{10 * time.Minute, 1, "other"}, {20 * time.Minute, 2, "o1"}, {30 * time.Minute, 3, "o1"}}, want: "2"},
		{name: "a later wait does not take what an earlier one took", lookback: 2 * time.Hour, waits: 3, waitFor: paymentReceived,
			before: []sent{{10 * time.Minute, 1, "o1"}, {20 * time.Minute, 2, "o1"}}, want: "1,2,timeout"},
		{name: "the run's own trigger does not count", lookback: 2 * time.Hour, waits: 1, waitFor: orderCreated,
			want: "timeout"},
	}
	// The If of a wait's lookback is evaluated before the transaction on
	// SQLite, in it where writers run side by side (PostgreSQL, and SQLite
	// marked so).
	stores := []struct {
		name string
		open func(t *testing.T) store.Store // nil: newEngine's SQLite
	}{
		{"sqlite", nil},
		{"sqlite evaluating in the transaction", func(t *testing.T) store.Store {
			st := openStore(t, filepath.Join(t.TempDir(), "test.db"))
			t.Cleanup(func() { st.Close() })
			return concurrentWriters{st}
		}},
		{"postgres", func(t *testing.T) store.Store { return openPG(t, pgSchema(t)) }},
	}
	for _, sc := range stores {
		for _, tt := range tests {
			t.Run(sc.name+"/"+tt.name, func(t *testing.T) {
				testWaitLookback(t, sc.open, tt.lookback, tt.waits, tt.waitFor, tt.before, tt.want)
			})
		}
	}
}

func testWaitLookback(t *testing.T, open func(t *testing.T) store.Store, lookback time.Duration, waits int, waitFor runtime.EventType[order], before []sent, want string) {
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "looking-back"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			if err := step.Sleep(ctx, "pause", time.Hour); err != nil {
				return nil, err
			}
			var got []string
			for range waits {
				ev, err := step.WaitForEvent(ctx, "payment", waitFor, step.WaitOpts{
					Timeout: time.Hour, If: "async.data.order_id == event.data.order_id", Lookback: lookback})
				switch {
				case errors.Is(err, step.ErrTimeout):
					got = append(got, "timeout")
				case err != nil:
					return nil, err
				default:
					got = append(got, fmt.Sprint(ev.Data.Amount))
				}
			}
			return strings.Join(got, ","), nil
		})
	var te *testEngine
	if open != nil {
		clock := vclock.New(epoch)
		eng, err := runtime.New(runtime.Options{Store: open(t), Functions: []*runtime.Function{fn}, Clock: clock, PollInterval: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := eng.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := eng.Stop(context.Background()); err != nil {
				t.Errorf("stop: %v", err)
			}
		})
		te = &testEngine{Engine: eng, clock: clock}
	} else {
		te = newEngine(t, fn)
	}
	te.send(t, "shop/order.created", order{OrderID: "o1"})
	id := te.onlyRun(t, "looking-back")
	te.await(t, id, runtime.RunSleeping)
	for _, s := range before {
		te.clock.Set(epoch.Add(s.at))
		te.send(t, "shop/payment.received", order{OrderID: s.order, Amount: s.amount})
	}
	// The waits begin when the sleep ends, an hour after the trigger: the
	// clock stays there until they have looked back.
	te.clock.Set(epoch.Add(time.Hour))
	te.await(t, id, runtime.RunWaiting, runtime.RunCompleted, runtime.RunFailed)
	info := te.advanceUntil(t, id, 10*time.Minute, runtime.RunCompleted, runtime.RunFailed)
	if info.Status != runtime.RunCompleted || string(info.Output) != fmt.Sprintf("%q", want) {
		t.Errorf("status %s, output %s, error %q; want %q", info.Status, info.Output, info.Error, want)
	}
}

func TestWaitLookbackBounded(t *testing.T) {
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "too-far"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			return step.WaitForEvent(ctx, "payment", paymentReceived, step.WaitOpts{Timeout: time.Hour, Lookback: step.MaxLookback + time.Second})
		})
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{OrderID: "o1"})
	info := te.await(t, te.onlyRun(t, "too-far"), runtime.RunFailed)
	if want := `step "payment": WaitOpts.Lookback is 24h0m1s; it must be between 0 and MaxLookback (24h0m0s)`; !strings.Contains(info.Error, want) {
		t.Errorf("error %q, want %q", info.Error, want)
	}
}
