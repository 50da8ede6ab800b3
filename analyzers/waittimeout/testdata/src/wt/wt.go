package wt

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"

	"wthelp"
)

type Order struct{ ID string }
type Payment struct{ Amount int }

var Paid = runtime.NewEventType[Payment]("shop/payment.received", "1", nil)

var Charge = runtime.NewFunction(runtime.FunctionOpts{ID: "charge"}, runtime.CronTrigger("@daily"),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) { return nil, nil })

const never = 0

// Positive cases.

var Bad = runtime.NewFunction(runtime.FunctionOpts{ID: "bad"}, runtime.EventTrigger("shop/order.created", ""),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		_, err := step.WaitForEvent(ctx, "no-timeout", Paid, step.WaitOpts{If: "async.data.id == event.data.id"}) // want `step.WaitForEvent "no-timeout" has no Timeout: this runtime refuses it when the run reaches the wait`
		if err != nil {
			return nil, err
		}
		_, err = step.WaitForEvent(ctx, "zero", Paid, step.WaitOpts{Timeout: 0}) // want `step.WaitForEvent "zero" has Timeout 0, which is not positive`
		if err != nil {
			return nil, err
		}
		_, err = step.WaitForEvent(ctx, "negative", Paid, step.WaitOpts{Timeout: -time.Hour}) // want `has Timeout -time.Hour, which is not positive`
		if err != nil {
			return nil, err
		}
		_, err = step.Invoke[int](ctx, "invoke", Charge, step.InvokeOpts{Data: in.Event.Data}) // want `step.Invoke "invoke" has no Timeout`
		if err != nil {
			return nil, err
		}
		_, err = step.Invoke[int](ctx, "invoke-never", Charge, step.InvokeOpts{Timeout: never}) // want `has Timeout never, which is not positive`
		if err != nil {
			return nil, err
		}
		paid, _ := step.WaitForEvent(ctx, "unchecked", Paid, step.WaitOpts{Timeout: time.Hour}) // want `the result of step.WaitForEvent "unchecked" is used at line \d+ without checking for step.ErrTimeout`
		amount := paid.Data.Amount
		total, err := step.Invoke[int](ctx, "logged-only", Charge, step.InvokeOpts{Timeout: time.Minute}) // want `the result of step.Invoke "logged-only" is used`
		if err != nil {
			fmt.Println(err) // not a guard: the code goes on
		}
		return amount + total, nil
	})

// Method handler.
type Svc struct{}

func (Svc) Handle(ctx context.Context, in runtime.Input[Order]) (any, error) {
	p, err := step.WaitForEvent(ctx, "method", Paid, step.WaitOpts{Timeout: time.Hour}) // want `the result of step.WaitForEvent "method" is used`
	fmt.Println(err)
	return p.Data.Amount, nil
}

// Generic handler.
func Generic[T any](ctx context.Context, in runtime.Input[T]) (any, error) {
	_, err := step.WaitForEvent(ctx, "generic", Paid, step.WaitOpts{}) // want `step.WaitForEvent "generic" has no Timeout`
	return nil, err
}

// Negative cases.

var Good = runtime.NewFunction(runtime.FunctionOpts{ID: "good"}, runtime.EventTrigger("shop/order.created", ""),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		paid, err := step.WaitForEvent(ctx, "checked", Paid, step.WaitOpts{Timeout: 7 * 24 * time.Hour})
		if errors.Is(err, step.ErrTimeout) {
			return "cancelled", nil
		}
		if err != nil {
			return nil, err
		}
		total, err := step.Invoke[int](ctx, "guarded", Charge, step.InvokeOpts{Timeout: time.Minute, Data: paid.Data})
		if err != nil {
			return nil, err
		}
		p2, err := step.WaitForEvent(ctx, "switch", Paid, step.WaitOpts{Timeout: time.Hour})
		switch {
		case err == step.ErrTimeout:
			return nil, nil
		case err != nil:
			return nil, err
		}
		d := time.Hour
		_, err = step.WaitForEvent(ctx, "variable", Paid, step.WaitOpts{Timeout: d}) // not constant: not checked
		if err != nil {
			return nil, err
		}
		opts := step.WaitOpts{Timeout: time.Hour}
		_, _ = step.WaitForEvent(ctx, "opts-var", Paid, opts) // result unused
		ok, err := wthelp.AwaitReplyFor(ctx, time.Hour)
		return []any{total, p2.Data.Amount, ok}, err
	})

// Calls into a helper that itself has the problem are reported there, not here.
var UsesHelper = runtime.NewFunction(runtime.FunctionOpts{ID: "uses-helper"}, runtime.CronTrigger("@daily"),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return wthelp.AwaitReply(ctx)
	})

var Ignored = runtime.NewFunction(runtime.FunctionOpts{ID: "ignored"}, runtime.CronTrigger("@daily"),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		//durable:ignore waittimeout the Finish timeout of this function bounds the wait
		_, err := step.WaitForEvent(ctx, "bounded-elsewhere", Paid, step.WaitOpts{})
		return nil, err
	})
