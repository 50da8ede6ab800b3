package runtime_test

import (
	"context"
	"errors"
	"fmt"
	goruntime "runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/internal/vclock"
	"github.com/durable-go/durable/runtime/step"
)

func TestNonDeterminismFailsNamingBothSteps(t *testing.T) {
	var executions atomic.Int32
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "drifting"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			// The first execution takes one path, the replay another: the
			// bug that breaks runs which resume after a sleep.
			first := "reserve"
			if executions.Add(1) > 1 {
				first = "charge"
			}
			if _, err := step.Run(ctx, first, func(ctx context.Context) (bool, error) { return true, nil }); err != nil {
				return nil, err
			}
			return nil, step.Sleep(ctx, "nap", time.Hour)
		})
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{OrderID: "o1"})
	id := te.onlyRun(t, "drifting")
	te.await(t, id, runtime.RunSleeping)
	te.clock.Advance(2 * time.Hour)
	info := te.await(t, id, runtime.RunFailed)
	for _, want := range []string{"non-determinism", `"reserve"`, `"charge"`} {
		if !strings.Contains(info.Error, want) {
			t.Errorf("error %q does not contain %s", info.Error, want)
		}
	}
}

func TestStepIdentityLiteralCannotCollideWithOccurrence(t *testing.T) {
	var ran atomic.Int32
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "collide"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			var got []string
			for i := 0; i < 3; i++ {
				v, err := step.Run(ctx, "x", func(ctx context.Context) (string, error) { ran.Add(1); return fmt.Sprint("loop", i), nil })
				if err != nil {
					return nil, err
				}
				got = append(got, v)
			}
			v, err := step.Run(ctx, "x:1", func(ctx context.Context) (string, error) { ran.Add(1); return "literal", nil })
			if err != nil {
				return nil, err
			}
			got = append(got, v)
			if err := step.Sleep(ctx, "nap", time.Minute); err != nil {
				return nil, err
			}
			return got, nil
		})
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{})
	id := te.onlyRun(t, "collide")
	te.await(t, id, runtime.RunSleeping)
	te.clock.Advance(time.Hour)
	info := te.await(t, id, runtime.RunCompleted)
	if string(info.Output) != `["loop0","loop1","loop2","literal"]` {
		t.Errorf("output = %s", info.Output)
	}
	if ran.Load() != 4 {
		t.Errorf("step functions ran %d times, want 4 (none again on replay)", ran.Load())
	}
	keys := map[string]bool{}
	for _, s := range info.Steps {
		if keys[s.Key] {
			t.Errorf("duplicate step key %s", s.Key)
		}
		keys[s.Key] = true
	}
	if len(keys) != 5 {
		t.Errorf("%d distinct steps, want 5: %v", len(keys), keys)
	}
}

func TestSleepingAndWaitingRunsHoldNoGoroutine(t *testing.T) {
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "parked"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			if in.Event.Data.Amount%2 == 0 {
				return nil, step.Sleep(ctx, "nap", 24*time.Hour)
			}
			_, err := step.WaitForEvent(ctx, "pay", paymentReceived, step.WaitOpts{Timeout: 24 * time.Hour})
			return nil, err
		})
	te := newEngine(t, fn)
	settle := func() int {
		time.Sleep(50 * time.Millisecond)
		goruntime.GC()
		return goruntime.NumGoroutine()
	}
	before := settle()
	const n = 300
	for i := 0; i < n; i++ {
		te.send(t, "shop/order.created", order{OrderID: fmt.Sprint(i), Amount: i})
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		parked, err := runList(te.Runs(context.Background(), runtime.RunFilter{Statuses: []runtime.RunStatus{runtime.RunSleeping, runtime.RunWaiting}, Limit: n}))
		if err != nil {
			t.Fatal(err)
		}
		if len(parked) == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d runs parked after 20s", len(parked), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if after := settle(); after > before+5 {
		t.Errorf("goroutines grew from %d to %d with %d parked runs", before, after, n)
	}
}

