package a

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"

	"billing"
)

type Order struct{ ID string }

type Logger struct{}

func (Logger) Error(msg string, args ...any)    {}
func (Logger) Infof(format string, args ...any) {}

var logger Logger

var Ev = runtime.NewEventType[Order]("shop/order.created", "1", nil)

var Bad = runtime.NewFunction(runtime.FunctionOpts{ID: "bad"}, Ev.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		step.Sleep(ctx, "cool-off", time.Hour)                                                                // want `the error of step.Sleep "cool-off" is never looked at \(the call's results are discarded\): a failed step then looks like a success to the engine`
		_ = step.SleepUntil(ctx, "until", time.Unix(0, 0))                                                    // want `the error of step.SleepUntil "until" is assigned to _`
		o, _ := step.Run(ctx, "load-order", func(ctx context.Context) (Order, error) { return Order{}, nil }) // want `the error of step.Run "load-order" is assigned to _`
		ch, _ := billing.ChargeCard(ctx, 100)                                                                 // want `the error of billing.ChargeCard \(which runs step.Run\) is assigned to _`
		billing.Refund(ctx, ch.ID)                                                                            // want `the error of billing.Refund \(which runs step.Run\) is never looked at`
		_, err := step.SendEvent(ctx, "emit", Ev.New(o))                                                      // want `the error of step.SendEvent "emit" is logged, then dropped by returning a nil error`
		if err != nil {
			log.Printf("send failed: %v", err)
			return nil, nil
		}
		if _, err := step.Run(ctx, "notify", func(ctx context.Context) (string, error) { return "", nil }); err != nil { // want `the error of step.Run "notify" is logged, then dropped: execution goes on`
			slog.Error("notify failed", "err", err)
		}
		_, err = fetch[Order](ctx, "fetch") // want `the error of a.fetch \(which runs step.Run\) is dropped by returning a nil error`
		if err != nil {
			return nil, nil
		}
		var s svc
		s.notify(ctx)                               // want `the error of a.svc.notify \(which runs step.Sleep\) is never looked at`
		err = step.Sleep(ctx, "pause", time.Minute) // want `the error of step.Sleep "pause" is logged, then dropped`
		if err != nil {
			logger.Error("pause failed", slog.Any("err", err))
			return o, nil
		}
		_, err = step.Invoke[Order](ctx, "invoke", nil, step.InvokeOpts{Timeout: time.Hour}) // want `the error of step.Invoke "invoke" is checked, then ignored`
		if err != nil {
		}
		_, err = step.WaitForEvent(ctx, "approved", Ev, step.WaitOpts{Timeout: time.Hour}) // want `the error of step.WaitForEvent "approved" is logged, then dropped by returning a nil error`
		if errors.Is(err, step.ErrTimeout) {
			return nil, nil
		}
		if err != nil {
			log.Println("wait failed:", err)
			return nil, nil
		}
		_, _ = step.Parallel(ctx, func(ctx context.Context) (int, error) { return 1, nil })                // want `the error of step.Parallel is assigned to _`
		o2, _ := step.Run(ctx, "reload", func(ctx context.Context) (Order, error) { return Order{}, nil }) // want `the error of step.Run "reload" is assigned to _`
		return o2, nil
	})

var Good = runtime.NewFunction(runtime.FunctionOpts{ID: "good"}, Ev.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		o, err := step.Run(ctx, "load-order", func(ctx context.Context) (Order, error) { return Order{}, nil })
		if err != nil {
			return nil, err
		}
		if _, err := billing.ChargeCard(ctx, 100); err != nil {
			logger.Infof("charge failed: %v", err)
			return nil, fmt.Errorf("charge: %w", err)
		}
		_, err = step.WaitForEvent(ctx, "paid", Ev, step.WaitOpts{Timeout: time.Hour})
		if errors.Is(err, step.ErrTimeout) {
			return nil, nil // the timeout is an expected outcome
		}
		if err != nil {
			log.Print(err)
			return nil, err
		}
		if err := step.Sleep(ctx, "cool-off", time.Hour); err != nil {
			panic(err)
		}
		var errs []error
		for _, id := range []string{"a", "b"} {
			if err := billing.Refund(ctx, id); err != nil {
				errs = append(errs, err)
			}
			if _, err := step.Run(ctx, "audit-"+id, func(ctx context.Context) (int, error) { return 0, nil }); err != nil {
				log.Println(err)
				continue // the loop decides: not guessed at
			}
		}
		total, _ := billing.Total(nil) // starts no step
		flow, _ := billing.NewFlow()   // defines a function, starts no step itself
		_ = flow
		_ = total
		quiet(ctx) // returns no error
		if err := s().notify(ctx); err != nil {
			return nil, err
		}
		return o, errors.Join(errs...)
	})

func s() svc { return svc{} }

type svc struct{}

func (svc) notify(ctx context.Context) error { // want notify:`startsStep\(step.Sleep\)`
	return step.Sleep(ctx, "notify", time.Second)
}

// fetch is a generic helper.
func fetch[T any](ctx context.Context, id string) (T, error) { // want fetch:`startsStep\(step.Run\)`
	return step.Run(ctx, id, func(ctx context.Context) (T, error) {
		var zero T
		return zero, nil
	})
}

// quiet handles its own errors and returns none.
func quiet(ctx context.Context) { // want quiet:`startsStep\(step.Sleep\)`
	if err := step.Sleep(ctx, "quiet", time.Second); err != nil {
		panic(err)
	}
}
