// Package billing waits for payment events typed as maps and invokes a
// scoring function whose output is untyped.
package billing

import (
	"context"
	"errors"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

type Invoice struct {
	ID     string
	Amount int64
}

var (
	InvoiceSent  = runtime.NewEventType[Invoice]("billing/invoice.sent", "1", nil)
	PaymentMade  = runtime.NewEventType[map[string]any]("billing/payment.made", "1", nil)
	ScoreInvoice = &runtime.Function{}
)

var settings = map[string]any{"credit_limit": 500}

var Collect = runtime.NewFunction(runtime.FunctionOpts{ID: "collect-invoice"}, InvoiceSent.Trigger(),
	func(ctx context.Context, in runtime.Input[Invoice]) (any, error) {
		paid, err := step.WaitForEvent(ctx, "wait-payment", PaymentMade, step.WaitOpts{Timeout: 72 * time.Hour})
		if errors.Is(err, step.ErrTimeout) {
			return "unpaid", nil
		}
		if err != nil {
			return nil, err
		}
		amount := paid.Data["amount"].(int64)                                                             // want `type assertion to int64 on the result of step.WaitForEvent "wait-payment"`
		currency := paid.Data["currency"].(string)                                                        // fine
		cents := int64(paid.Data["cents"].(float64))                                                      // fine: float64, then converted
		inv, ok := paid.Data["invoice"].(Invoice)                                                         // want `type assertion to Invoice on the result of step.WaitForEvent "wait-payment".*is never true`
		score, err := step.Invoke[any](ctx, "score", ScoreInvoice, step.InvokeOpts{Timeout: time.Minute}) // an any result is no bug by itself; assertions on it are checked
		if err != nil {
			return nil, err
		}
		risky := score.(bool) // fine: JSON gives bools back as bools
		label, err := step.Run(ctx, "label", func(ctx context.Context) (any, error) {
			if risky {
				return "review", nil
			}
			return nil, nil
		})
		if err != nil {
			return nil, err
		}
		// A setting passed through as any: not a bug by itself...
		limit, err := step.Run(ctx, "credit-limit", func(ctx context.Context) (any, error) { return settings["credit_limit"], nil })
		if err != nil {
			return nil, err
		}
		if limit.(int) < 100 { // want `type assertion to int on the result of step.Run "credit-limit".*panics`
			return "over limit", nil
		}
		return []any{amount, currency, cents, inv, ok, label}, nil
	})
