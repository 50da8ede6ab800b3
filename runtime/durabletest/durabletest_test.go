package durabletest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/durabletest"
	"github.com/durable-go/durable/runtime/step"
)

type order struct {
	OrderID string `json:"order_id"`
	Amount  int    `json:"amount"`
}

type charge struct {
	ChargeID string `json:"charge_id"`
	Amount   int    `json:"amount"`
}

var (
	orderCreated    = runtime.NewEventType[order]("shop/order.created", "1", nil)
	paymentReceived = runtime.NewEventType[order]("shop/payment.received", "1", nil)
	orderShipped    = runtime.NewEventType[order]("shop/order.shipped", "1", nil)
)

func TestStepsOutputsAndOrder(t *testing.T) {
	t.Parallel()
	var ran atomic.Int32
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "three-steps"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			c, err := step.Run(ctx, "charge-card", func(ctx context.Context) (charge, error) {
				ran.Add(1)
				return charge{ChargeID: "ch_" + in.Event.Data.OrderID, Amount: in.Event.Data.Amount}, nil
			})
			if err != nil {
				return nil, err
			}
			n, err := step.Run(ctx, "double", func(ctx context.Context) (int, error) { ran.Add(1); return c.Amount * 2, nil })
			if err != nil {
				return nil, err
			}
			return map[string]any{"charge": c.ChargeID, "double": n}, nil
		})
	res := durabletest.Run(t, fn, orderCreated.New(order{OrderID: "o1", Amount: 21}))
	res.AssertCompleted(t)
	res.AssertSteps(t, "charge-card", "double")
	res.AssertStep(t, "charge-card", charge{ChargeID: "ch_o1", Amount: 21})
	res.AssertStep(t, "double", 42)
	res.AssertStepAttempts(t, "charge-card", 1)
	res.AssertOutput(t, map[string]any{"charge": "ch_o1", "double": 42})
	out := durabletest.Output[struct {
		Charge string `json:"charge"`
		Double int    `json:"double"`
	}](t, res)
	if out.Charge != "ch_o1" || out.Double != 42 {
		t.Errorf("Output = %+v", out)
	}
	if c := durabletest.StepOutput[charge](t, res, "charge-card"); c.Amount != 21 {
		t.Errorf("StepOutput = %+v", c)
	}
	if n := ran.Load(); n != 2 {
		t.Errorf("step functions ran %d times, want 2", n)
	}
	if res.Elapsed() != 0 {
		t.Errorf("Elapsed = %v, want 0", res.Elapsed())
	}
	if err := res.Err(); err != nil {
		t.Errorf("Err = %v", err)
	}
}

func TestSleepOfAWeekSkipsVirtualTime(t *testing.T) {
	t.Parallel()
	var after atomic.Int32
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "sleeper"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			if err := step.Sleep(ctx, "cool-off", 7*24*time.Hour); err != nil {
				return nil, err
			}
			if err := step.Sleep(ctx, "short-nap", time.Minute); err != nil {
				return nil, err
			}
			return step.Run(ctx, "after", func(ctx context.Context) (int, error) { return int(after.Add(1)), nil })
		})
	res := durabletest.Run(t, fn, orderCreated.New(order{OrderID: "o1"}))
	res.AssertCompleted(t)
	res.AssertSteps(t, "cool-off", "short-nap", "after")
	res.AssertOutput(t, 1)
	if want := 7*24*time.Hour + time.Minute; res.Elapsed() != want {
		t.Errorf("Elapsed = %v, want %v", res.Elapsed(), want)
	}
	if after.Load() != 1 {
		t.Errorf("step after ran %d times", after.Load())
	}
}

func TestStartAt(t *testing.T) {
	t.Parallel()
	start := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "until"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			return in.Event.TS, step.SleepUntil(ctx, "until-july", time.Date(2030, 7, 1, 0, 0, 0, 0, time.UTC))
		})
	res := durabletest.Run(t, fn, orderCreated.New(order{}), durabletest.StartAt(start))
	res.AssertCompleted(t)
	res.AssertOutput(t, start.UnixMilli())
	if want := 29*24*time.Hour + 12*time.Hour; res.Elapsed() != want {
		t.Errorf("Elapsed = %v, want %v", res.Elapsed(), want)
	}
}

