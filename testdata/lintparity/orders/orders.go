// Package orders holds the order workflow.
package orders

import (
	"context"
	"net/http"
	"strings"
	"time"

	"example.com/lintparity/events"
	"example.com/lintparity/stamp"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

// ProcessOrder charges the customer, waits for the payment and ships.
var ProcessOrder = runtime.NewFunction(
	runtime.FunctionOpts{ID: "process-order", Idempotency: "event.data.order_id"},
	events.OrderCreated.Trigger(),
	func(ctx context.Context, in runtime.Input[events.Order]) (any, error) {
		received := stamp.Now()
		status, err := step.Run(ctx, "charge-card", func(ctx context.Context) (int, error) {
			resp, err := http.Post("https://pay.example.com/charges", "application/json", strings.NewReader(in.Event.Data.OrderID))
			if err != nil {
				return 0, err
			}
			defer resp.Body.Close()
			return resp.StatusCode, nil
		})
		if err != nil {
			return nil, err
		}
		paid, err := step.WaitForEvent(ctx, "wait-payment", events.PaymentReceived, step.WaitOpts{
			If: "async.data.order_id == event.data.order_id",
		})
		if err != nil {
			return nil, err
		}
		return map[string]any{"status": status, "paid": paid.Data.AmountCents, "received": received}, nil
	})

// Ship tells the carrier.
var Ship = runtime.NewFunction(
	runtime.FunctionOpts{ID: "ship-order"},
	events.OrderShipped.Trigger(),
	func(ctx context.Context, in runtime.Input[events.Order]) (any, error) {
		if err := step.Sleep(ctx, "cool-off", time.Hour); err != nil {
			return nil, err
		}
		return step.Run(ctx, "book-carrier", func(ctx context.Context) (string, error) {
			return "booked " + in.Event.Data.OrderID, nil
		})
	})

// Refund was added after the registry was last generated.
var Refund = runtime.NewFunction(
	runtime.FunctionOpts{ID: "refund-order"},
	runtime.EventTrigger("shop/order.refunded", ""),
	func(ctx context.Context, in runtime.Input[events.Order]) (any, error) {
		return step.Run(ctx, "refund-card", func(ctx context.Context) (bool, error) {
			return true, nil
		})
	})