func TestUnencodableResultFailsStep(t *testing.T) {
	var attempts atomic.Int32
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "bad-result"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			return step.Run(ctx, "make-chan", func(ctx context.Context) (chan int, error) {
				attempts.Add(1)
				return make(chan int), nil
			})
		})
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{})
	info := te.await(t, te.onlyRun(t, "bad-result"), runtime.RunFailed)
	if !strings.Contains(info.Error, `step "make-chan": result of type chan int cannot be encoded as JSON`) {
		t.Errorf("error = %q", info.Error)
	}
	if attempts.Load() != 1 {
		t.Errorf("ran %d times; an encoding error is not retried", attempts.Load())
	}
}

func TestResultsRoundTripThroughJSON(t *testing.T) {
	type receipt struct {
		ID     string    `json:"id"`
		At     time.Time `json:"at"`
		Cents  int64     `json:"cents"`
		hidden string
	}
	var seen []receipt
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "round-trip"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			r, err := step.Run(ctx, "charge", func(ctx context.Context) (receipt, error) {
				return receipt{ID: in.Event.Data.OrderID, At: epoch, Cents: 1999, hidden: "lost"}, nil
			})
			if err != nil {
				return nil, err
			}
			seen = append(seen, r)
			if err := step.Sleep(ctx, "nap", time.Minute); err != nil {
				return nil, err
			}
			return r, nil
		})
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{OrderID: "o-7"})
	id := te.onlyRun(t, "round-trip")
	te.await(t, id, runtime.RunSleeping)
	te.clock.Advance(time.Hour)
	info := te.await(t, id, runtime.RunCompleted)
	// The first execution sees the value decoded from JSON, like the replay.
	want := receipt{ID: "o-7", At: epoch, Cents: 1999}
	if len(seen) != 2 || seen[0] != want || seen[1] != want {
		t.Errorf("executions saw %+v; want %+v twice (first run and replay alike)", seen, want)
	}
	if string(info.Output) != `{"id":"o-7","at":"2026-01-15T09:00:00Z","cents":1999}` {
		t.Errorf("output = %s", info.Output)
	}
}

func TestWaitWithoutPositiveTimeoutIsAnError(t *testing.T) {
	for _, timeout := range []time.Duration{0, -time.Second} {
		t.Run(timeout.String(), func(t *testing.T) {
			fn := runtime.NewFunction(runtime.FunctionOpts{ID: "no-timeout"}, orderCreated.Trigger(),
				func(ctx context.Context, in runtime.Input[order]) (any, error) {
					return step.WaitForEvent(ctx, "pay", paymentReceived, step.WaitOpts{Timeout: timeout})
				})
			te := newEngine(t, fn)
			te.send(t, "shop/order.created", order{})
			info := te.await(t, te.onlyRun(t, "no-timeout"), runtime.RunFailed)
			if !strings.Contains(info.Error, "positive Timeout") || len(info.Steps) != 0 {
				t.Errorf("error %q, steps %d", info.Error, len(info.Steps))
			}
		})
	}
}

func TestSendEventFromStepTriggersOnce(t *testing.T) {
	var shipped atomic.Int32
	emitter := runtime.NewFunction(runtime.FunctionOpts{ID: "emitter"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			ids, err := step.SendEvent(ctx, "emit", paymentReceived.New(order{OrderID: in.Event.Data.OrderID, Amount: 5}))
			if err != nil {
				return nil, err
			}
			// Sleep so the run replays: the send must not happen again.
			if err := step.Sleep(ctx, "nap", time.Minute); err != nil {
				return nil, err
			}
			return ids, nil
		})
	receiver := runtime.NewFunction(runtime.FunctionOpts{ID: "receiver"}, paymentReceived.TriggerIf("event.data.amount == 5"),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			shipped.Add(1)
			return in.Event.Data.OrderID, nil
		})
	te := newEngine(t, emitter, receiver)
	te.send(t, "shop/order.created", order{OrderID: "o1"})
	id := te.onlyRun(t, "emitter")
	te.await(t, id, runtime.RunSleeping)
	te.clock.Advance(time.Hour)
	te.await(t, id, runtime.RunCompleted)
	got := te.await(t, te.onlyRun(t, "receiver"), runtime.RunCompleted)
	if string(got.Output) != `"o1"` || shipped.Load() != 1 {
		t.Errorf("receiver output %s, ran %d times", got.Output, shipped.Load())
	}
}