// waiter waits for the payment of its order, for a day.
var waiter = runtime.NewFunction(runtime.FunctionOpts{ID: "waiter"}, orderCreated.Trigger(),
	func(ctx context.Context, in runtime.Input[order]) (any, error) {
		ev, err := step.WaitForEvent(ctx, "wait-payment", paymentReceived,
			step.WaitOpts{Timeout: 24 * time.Hour, If: "async.data.order_id == event.data.order_id"})
		if errors.Is(err, step.ErrTimeout) {
			return "timeout", nil
		}
		if err != nil {
			return nil, err
		}
		return fmt.Sprintf("paid %d", ev.Data.Amount), nil
	})

func TestDeliverEventResolvesWait(t *testing.T) {
	t.Parallel()
	res := durabletest.Run(t, waiter, orderCreated.New(order{OrderID: "o1"}),
		durabletest.DeliverEvent("wait-payment", paymentReceived.New(order{OrderID: "o1", Amount: 99})))
	res.AssertCompleted(t)
	res.AssertOutput(t, "paid 99")
	if res.Elapsed() != 0 {
		t.Errorf("Elapsed = %v, want 0 (the event came at once)", res.Elapsed())
	}
	if d := res.Deliveries(); len(d) != 1 || !d[0].Matched || d[0].StepID != "wait-payment" {
		t.Errorf("Deliveries = %+v", d)
	}
}

func TestDeliverEventAfter(t *testing.T) {
	t.Parallel()
	res := durabletest.Run(t, waiter, orderCreated.New(order{OrderID: "o1"}),
		durabletest.DeliverEventAfter("wait-payment", 20*time.Hour, paymentReceived.New(order{OrderID: "o1", Amount: 4})))
	res.AssertOutput(t, "paid 4")
	if res.Elapsed() != 20*time.Hour {
		t.Errorf("Elapsed = %v, want 20h", res.Elapsed())
	}

	// Too late: the wait (24h) times out first, and the test hears of it.
	var late *durabletest.Result
	rec := capture(t, func(tb testing.TB) {
		late = durabletest.Run(tb, waiter, orderCreated.New(order{OrderID: "o1"}),
			durabletest.DeliverEventAfter("wait-payment", 30*time.Hour, paymentReceived.New(order{OrderID: "o1", Amount: 4})))
	})
	rec.want(t, `for step "wait-payment" was never delivered: the wait ended (failed: timed out) before the event was due, 30h0m0s after the wait began`)
	late.AssertOutput(t, "timeout")
}

func TestWaitTimesOutWithoutEvent(t *testing.T) {
	t.Parallel()
	res := durabletest.Run(t, waiter, orderCreated.New(order{OrderID: "o1"}), durabletest.TimeoutWait("wait-payment"))
	res.AssertCompleted(t)
	res.AssertOutput(t, "timeout")
	res.AssertStepFailed(t, "wait-payment", "timed out")
	if res.Elapsed() != 24*time.Hour {
		t.Errorf("Elapsed = %v, want 24h", res.Elapsed())
	}
}

func TestDeliverEventThatDoesNotMatchFailsTheTest(t *testing.T) {
	t.Parallel()
	var res *durabletest.Result
	rec := capture(t, func(tb testing.TB) {
		res = durabletest.Run(tb, waiter, orderCreated.New(order{OrderID: "o1"}),
			durabletest.DeliverEvent("wait-payment", paymentReceived.New(order{OrderID: "o2", Amount: 5})))
	})
	rec.want(t, `DeliverEvent("wait-payment")`, "does not match the wait's If expression", "async.data.order_id == event.data.order_id", `"order_id":"o2"`, `"order_id":"o1"`)
	// As in production, the wait went on and timed out.
	res.AssertOutput(t, "timeout")
	if d := res.Deliveries(); len(d) != 1 || d[0].Matched {
		t.Errorf("Deliveries = %+v", d)
	}
}

func TestDeliverEventOfAnotherName(t *testing.T) {
	t.Parallel()
	rec := capture(t, func(tb testing.TB) {
		durabletest.Run(tb, waiter, orderCreated.New(order{OrderID: "o1"}),
			durabletest.DeliverEvent("wait-payment", orderShipped.New(order{OrderID: "o1"})))
	})
	rec.want(t, `does not wait for events named "shop/order.shipped"`)
}

