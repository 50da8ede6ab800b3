// Package idiomatic holds correct, idiomatic durable functions that use
// every step kind of both profiles. The suite must report nothing here.
package idiomatic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/google/uuid"
	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/group"
	istep "github.com/inngest/inngestgo/step"
)

type Order struct {
	ID     string `json:"id"`
	Amount int    `json:"amount"`
}

type Payment struct {
	OrderID string `json:"order_id"`
}

type Receipt struct {
	ChargeID string `json:"charge_id"`
}

var (
	OrderCreated    = runtime.NewEventType[Order]("shop/order.created", "1", nil)
	PaymentReceived = runtime.NewEventType[Payment]("shop/payment.received", "1", nil)
	OrderShipped    = runtime.NewEventType[Order]("shop/order.shipped", "1", nil)
)

// charge calls the payment provider with an idempotency key.
func charge(ctx context.Context, o Order) (Receipt, error) {
	body, err := json.Marshal(o)
	if err != nil {
		return Receipt{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://pay.example.com/charges", bytes.NewReader(body))
	if err != nil {
		return Receipt{}, err
	}
	req.Header.Set("Idempotency-Key", "charge-"+o.ID)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Receipt{}, err
	}
	defer resp.Body.Close()
	var r Receipt
	return r, json.NewDecoder(resp.Body).Decode(&r)
}

var Score = runtime.NewFunction(runtime.FunctionOpts{ID: "score-order"}, OrderCreated.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return in.Event.Data.Amount / 10, nil
	})

var ProcessOrder = runtime.NewFunction(
	runtime.FunctionOpts{ID: "process-order", Idempotency: "event.data.id", Retries: runtime.Retries(4)},
	OrderCreated.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		order := in.Event.Data
		receipt, err := step.Run(ctx, "charge-card", func(ctx context.Context) (Receipt, error) {
			return charge(ctx, order)
		})
		if err != nil {
			return nil, err
		}
		ref, err := step.Run(ctx, "make-reference", func(ctx context.Context) (string, error) {
			return uuid.NewString(), nil
		})
		if err != nil {
			return nil, err
		}
		paid, err := step.WaitForEvent(ctx, "wait-payment", PaymentReceived,
			step.WaitOpts{Timeout: 7 * 24 * time.Hour, If: "async.data.order_id == event.data.id"})
		if errors.Is(err, step.ErrTimeout) {
			return "expired", nil
		}
		if err != nil {
			return nil, err
		}
		score, err := step.Invoke[int](ctx, "score", Score, step.InvokeOpts{Data: order, Timeout: time.Minute})
		if err != nil {
			return nil, err
		}
		if err := step.Sleep(ctx, "cool-off", time.Hour); err != nil {
			return nil, err
		}
		deadline, err := step.Run(ctx, "deadline", func(ctx context.Context) (time.Time, error) {
			return time.Now().Add(24 * time.Hour), nil
		})
		if err != nil {
			return nil, err
		}
		if err := step.SleepUntil(ctx, "until-deadline", deadline); err != nil {
			return nil, err
		}
		labels, err := step.Parallel(ctx,
			func(ctx context.Context) (string, error) {
				return step.Run(ctx, "label-a", func(ctx context.Context) (string, error) { return "a-" + ref, nil })
			},
			func(ctx context.Context) (string, error) {
				return step.Run(ctx, "label-b", func(ctx context.Context) (string, error) { return "b-" + ref, nil })
			})
		if err != nil {
			return nil, err
		}
		if _, err := step.SendEvent(ctx, "emit-shipped", OrderShipped.New(order)); err != nil {
			return nil, err
		}
		return fmt.Sprintf("%s %s %d %v %s", receipt.ChargeID, paid.Data.OrderID, score, labels, ref), nil
	})

// Functions lists what the engine runs.
func Functions() []*runtime.Function {
	return []*runtime.Function{Score, ProcessOrder}
}

func NewEngine() (*runtime.Engine, error) {
	return runtime.New(runtime.Options{Functions: Functions()})
}

// Inngest profile.

func Register(client inngestgo.Client) error {
	_, err := inngestgo.CreateFunction(client,
		inngestgo.FunctionOpts{ID: "onboard", Idempotency: inngestgo.StrPtr("event.data.id")},
		inngestgo.EventTrigger("user/signed.up", nil),
		func(ctx context.Context, in inngestgo.Input[Order]) (any, error) {
			receipt, err := istep.Run(ctx, "charge", func(ctx context.Context) (Receipt, error) {
				return charge(ctx, in.Event)
			})
			if err != nil {
				return nil, err
			}
			istep.Sleep(ctx, "wait-a-day", 24*time.Hour)
			opened, err := istep.WaitForEvent[map[string]any](ctx, "wait-open",
				istep.WaitForEventOpts{Event: "mail/opened", Timeout: 3 * 24 * time.Hour})
			if errors.Is(err, istep.ErrEventNotReceived) {
				return "not opened", nil
			}
			if err != nil {
				return nil, err
			}
			score, err := istep.Invoke[int](ctx, "score", istep.InvokeOpts{FunctionId: "app-score", Timeout: time.Minute})
			if err != nil {
				return nil, err
			}
			res := group.Parallel(ctx,
				func(ctx context.Context) (any, error) {
					return istep.Run(ctx, "a", func(ctx context.Context) (int, error) { return 1, nil })
				},
				func(ctx context.Context) (any, error) {
					return istep.Run(ctx, "b", func(ctx context.Context) (int, error) { return 2, nil })
				})
			if err := res.AnyError(); err != nil {
				return nil, err
			}
			return []any{receipt, opened, score}, nil
		})
	return err
}