func TestInvoke(t *testing.T) {
	double := runtime.NewFunction(runtime.FunctionOpts{ID: "double"}, runtime.EventTrigger("math/double.requested", ""),
		func(ctx context.Context, in runtime.Input[struct{ N int }]) (any, error) {
			return step.Run(ctx, "compute", func(ctx context.Context) (int, error) { return in.Event.Data.N * 2, nil })
		})
	failing := runtime.NewFunction(runtime.FunctionOpts{ID: "failing", Retries: runtime.Retries(0)}, runtime.EventTrigger("math/fail.requested", ""),
		func(ctx context.Context, in runtime.Input[struct{}]) (any, error) {
			return nil, runtime.NonRetriable(errors.New("boom"))
		})
	caller := runtime.NewFunction(runtime.FunctionOpts{ID: "caller"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			n, err := step.Invoke[int](ctx, "double", double, step.InvokeOpts{Data: map[string]int{"N": 21}, Timeout: time.Hour})
			if err != nil {
				return nil, err
			}
			_, ferr := step.Invoke[int](ctx, "fail", failing, step.InvokeOpts{Timeout: time.Hour})
			return map[string]any{"n": n, "err": ferr != nil && strings.Contains(ferr.Error(), "boom")}, nil
		})
	te := newEngine(t, double, failing, caller)
	te.send(t, "shop/order.created", order{})
	info := te.await(t, te.onlyRun(t, "caller"), runtime.RunCompleted)
	if string(info.Output) != `{"err":true,"n":42}` {
		t.Errorf("output = %s", info.Output)
	}
	child := te.await(t, te.onlyRun(t, "double"), runtime.RunCompleted)
	if child.ParentRunID != info.ID {
		t.Errorf("child parent = %q, want %q", child.ParentRunID, info.ID)
	}
}

func TestInvokeTimeout(t *testing.T) {
	slow := runtime.NewFunction(runtime.FunctionOpts{ID: "slow"}, runtime.EventTrigger("slow/work.requested", ""),
		func(ctx context.Context, in runtime.Input[struct{}]) (any, error) {
			return nil, step.Sleep(ctx, "long", 48*time.Hour)
		})
	caller := runtime.NewFunction(runtime.FunctionOpts{ID: "caller"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			_, err := step.Invoke[any](ctx, "slow", slow, step.InvokeOpts{Timeout: time.Hour})
			return errors.Is(err, step.ErrTimeout), nil
		})
	te := newEngine(t, slow, caller)
	te.send(t, "shop/order.created", order{})
	id := te.onlyRun(t, "caller")
	info := te.advanceUntil(t, id, 30*time.Minute, runtime.RunCompleted)
	if string(info.Output) != "true" {
		t.Errorf("output = %s, want true (timed out)", info.Output)
	}
}

func TestParallelBranchesAreMemoizedAndOrdered(t *testing.T) {
	var runs [3]atomic.Int32
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "fan-out"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			branch := func(i int, sleep bool) func(ctx context.Context) (string, error) {
				return func(ctx context.Context) (string, error) {
					v, err := step.Run(ctx, "work", func(ctx context.Context) (string, error) { runs[i].Add(1); return fmt.Sprint("b", i), nil })
					if err != nil || !sleep {
						return v, err
					}
					return v, step.Sleep(ctx, "cool-down", time.Hour)
				}
			}
			return step.Parallel(ctx, branch(0, false), branch(1, true), branch(2, false))
		})
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{})
	id := te.onlyRun(t, "fan-out")
	te.await(t, id, runtime.RunSleeping)
	te.clock.Advance(2 * time.Hour)
	info := te.await(t, id, runtime.RunCompleted)
	if string(info.Output) != `["b0","b1","b2"]` {
		t.Errorf("output = %s", info.Output)
	}
	for i := range runs {
		if runs[i].Load() != 1 {
			t.Errorf("branch %d step ran %d times, want 1", i, runs[i].Load())
		}
	}
	if len(info.Steps) != 4 {
		t.Errorf("%d steps, want 4 (3 works, 1 sleep)", len(info.Steps))
	}
}