func TestDeliverNonMatchingEventThenMatching(t *testing.T) {
	t.Parallel()
	res := durabletest.Run(t, waiter, orderCreated.New(order{OrderID: "o1"}),
		durabletest.DeliverNonMatchingEvent("wait-payment", paymentReceived.New(order{OrderID: "o2", Amount: 1})),
		durabletest.DeliverEvent("wait-payment", paymentReceived.New(order{OrderID: "o1", Amount: 2})))
	res.AssertOutput(t, "paid 2")

	rec := capture(t, func(tb testing.TB) {
		durabletest.Run(tb, waiter, orderCreated.New(order{OrderID: "o1"}),
			durabletest.DeliverNonMatchingEvent("wait-payment", paymentReceived.New(order{OrderID: "o1", Amount: 1})))
	})
	rec.want(t, `DeliverNonMatchingEvent("wait-payment")`, "resolved the wait", "async.data.order_id == event.data.order_id")
}

func TestTimeoutWaitFailsWhenTheWaitIsResolved(t *testing.T) {
	t.Parallel()
	// A function given to With sends the payment the waiter waits for.
	payer := runtime.NewFunction(runtime.FunctionOpts{ID: "payer"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			if err := step.Sleep(ctx, "later", time.Hour); err != nil {
				return nil, err
			}
			return step.SendEvent(ctx, "pay", paymentReceived.New(order{OrderID: in.Event.Data.OrderID, Amount: 7}))
		})
	rec := capture(t, func(tb testing.TB) {
		res := durabletest.Run(tb, waiter, orderCreated.New(order{OrderID: "o1"}), durabletest.With(payer), durabletest.TimeoutWait("wait-payment"))
		res.AssertOutput(t, "paid 7")
		res.RunOf("payer").AssertCompleted(t)
		res.AssertSent(t, "shop/payment.received", order{OrderID: "o1", Amount: 7})
	})
	rec.want(t, `TimeoutWait("wait-payment"): the wait did not time out`, "completed")
}

func TestMockStepReplacesTheStep(t *testing.T) {
	t.Parallel()
	var real atomic.Int32
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "charger"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			return step.Run(ctx, "charge-card", func(ctx context.Context) (charge, error) {
				real.Add(1)
				return charge{ChargeID: "real"}, nil
			})
		})
	res := durabletest.Run(t, fn, orderCreated.New(order{OrderID: "o1"}),
		durabletest.MockStep("charge-card", charge{ChargeID: "ch_mock", Amount: 3}, nil))
	res.AssertCompleted(t)
	res.AssertStep(t, "charge-card", charge{ChargeID: "ch_mock", Amount: 3})
	res.AssertOutput(t, map[string]any{"charge_id": "ch_mock", "amount": 3})
	if real.Load() != 0 {
		t.Errorf("the real step ran %d times", real.Load())
	}
}

// flaky charges a card with three retries and records failures.
func flaky(real *atomic.Int32) *runtime.Function {
	return runtime.NewFunction(runtime.FunctionOpts{ID: "flaky", Retries: runtime.Retries(3),
		OnFailure: func(ctx context.Context, in runtime.Input[runtime.FunctionFailedData]) (any, error) {
			return step.Run(ctx, "alert", func(ctx context.Context) (string, error) {
				return "alerted: " + in.Event.Data.Error, nil
			})
		}}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			return step.Run(ctx, "charge-card", func(ctx context.Context) (charge, error) {
				real.Add(1)
				return charge{ChargeID: "real"}, nil
			})
		})
}

func TestMockStepFailuresThenTheRealStep(t *testing.T) {
	t.Parallel()
	var real atomic.Int32
	res := durabletest.Run(t, flaky(&real), orderCreated.New(order{OrderID: "o1"}),
		durabletest.MockStepFailures("charge-card", 2, errors.New("gateway timeout")))
	res.AssertCompleted(t)
	res.AssertStepAttempts(t, "charge-card", 3)
	res.AssertStep(t, "charge-card", charge{ChargeID: "real"})
	if real.Load() != 1 {
		t.Errorf("the real step ran %d times, want 1", real.Load())
	}
	if res.Elapsed() <= 0 {
		t.Errorf("Elapsed = %v: retries back off in virtual time", res.Elapsed())
	}
	if res.OnFailure().Found() {
		t.Errorf("OnFailure ran for a run that completed")
	}
}

