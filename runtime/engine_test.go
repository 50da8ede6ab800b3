package runtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

type order struct {
	OrderID string `json:"order_id"`
	Amount  int    `json:"amount"`
}

var orderCreated = runtime.NewEventType[order]("shop/order.created", "1", nil)
var paymentReceived = runtime.NewEventType[order]("shop/payment.received", "1", nil)

func TestThreeStepsRunInPlace(t *testing.T) {
	var calls [3]atomic.Int32
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "three-steps"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			a, err := step.Run(ctx, "a", func(ctx context.Context) (int, error) { calls[0].Add(1); return in.Event.Data.Amount, nil })
			if err != nil {
				return nil, err
			}
			b, err := step.Run(ctx, "b", func(ctx context.Context) (int, error) { calls[1].Add(1); return a * 2, nil })
			if err != nil {
				return nil, err
			}
			c, err := step.Run(ctx, "c", func(ctx context.Context) (string, error) { calls[2].Add(1); return fmt.Sprint(b + 1), nil })
			return map[string]string{"result": c}, err
		})
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{OrderID: "o1", Amount: 20})
	info := te.await(t, te.onlyRun(t, "three-steps"), runtime.RunCompleted)
	if string(info.Output) != `{"result":"41"}` {
		t.Errorf("output = %s", info.Output)
	}
	for i := range calls {
		if n := calls[i].Load(); n != 1 {
			t.Errorf("step %d ran %d times, want 1", i, n)
		}
	}
	if len(info.Steps) != 3 || info.Steps[0].ID != "a" || info.Steps[2].ID != "c" {
		t.Errorf("steps = %+v", info.Steps)
	}
}

func TestSleepResumesWithMemoizedSteps(t *testing.T) {
	var before, after atomic.Int32
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "sleeper"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			if _, err := step.Run(ctx, "before", func(ctx context.Context) (int, error) { return int(before.Add(1)), nil }); err != nil {
				return nil, err
			}
			if err := step.Sleep(ctx, "nap", 7*24*time.Hour); err != nil {
				return nil, err
			}
			return step.Run(ctx, "after", func(ctx context.Context) (int, error) { return int(after.Add(1)), nil })
		})
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{OrderID: "o1"})
	id := te.onlyRun(t, "sleeper")
	te.await(t, id, runtime.RunSleeping)
	te.clock.Advance(7*24*time.Hour + time.Second)
	info := te.await(t, id, runtime.RunCompleted)
	if before.Load() != 1 || after.Load() != 1 {
		t.Errorf("before ran %d times, after %d; want 1 and 1", before.Load(), after.Load())
	}
	if string(info.Output) != "1" {
		t.Errorf("output = %s", info.Output)
	}
}

func TestWaitForEvent(t *testing.T) {
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "waiter"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			ev, err := step.WaitForEvent(ctx, "payment", paymentReceived,
				step.WaitOpts{Timeout: time.Hour, If: "async.data.order_id == event.data.order_id"})
			if errors.Is(err, step.ErrTimeout) {
				return "timeout", nil
			}
			if err != nil {
				return nil, err
			}
			return ev.Data.Amount, nil
		})
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{OrderID: "o1"})
	id := te.onlyRun(t, "waiter")
	te.await(t, id, runtime.RunWaiting)
	te.send(t, "shop/payment.received", order{OrderID: "other", Amount: 1})
	te.send(t, "shop/payment.received", order{OrderID: "o1", Amount: 99})
	info := te.await(t, id, runtime.RunCompleted)
	if string(info.Output) != "99" {
		t.Errorf("output = %s, want 99", info.Output)
	}
}

func TestWaitForEventTimeout(t *testing.T) {
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "waiter"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			_, err := step.WaitForEvent(ctx, "payment", paymentReceived, step.WaitOpts{Timeout: time.Hour})
			if errors.Is(err, step.ErrTimeout) {
				return "timeout", nil
			}
			return "got", err
		})
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{OrderID: "o1"})
	id := te.onlyRun(t, "waiter")
	te.await(t, id, runtime.RunWaiting)
	te.clock.Advance(2 * time.Hour)
	info := te.await(t, id, runtime.RunCompleted)
	if string(info.Output) != `"timeout"` {
		t.Errorf("output = %s", info.Output)
	}
	// A late event changes nothing.
	te.send(t, "shop/payment.received", order{OrderID: "o1"})
	if info, _ := te.Run(context.Background(), id); info.Steps[0].Error != "timed out" {
		t.Errorf("step = %+v", info.Steps[0])
	}
}

func TestStepRetriesThenFails(t *testing.T) {
	var attempts atomic.Int32
	var failed atomic.Value
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "flaky", Retries: runtime.Retries(2),
		OnFailure: func(ctx context.Context, in runtime.Input[runtime.FunctionFailedData]) (any, error) {
			failed.Store(in.Event.Data)
			return nil, nil
		}}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			return step.Run(ctx, "charge", func(ctx context.Context) (int, error) {
				attempts.Add(1)
				return 0, errors.New("card declined")
			})
		})
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{OrderID: "o1"})
	id := te.onlyRun(t, "flaky")
	info := te.advanceUntil(t, id, time.Hour, runtime.RunFailed)
	if n := attempts.Load(); n != 3 {
		t.Errorf("attempts = %d, want 3", n)
	}
	if !strings.Contains(info.Error, "card declined") || info.Steps[0].Attempts != 3 {
		t.Errorf("error %q, step %+v", info.Error, info.Steps[0])
	}
	te.await(t, te.onlyRun(t, "flaky/on-failure"), runtime.RunCompleted)
	got, _ := failed.Load().(runtime.FunctionFailedData)
	if got.RunID != id || got.FunctionID != "flaky" || !strings.Contains(got.Error, "card declined") {
		t.Errorf("failure data = %+v", got)
	}
	var ev struct{ Name string }
	if err := json.Unmarshal(got.Event, &ev); err != nil || ev.Name != "shop/order.created" {
		t.Errorf("failure event = %s", got.Event)
	}
}

// TestWaitExpiredBeforeTheRunWakes: an event that arrives after a wait's
// timeout, while its run has not yet woken to record the timeout (here:
// no engine executes runs meanwhile), does not resolve the wait.
func TestWaitExpiredBeforeTheRunWakes(t *testing.T) {
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "waiter"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			ev, err := step.WaitForEvent(ctx, "payment", paymentReceived, step.WaitOpts{Timeout: time.Hour})
			if errors.Is(err, step.ErrTimeout) {
				return "timeout", nil
			}
			if err != nil {
				return nil, err
			}
			return ev.Data.Amount, nil
		})
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{OrderID: "o1"})
	id := te.onlyRun(t, "waiter")
	te.await(t, id, runtime.RunWaiting)
	te.close()

	// A process that only sends (not started: it executes nothing).
	st, err := sqlite.Open(te.path, sqlite.Synchronous("OFF"))
	if err != nil {
		t.Fatal(err)
	}
	sender, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{fn}, Clock: te.clock})
	if err != nil {
		t.Fatal(err)
	}
	te.clock.Advance(2 * time.Hour)
	if _, err := sender.Send(context.Background(), runtime.Event{Name: "shop/payment.received", Data: order{OrderID: "o1", Amount: 99}}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	te = startEngine(t, te.path, te.clock, fn)
	info := te.await(t, id, runtime.RunCompleted)
	if string(info.Output) != `"timeout"` {
		t.Errorf("output = %s, want the timeout: the event came after it", info.Output)
	}
}