func TestCancel(t *testing.T) {
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "cancellable"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			_, err := step.WaitForEvent(ctx, "pay", paymentReceived, step.WaitOpts{Timeout: time.Hour})
			return nil, err
		})
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{})
	id := te.onlyRun(t, "cancellable")
	te.await(t, id, runtime.RunWaiting)
	if err := te.Cancel(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	info := te.await(t, id, runtime.RunCancelled)
	te.send(t, "shop/payment.received", order{})
	te.clock.Advance(2 * time.Hour)
	time.Sleep(50 * time.Millisecond)
	if after, _ := te.Run(context.Background(), id); after.Status != runtime.RunCancelled || after.Steps[0].Status != info.Steps[0].Status {
		t.Errorf("cancelled run changed: %+v", after)
	}
	if err := te.Cancel(context.Background(), "no-such-run"); !errors.Is(err, runtime.ErrRunNotFound) {
		t.Errorf("cancel unknown run: %v", err)
	}
}

func TestCancelRunningStopsAtNextStep(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	var second atomic.Bool
	var te *testEngine
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "busy"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			if _, err := step.Run(ctx, "slow", func(ctx context.Context) (int, error) {
				close(entered)
				<-release
				return 1, nil
			}); err != nil {
				return nil, err
			}
			return step.Run(ctx, "next", func(ctx context.Context) (int, error) { second.Store(true); return 2, nil })
		})
	te = newEngine(t, fn)
	te.send(t, "shop/order.created", order{})
	id := te.onlyRun(t, "busy")
	<-entered
	if err := te.Cancel(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	close(release)
	info := te.await(t, id, runtime.RunCancelled)
	time.Sleep(50 * time.Millisecond)
	if second.Load() || len(info.Steps) != 0 {
		t.Errorf("cancelled run went on: next ran %v, steps %+v", second.Load(), info.Steps)
	}
}

func TestRetriesAndErrors(t *testing.T) {
	tests := []struct {
		name         string
		retries      int
		err          func(attempt int) error
		wantStatus   runtime.RunStatus
		wantAttempts int32
	}{
		{"succeeds on third attempt", 3, func(a int) error {
			if a < 3 {
				return errors.New("flaky")
			}
			return nil
		}, runtime.RunCompleted, 3},
		{"non-retriable stops at once", 5, func(int) error { return runtime.NonRetriable(errors.New("invalid card")) }, runtime.RunFailed, 1},
		{"retries spent", 1, func(int) error { return errors.New("down") }, runtime.RunFailed, 2},
		{"retry at", 1, func(a int) error {
			if a == 1 {
				return runtime.RetryAt(errors.New("rate limited"), epoch.Add(10*24*time.Hour))
			}
			return nil
		}, runtime.RunCompleted, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var attempts atomic.Int32
			fn := runtime.NewFunction(runtime.FunctionOpts{ID: "retrying", Retries: runtime.Retries(tt.retries)}, orderCreated.Trigger(),
				func(ctx context.Context, in runtime.Input[order]) (any, error) {
					return step.Run(ctx, "call", func(ctx context.Context) (int, error) {
						a := int(attempts.Add(1))
						return a, tt.err(a)
					})
				})
			te := newEngine(t, fn)
			te.send(t, "shop/order.created", order{})
			info := te.advanceUntil(t, te.onlyRun(t, "retrying"), 12*time.Hour, runtime.RunCompleted, runtime.RunFailed)
			if info.Status != tt.wantStatus || attempts.Load() != tt.wantAttempts || info.Steps[0].Attempts != int(tt.wantAttempts) {
				t.Errorf("status %s, attempts %d (recorded %d); want %s, %d", info.Status, attempts.Load(), info.Steps[0].Attempts, tt.wantStatus, tt.wantAttempts)
			}
		})
	}
}