func TestMockStepFailuresThenMockedValue(t *testing.T) {
	t.Parallel()
	var real atomic.Int32
	res := durabletest.Run(t, flaky(&real), orderCreated.New(order{OrderID: "o1"}),
		durabletest.MockStepFailures("charge-card", 1, nil),
		durabletest.MockStep("charge-card", charge{ChargeID: "mocked"}, nil))
	res.AssertStep(t, "charge-card", charge{ChargeID: "mocked"})
	res.AssertStepAttempts(t, "charge-card", 2)
	if real.Load() != 0 {
		t.Errorf("the real step ran %d times, want 0", real.Load())
	}
}

func TestRetriesSpentRunOnFailure(t *testing.T) {
	t.Parallel()
	var real atomic.Int32
	res := durabletest.Run(t, flaky(&real), orderCreated.New(order{OrderID: "o1"}),
		durabletest.MockStep("charge-card", nil, errors.New("card declined")))
	res.AssertFailed(t, "card declined")
	res.AssertStepFailed(t, "charge-card", "card declined")
	res.AssertStepAttempts(t, "charge-card", 4)
	onFailure := res.OnFailure()
	onFailure.AssertCompleted(t)
	onFailure.AssertOutput(t, `alerted: step "charge-card" failed after 4 attempt(s): card declined`)
	if res.Err() == nil || !strings.Contains(res.Err().Error(), "card declined") {
		t.Errorf("Err = %v", res.Err())
	}
}

func TestNonRetriableMockFailsAtOnce(t *testing.T) {
	t.Parallel()
	var real atomic.Int32
	res := durabletest.Run(t, flaky(&real), orderCreated.New(order{OrderID: "o1"}),
		durabletest.MockStep("charge-card", nil, runtime.NonRetriable(errors.New("stolen card"))))
	res.AssertFailed(t, "stolen card")
	res.AssertStepAttempts(t, "charge-card", 1)
	if res.Elapsed() != 0 {
		t.Errorf("Elapsed = %v, want 0", res.Elapsed())
	}
}

func TestMockStepFunc(t *testing.T) {
	t.Parallel()
	var real atomic.Int32
	var seen []int
	res := durabletest.Run(t, flaky(&real), orderCreated.New(order{OrderID: "o1"}),
		durabletest.MockStepFunc("charge-card", func(attempt int) (any, error) {
			seen = append(seen, attempt)
			if attempt < 3 {
				return nil, fmt.Errorf("attempt %d fails", attempt)
			}
			return charge{ChargeID: fmt.Sprint("ch_", attempt)}, nil
		}))
	res.AssertStep(t, "charge-card", charge{ChargeID: "ch_3"})
	if fmt.Sprint(seen) != "[1 2 3]" {
		t.Errorf("attempts seen = %v", seen)
	}
}

func TestFunctionBodyErrorIsRetried(t *testing.T) {
	t.Parallel()
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "body-retry", Retries: runtime.Retries(2)}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			if in.Attempt < 2 {
				return nil, fmt.Errorf("attempt %d: not yet", in.Attempt)
			}
			return in.Attempt, nil
		})
	res := durabletest.Run(t, fn, orderCreated.New(order{}))
	res.AssertOutput(t, 2)
	if res.Info().Attempt != 2 {
		t.Errorf("Attempt = %d", res.Info().Attempt)
	}
}

var (
	reserve = runtime.NewFunction(runtime.FunctionOpts{ID: "reserve-stock"}, runtime.EventTrigger("shop/stock.reserve", ""),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			if err := step.Sleep(ctx, "warehouse-delay", 2*time.Hour); err != nil {
				return nil, err
			}
			return step.Run(ctx, "reserve", func(ctx context.Context) (string, error) { return "res_" + in.Event.Data.OrderID, nil })
		})
	checkout = runtime.NewFunction(runtime.FunctionOpts{ID: "checkout"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			res, err := step.Invoke[string](ctx, "reserve", reserve, step.InvokeOpts{Data: in.Event.Data, Timeout: time.Hour * 24})
			if err != nil {
				return nil, err
			}
			if _, err := step.SendEvent(ctx, "emit-shipped", orderShipped.New(in.Event.Data)); err != nil {
				return nil, err
			}
			return res, nil
		})
)

