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
		score, err := step.Invoke[any](ctx, "score", ScoreInvoice, step.InvokeOpts{Timeout: time.Minute}) // want `step.Invoke records result type any`
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
		return []any{amount, currency, cents, inv, ok, label}, nil
	})