func TestRetryAtIsHonoured(t *testing.T) {
	at := epoch.Add(3 * time.Hour)
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "retry-at"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			return step.Run(ctx, "call", func(ctx context.Context) (int, error) { return 0, runtime.RetryAt(errors.New("later"), at) })
		})
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{})
	id := te.onlyRun(t, "retry-at")
	var info runtime.RunInfo
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && len(info.Steps) == 0; time.Sleep(2 * time.Millisecond) {
		info = te.await(t, id, runtime.RunQueued)
	}
	if len(info.Steps) != 1 || !info.Steps[0].WakeAt.Equal(at) {
		t.Fatalf("steps = %+v, want a retry at %v", info.Steps, at)
	}
}

func TestFunctionBodyErrorIsRetriedWithMemoizedSteps(t *testing.T) {
	var stepRuns, bodyRuns atomic.Int32
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "body-retry", Retries: runtime.Retries(2)}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			if _, err := step.Run(ctx, "once", func(ctx context.Context) (int, error) { return int(stepRuns.Add(1)), nil }); err != nil {
				return nil, err
			}
			if bodyRuns.Add(1) < 3 {
				return nil, errors.New("transient outside a step")
			}
			return in.Attempt, nil
		})
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{})
	info := te.advanceUntil(t, te.onlyRun(t, "body-retry"), time.Hour, runtime.RunCompleted, runtime.RunFailed)
	if info.Status != runtime.RunCompleted || string(info.Output) != "2" || stepRuns.Load() != 1 {
		t.Errorf("status %s output %s, step ran %d times", info.Status, info.Output, stepRuns.Load())
	}
}

func TestNestedStepIsAnError(t *testing.T) {
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "nested"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			return step.Run(ctx, "outer", func(ctx context.Context) (int, error) {
				return step.Run(ctx, "inner", func(ctx context.Context) (int, error) { return 1, nil })
			})
		})
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{})
	info := te.await(t, te.onlyRun(t, "nested"), runtime.RunFailed)
	if !strings.Contains(info.Error, `step "inner" started inside step "outer"`) {
		t.Errorf("error = %q", info.Error)
	}
}

func TestStepOutsideFunction(t *testing.T) {
	_, err := step.Run(context.Background(), "x", func(ctx context.Context) (int, error) { return 1, nil })
	if !errors.Is(err, step.ErrNotInFunction) {
		t.Errorf("err = %v", err)
	}
}

func TestTriggerFilterAndSeveralTriggers(t *testing.T) {
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "big-orders"},
		runtime.Triggers(orderCreated.TriggerIf("event.data.amount >= 100"), runtime.EventTrigger("shop/order.replayed", "")),
		func(ctx context.Context, in runtime.Input[order]) (any, error) { return in.Event.Name, nil })
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{Amount: 5})
	te.send(t, "shop/order.created", map[string]any{"order_id": "no amount"}) // the filter errors: no run
	te.send(t, "shop/order.created", order{Amount: 500})
	te.send(t, "shop/order.replayed", order{})
	deadline := time.Now().Add(5 * time.Second)
	for {
		runs, _ := runList(te.Runs(context.Background(), runtime.RunFilter{FunctionID: "big-orders", Statuses: []runtime.RunStatus{runtime.RunCompleted}}))
		if len(runs) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d completed runs, want 2", len(runs))
		}
		time.Sleep(5 * time.Millisecond)
	}
	all, _ := runList(te.Runs(context.Background(), runtime.RunFilter{FunctionID: "big-orders"}))
	if len(all) != 2 {
		t.Errorf("%d runs, want 2", len(all))
	}
}

func TestEventDedupeByID(t *testing.T) {
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "once"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) { return nil, nil })
	te := newEngine(t, fn)
	for i := 0; i < 3; i++ {
		ids, err := te.Send(context.Background(), runtime.Event{Name: "shop/order.created", ID: "order-1", Data: order{}})
		if err != nil || ids[0] != "order-1" {
			t.Fatalf("send: %v %v", ids, err)
		}
	}
	te.onlyRun(t, "once")
}