func TestInvokeRealFunction(t *testing.T) {
	t.Parallel()
	res := durabletest.Run(t, checkout, orderCreated.New(order{OrderID: "o1", Amount: 5}), durabletest.With(reserve))
	res.AssertCompleted(t)
	res.AssertOutput(t, "res_o1")
	child := res.RunOf("reserve-stock")
	child.AssertCompleted(t)
	child.AssertSteps(t, "warehouse-delay", "reserve")
	if child.Info().ParentRunID != res.ID() {
		t.Errorf("child's parent = %q, want %q", child.Info().ParentRunID, res.ID())
	}
	if res.Elapsed() != 2*time.Hour {
		t.Errorf("Elapsed = %v, want 2h", res.Elapsed())
	}
	res.AssertSent(t, "shop/order.shipped", order{OrderID: "o1", Amount: 5})
	sent := res.Sent()
	if len(sent) != 1 || sent[0].StepID != "emit-shipped" || sent[0].RunID != res.ID() {
		t.Fatalf("Sent = %+v", sent)
	}
	ev, err := runtime.DecodeEvent[order](sent[0].Envelope)
	if err != nil || ev.Data.OrderID != "o1" {
		t.Errorf("decoded %+v, %v", ev, err)
	}
}

func TestMockInvoke(t *testing.T) {
	t.Parallel()
	res := durabletest.Run(t, checkout, orderCreated.New(order{OrderID: "o1", Amount: 5}),
		durabletest.MockInvoke(reserve, "res_mocked", nil))
	res.AssertOutput(t, "res_mocked")
	if res.RunOf("reserve-stock").Found() {
		t.Errorf("a mocked function ran")
	}
	inv := res.Invocations()
	if len(inv) != 1 || inv[0].FunctionID != "reserve-stock" || inv[0].StepID != "reserve" || string(inv[0].Data) != `{"order_id":"o1","amount":5}` {
		t.Errorf("Invocations = %+v", inv)
	}

	failed := durabletest.Run(t, checkout, orderCreated.New(order{OrderID: "o1"}),
		durabletest.MockInvoke(reserve, nil, errors.New("out of stock")))
	failed.AssertFailed(t, "out of stock")
	failed.AssertStepFailed(t, "reserve", "out of stock")
	failed.AssertNotSent(t, "shop/order.shipped")
}

func TestInvokeOfAnUnregisteredFunctionFails(t *testing.T) {
	t.Parallel()
	res := durabletest.Run(t, checkout, orderCreated.New(order{OrderID: "o1"}))
	res.AssertFailed(t, `invoked function "reserve-stock" is not registered`)
}

// flip branches on a value outside any step: the first execution takes one
// path, the replay another.
func TestReplayCheckNamesTheDivergingStep(t *testing.T) {
	t.Parallel()
	var executions atomic.Int32
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "flip"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			if _, err := step.Run(ctx, "load", func(ctx context.Context) (int, error) { return 1, nil }); err != nil {
				return nil, err
			}
			id := "charge-card"
			if executions.Add(1) > 1 { // non-deterministic: differs on replay
				id = "refund"
			}
			return step.Run(ctx, id, func(ctx context.Context) (int, error) { return 2, nil })
		})
	var res *durabletest.Result
	rec := capture(t, func(tb testing.TB) {
		res = durabletest.Run(tb, fn, orderCreated.New(order{OrderID: "o1"}))
	})
	rec.want(t, "replay check", `function "flip"`, `expected step "charge-card"`, `reached step "refund"`)
	res.AssertCompleted(t) // the first execution itself went fine
}

func TestReplayCheckPassesForDeterministicCode(t *testing.T) {
	t.Parallel()
	rec := capture(t, func(tb testing.TB) {
		durabletest.Run(tb, checkout, orderCreated.New(order{OrderID: "o1"}), durabletest.With(reserve))
		durabletest.Run(tb, waiter, orderCreated.New(order{OrderID: "o1"}))
	})
	rec.clean(t)
}

