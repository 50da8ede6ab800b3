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

type Store interface {
	Load(ctx context.Context, id string) (Order, error)
}

var store Store

var Bad = runtime.NewFunction(runtime.FunctionOpts{ID: "bad"}, Ev.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		step.Sleep(ctx, "cool-off", time.Hour)                                                                                     // want `the error of step.Sleep "cool-off" is never looked at \(the call's results are discarded\): a failed step then looks like a success to the engine`
		_ = step.SleepUntil(ctx, "until", time.Unix(0, 0))                                                                         // want `the error of step.SleepUntil "until" is assigned to _`
		o, _ := step.Run(ctx, "load-order", func(ctx context.Context) (Order, error) { return store.Load(ctx, in.Event.Data.ID) }) // want `the error of step.Run "load-order" is assigned to _`
		ch, _ := billing.ChargeCard(ctx, 100)                                                                                      // want `the error of billing.ChargeCard \(which runs step.Run\) is assigned to _`
		billing.Refund(ctx, ch.ID)                                                                                                 // want `the error of billing.Refund \(which runs step.Run\) is never looked at`
		_, err := fetch[Order](ctx, "fetch")                                                                                       // want `the error of a.fetch \(which runs step.Run\) is dropped by returning a nil error`
		if err != nil {
			return nil, nil
		}
		var s svc
		s.notify(ctx)                                                                                              // want `the error of a.svc.notify \(which runs step.Sleep\) is never looked at`
		_, err = step.Run(ctx, "audit", func(ctx context.Context) (Order, error) { return store.Load(ctx, o.ID) }) // want `the error of step.Run "audit" is checked, then ignored`
		if err != nil {
		}
		_, _ = step.Parallel(ctx, func(ctx context.Context) (int, error) { return 1, errors.New("x") })                  // want `the error of step.Parallel is assigned to _`
		first, err := step.Run(ctx, "reserve", func(ctx context.Context) (Order, error) { return store.Load(ctx, "r") }) // want `the error of step.Run "reserve" is overwritten at line \d+ before it is read: if this step fails, the function carries on as if it had succeeded`
		second, err := billing.ChargeCard(ctx, 200)
		if err != nil {
			return nil, err
		}
		// Reload the order.
		o3, _ := step.Run(ctx, "reload-again", func(ctx context.Context) (any, error) { return loadAny(ctx) }) // want `the error of step.Run "reload-again" is assigned to _`
		_ = o3
		o2, _ := step.Run(ctx, "reload", func(ctx context.Context) (Order, error) { return store.Load(ctx, o.ID) }) // want `the error of step.Run "reload" is assigned to _`
		return []any{o2, first, second}, nil
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
		// Steps whose callback cannot fail: only the engine could fail them.
		_, _ = step.Run(ctx, "track", func(ctx context.Context) (struct{}, error) { return struct{}{}, nil })
		step.Run(ctx, "mark", func(ctx context.Context) (bool, error) {
			if len(errs) > 0 {
				return false, nil
			}
			return true, nil
		})
		_, _ = step.Run(ctx, "defaults", func(ctx context.Context) (any, error) { return defaults() }) // defaults always succeeds
		// Deliberate fallbacks: logged, or explained.
		_, err = step.SendEvent(ctx, "emit", Ev.New(o))
		if err != nil {
			log.Printf("send failed: %v", err)
			return nil, nil
		}
		if _, err := step.Run(ctx, "notify", func(ctx context.Context) (Order, error) { return store.Load(ctx, o.ID) }); err != nil {
			slog.Error("notify failed", "err", err)
		}
		_ = step.Sleep(ctx, "grace", time.Minute) // best effort: the grace period is advisory
		// The receipt is optional: a paid order ships without one.
		_ = billing.Refund(ctx, "receipt")
		summary, err := step.Run(ctx, "summarize", func(ctx context.Context) (string, error) { return "", errors.New("llm down") })
		if err != nil {
			// The summary is decoration; the order ships without it.
			summary = ""
		}
		_ = summary
		if err := s().notify(ctx); err != nil {
			return nil, err
		}
		return o, errors.Join(errs...)
	})

func s() svc { return svc{} }

func loadAny(ctx context.Context) (any, error) { return store.Load(ctx, "x") }

func defaults() (any, error) { return nil, nil }

type svc struct{}

func (svc) notify(ctx context.Context) error {
	return step.Sleep(ctx, "notify", time.Second)
}

// fetch is a generic helper.
func fetch[T any](ctx context.Context, id string) (T, error) {
	return step.Run(ctx, id, func(ctx context.Context) (T, error) {
		var zero T
		return zero, nil
	})
}

// quiet handles its own errors and returns none.
func quiet(ctx context.Context) {
	if err := step.Sleep(ctx, "quiet", time.Second); err != nil {
		panic(err)
	}
}

// gatePricing drops the error of a step.Version.
func gatePricing(ctx context.Context) int {
	v, _ := step.Version(ctx, "new-pricing", 1) // want `the error of step.Version "new-pricing" is assigned to _`
	return v
}