func TestSendRejectsBadEvents(t *testing.T) {
	te := newEngine(t)
	tests := []struct {
		ev   runtime.Event
		want string
	}{
		{runtime.Event{Data: order{}}, "event 0: name is required"},
		{runtime.Event{Name: "a/b.c", Data: []int{1}}, `event 0 ("a/b.c"): data must encode to a JSON object, not an array`},
		{runtime.Event{Name: "a/b.c", Data: "text"}, "not a string"},
		{runtime.Event{Name: "a/b.c", Data: map[string]any{"f": func() {}}}, "data cannot be encoded as JSON"},
	}
	for _, tt := range tests {
		_, err := te.Send(context.Background(), runtime.Event{Name: "ok/event.sent", Data: order{}}, tt.ev)
		if err == nil || !strings.Contains(err.Error(), strings.Replace(tt.want, "event 0", "event 1", 1)) {
			t.Errorf("Send(%+v) error = %v, want %q", tt.ev, err, tt.want)
		}
	}
	// Nothing of a rejected batch is kept.
	if runs, _ := runList(te.Runs(context.Background(), runtime.RunFilter{})); len(runs) != 0 {
		t.Errorf("runs = %d", len(runs))
	}
}

func TestDefinitionErrorsNameFunctionAndField(t *testing.T) {
	h := func(ctx context.Context, in runtime.Input[order]) (any, error) { return nil, nil }
	tests := []struct {
		fn   *runtime.Function
		want string
	}{
		{runtime.NewFunction(runtime.FunctionOpts{}, orderCreated.Trigger(), h), `function "(no ID)": ID is required`},
		{runtime.NewFunction(runtime.FunctionOpts{ID: "Charge_Customer"}, orderCreated.Trigger(), h), `ID "Charge_Customer" is not kebab-case`},
		{runtime.NewFunction(runtime.FunctionOpts{ID: "bad-if"}, orderCreated.TriggerIf("event.data.amount >"), h), `function "bad-if": trigger "shop/order.created": If expression: "event.data.amount >"`},
		{runtime.NewFunction(runtime.FunctionOpts{ID: "bad-cron"}, runtime.CronTrigger("61 * * * *"), h), `function "bad-cron": cron "61 * * * *"`},
		{runtime.NewFunction(runtime.FunctionOpts{ID: "bad-tz"}, runtime.CronTrigger("TZ=Mars/Olympus 0 9 * * *"), h), `unknown time zone "Mars/Olympus"`},
		{runtime.NewFunction(runtime.FunctionOpts{ID: "bad-retries", Retries: runtime.Retries(-1)}, orderCreated.Trigger(), h), "Retries.Retries is -1"},
		{runtime.NewFunction(runtime.FunctionOpts{ID: "bad-timeout", Timeouts: runtime.Timeouts{Finish: -time.Second}}, orderCreated.Trigger(), h), "Timeouts.Finish is negative"},
		{runtime.NewFunction(runtime.FunctionOpts{ID: "no-trigger"}, runtime.Triggers(), h), `function "no-trigger": no trigger`},
		{runtime.NewFunction[order](runtime.FunctionOpts{ID: "no-handler"}, orderCreated.Trigger(), nil), "handler is nil"},
	}
	for _, tt := range tests {
		_, err := runtime.New(runtime.Options{Store: nopStore(t), Functions: []*runtime.Function{tt.fn}})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New: %v, want %q", err, tt.want)
		}
	}
	dup := runtime.NewFunction(runtime.FunctionOpts{ID: "same"}, orderCreated.Trigger(), h)
	if _, err := runtime.New(runtime.Options{Store: nopStore(t), Functions: []*runtime.Function{dup, dup}}); err == nil || !strings.Contains(err.Error(), `"same": given twice`) {
		t.Errorf("duplicate IDs: %v", err)
	}
}