func TestUnusedOptionsFailTheTest(t *testing.T) {
	t.Parallel()
	rec := capture(t, func(tb testing.TB) {
		durabletest.Run(tb, waiter, orderCreated.New(order{OrderID: "o1"}),
			durabletest.MockStep("charge-crad", 1, nil),
			durabletest.MockInvoke(reserve, "x", nil),
			durabletest.DeliverEvent("wait-paymnet", paymentReceived.New(order{OrderID: "o1"})),
			durabletest.TimeoutWait("wait-for-godot"))
	})
	rec.want(t, `the mock of step "charge-crad" was never used`, `steps reached: "wait-payment"`)
	rec.want(t, `MockInvoke("reserve-stock") was never used`)
	rec.want(t, `for step "wait-paymnet" was never delivered`)
	rec.want(t, `TimeoutWait("wait-for-godot"): no run reached`)

	rec = capture(t, func(tb testing.TB) {
		durabletest.Run(tb, waiter, orderCreated.New(order{OrderID: "o1"}),
			durabletest.MockStep("charge-crad", 1, nil), durabletest.AllowUnused())
	})
	rec.clean(t)
}

func TestInvalidOptions(t *testing.T) {
	t.Parallel()
	rec := capture(t, func(tb testing.TB) {
		durabletest.Run(tb, waiter, orderCreated.New(order{OrderID: "o1"}),
			durabletest.MockStep("a", 1, nil), durabletest.MockStep("a", 2, nil),
			durabletest.MockStepFailures("b", 0, nil),
			durabletest.TimeLimit(-time.Second))
	})
	if !rec.fatal {
		t.Errorf("invalid options did not stop the test")
	}
	rec.want(t, "invalid options", `MockStep("a") given twice`, `MockStepFailures("b", 0)`, "TimeLimit(-1s)")
}

func TestEventThatStartsNoRun(t *testing.T) {
	t.Parallel()
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "big-orders"}, orderCreated.TriggerIf("event.data.amount > 100"),
		func(ctx context.Context, in runtime.Input[order]) (any, error) { return nil, nil })
	rec := capture(t, func(tb testing.TB) {
		durabletest.Run(tb, fn, orderCreated.New(order{Amount: 5}))
	})
	rec.want(t, `event "shop/order.created" did not start a run`, `event "shop/order.created" if event.data.amount > 100`)

	rec = capture(t, func(tb testing.TB) {
		durabletest.Run(tb, fn, paymentReceived.New(order{Amount: 500}))
	})
	rec.want(t, `event "shop/payment.received" did not start a run`)

	durabletest.Run(t, fn, orderCreated.New(order{Amount: 500})).AssertCompleted(t)
}

func TestCronFunction(t *testing.T) {
	t.Parallel()
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "nightly"}, runtime.CronTrigger("TZ=Europe/Paris 0 2 * * *"),
		func(ctx context.Context, in runtime.Input[runtime.CronData]) (any, error) {
			return step.Run(ctx, "report", func(ctx context.Context) (string, error) { return "report for " + in.Event.Data.At, nil })
		})
	res := durabletest.Run(t, fn, runtime.Event{}, durabletest.StartAt(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)))
	res.AssertCompleted(t)
	res.AssertStep(t, "report", "report for 2026-03-11T01:00:00Z")
	if res.Elapsed() != 13*time.Hour {
		t.Errorf("Elapsed = %v, want 13h", res.Elapsed())
	}
}

func TestTimeLimit(t *testing.T) {
	t.Parallel()
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "hibernate"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			return nil, step.Sleep(ctx, "hibernate", 90*24*time.Hour)
		})
	var res *durabletest.Result
	rec := capture(t, func(tb testing.TB) {
		res = durabletest.Run(tb, fn, orderCreated.New(order{}), durabletest.TimeLimit(30*24*time.Hour))
	})
	rec.want(t, "did not end within the time limit of 720h0m0s", `step "hibernate" (sleep) is sleeping until +2160h0m0s`)
	if res.Status() != runtime.RunSleeping {
		t.Errorf("Status = %s, want sleeping", res.Status())
	}
	durabletest.Run(t, fn, orderCreated.New(order{})).AssertCompleted(t)
}

func TestTimeoutsFinishCancelsTheRun(t *testing.T) {
	t.Parallel()
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "bounded", Timeouts: runtime.Timeouts{Finish: time.Hour}}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			return nil, step.Sleep(ctx, "too-long", 2*time.Hour)
		})
	res := durabletest.Run(t, fn, orderCreated.New(order{}))
	if res.Status() != runtime.RunCancelled || !strings.Contains(res.Err().Error(), "Timeouts.Finish") {
		t.Errorf("status %s, err %v", res.Status(), res.Err())
	}
	if res.Elapsed() != time.Hour {
		t.Errorf("Elapsed = %v, want 1h", res.Elapsed())
	}
}

func TestParallelBranchesWaitAndSleep(t *testing.T) {
	t.Parallel()
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "fan"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			return step.Parallel(ctx,
				func(ctx context.Context) (string, error) {
					ev, err := step.WaitForEvent(ctx, "wait-payment", paymentReceived, step.WaitOpts{Timeout: time.Hour})
					return fmt.Sprint("paid ", ev.Data.Amount), err
				},
				func(ctx context.Context) (string, error) {
					return "slept", step.Sleep(ctx, "nap", 3*time.Hour)
				})
		})
	res := durabletest.Run(t, fn, orderCreated.New(order{}),
		durabletest.DeliverEvent("wait-payment", paymentReceived.New(order{Amount: 3})))
	res.AssertOutput(t, []string{"paid 3", "slept"})
	if res.Elapsed() != 3*time.Hour {
		t.Errorf("Elapsed = %v, want 3h", res.Elapsed())
	}
}

func TestAssertionMessages(t *testing.T) {
	t.Parallel()
	var real atomic.Int32
	res := durabletest.Run(t, flaky(&real), orderCreated.New(order{OrderID: "o1"}),
		durabletest.MockStep("charge-card", nil, errors.New("card declined")))
	rec := capture(t, func(tb testing.TB) {
		res.AssertCompleted(tb)
		res.AssertStep(tb, "charge-card", charge{ChargeID: "x"})
		res.AssertStep(tb, "ship", 1)
		res.AssertSteps(tb, "charge-card", "ship")
		res.AssertStepAttempts(tb, "charge-card", 1)
		res.AssertSent(tb, "shop/order.shipped", nil)
		res.RunOf("nobody").AssertCompleted(tb)
	})
	rec.want(t, `want the run to complete; the run of "flaky" is failed: step "charge-card" failed after 4 attempt(s): card declined`,
		`1. "charge-card" (run) failed after 4 attempts: card declined`)
	rec.want(t, `want step "charge-card" of "flaky" to complete; it is failed after 4 attempts: card declined`)
	rec.want(t, `never reached step "ship"; steps reached: "charge-card", "alert" (in "flaky/on-failure")`)
	rec.want(t, "steps of \"flaky\":\n   got: \"charge-card\"\n  want: \"charge-card\", \"ship\"")
	rec.want(t, `step "charge-card" of "flaky" ran 4 time(s), want 1`)
	rec.want(t, `want an event "shop/order.shipped" to be sent; sent: none`)
	rec.want(t, `function "nobody" has no run (runs of: "flaky", "flaky/on-failure")`)

	ok := durabletest.Run(t, checkout, orderCreated.New(order{OrderID: "o1"}), durabletest.MockInvoke(reserve, "r", nil))
	rec = capture(t, func(tb testing.TB) {
		ok.AssertOutput(tb, "s")
		ok.AssertSent(tb, "shop/order.shipped", order{OrderID: "o2"})
		ok.AssertNotSent(tb, "shop/order.shipped")
		ok.AssertFailed(tb, "")
	})
	rec.want(t, "output of \"checkout\":\n   got: \"r\"\n  want: \"s\"")
	rec.want(t, `want an event "shop/order.shipped" with data {"order_id":"o2","amount":0}`, `{"order_id":"o1","amount":0} (step "emit-shipped")`)
	rec.want(t, `want no event "shop/order.shipped"; step "emit-shipped"`)
	rec.want(t, `want the run to fail; the run of "checkout" is completed`)
}

func TestParallelTests(t *testing.T) {
	t.Parallel()
	for i := range 8 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			id := fmt.Sprint("o", i)
			res := durabletest.Run(t, waiter, orderCreated.New(order{OrderID: id}),
				durabletest.DeliverEvent("wait-payment", paymentReceived.New(order{OrderID: id, Amount: i})))
			res.AssertOutput(t, fmt.Sprint("paid ", i))
		})
	}
}