func TestCronTrigger(t *testing.T) {
	var ticks atomic.Int32
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "daily-report"}, runtime.CronTrigger("TZ=Europe/Paris 0 9 * * *"),
		func(ctx context.Context, in runtime.Input[runtime.CronData]) (any, error) {
			ticks.Add(1)
			return in.Event.Data.At, nil
		})
	clock := vclock.New(time.Date(2026, 1, 15, 7, 30, 0, 0, time.UTC)) // 08:30 in Paris
	te := startEngine(t, t.TempDir()+"/cron.db", clock, fn)
	time.Sleep(30 * time.Millisecond)
	clock.Advance(time.Hour) // 09:30 Paris: one tick at 09:00 Paris = 08:00 UTC
	info := te.await(t, te.onlyRun(t, "daily-report"), runtime.RunCompleted)
	if string(info.Output) != `"2026-01-15T08:00:00Z"` {
		t.Errorf("output = %s", info.Output)
	}
}

func TestTimeoutsCancelRuns(t *testing.T) {
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "bounded", Timeouts: runtime.Timeouts{Finish: time.Hour}}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			return nil, step.Sleep(ctx, "too-long", 24*time.Hour)
		})
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{})
	id := te.onlyRun(t, "bounded")
	te.await(t, id, runtime.RunSleeping)
	te.clock.Advance(90 * time.Minute)
	info := te.await(t, id, runtime.RunCancelled)
	if !strings.Contains(info.Error, "not finished within Timeouts.Finish (1h0m0s)") {
		t.Errorf("error = %q", info.Error)
	}
}

func TestStopReleasesAndAnotherEngineResumes(t *testing.T) {
	entered := make(chan struct{}, 1)
	var secondRan atomic.Int32
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "handover"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			if _, err := step.Run(ctx, "first", func(ctx context.Context) (int, error) {
				entered <- struct{}{}
				time.Sleep(50 * time.Millisecond)
				return 1, nil
			}); err != nil {
				return nil, err
			}
			return step.Run(ctx, "second", func(ctx context.Context) (int, error) { return int(secondRan.Add(1)), nil })
		})
	path := t.TempDir() + "/handover.db"
	clock := vclock.New(epoch)
	st := openStore(t, path)
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{fn}, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ids, err := eng.Send(context.Background(), runtime.Event{Name: "shop/order.created", Data: order{}})
	if err != nil {
		t.Fatal(err)
	}
	_ = ids
	<-entered
	if err := eng.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if secondRan.Load() != 0 {
		t.Fatal("the step after Stop ran")
	}
	te := startEngine(t, path, clock, fn)
	info := te.await(t, te.onlyRun(t, "handover"), runtime.RunCompleted)
	if len(info.Steps) != 2 || info.Steps[0].Attempts != 1 || secondRan.Load() != 1 {
		t.Errorf("steps %+v, second ran %d times", info.Steps, secondRan.Load())
	}
}

func TestCheckReplay(t *testing.T) {
	var drift atomic.Bool
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "checked"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			id := "a"
			if drift.Load() {
				id = "b"
			}
			return step.Run(ctx, id, func(ctx context.Context) (int, error) { return 1, nil })
		})
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{})
	id := te.onlyRun(t, "checked")
	te.await(t, id, runtime.RunCompleted)
	if err := te.CheckReplay(context.Background(), id); err != nil {
		t.Errorf("unchanged code: %v", err)
	}
	drift.Store(true)
	err := te.CheckReplay(context.Background(), id)
	var nd *runtime.NonDeterminismError
	if !errors.As(err, &nd) || nd.Expected != `"a"` || nd.Actual != `"b"` {
		t.Errorf("changed code: %v", err)
	}
}

func TestSendReportsEveryBadEvent(t *testing.T) {
	te := newEngine(t)
	_, err := te.Send(context.Background(),
		runtime.Event{Name: "a/b.c", Data: []int{1}},
		runtime.Event{Name: "ok/event.sent", Data: order{}},
		runtime.Event{Data: order{}},
	)
	for _, want := range []string{`event 0 ("a/b.c"): data must encode to a JSON object`, "event 2: name is required"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Send error %v does not report %q", err, want)
		}
	}
	if runs, _ := runList(te.Runs(context.Background(), runtime.RunFilter{})); len(runs) != 0 {
		t.Errorf("runs = %d, want none of a rejected batch", len(runs))
	}
}
