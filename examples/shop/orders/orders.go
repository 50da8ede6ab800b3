// Package orders holds the shop's durable functions: the order workflow, the
// shipping email and the global failure handler.
package orders

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/durable-go/durable/examples/shop/internal/events"
	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

// Services are the shop's side effects, behind an interface so that tests can
// count them. Every call happens inside a step.
type Services interface {
	Reserve(ctx context.Context, orderID string, items []events.Item) (string, error)
	Release(ctx context.Context, reservation string) error
	Ship(ctx context.Context, orderID string) (string, error)
	Email(ctx context.Context, customerID, subject string) error
}

// services is what the functions call: fakes that stand in for the
// warehouse, the carrier and the mailer.
var services Services = &fakeServices{}

// Timing of the order workflow. Production values would be days; the example
// keeps them short so that `go run` finishes in seconds.
var (
	paymentTimeout = 2 * time.Second
	fraudWindow    = 500 * time.Millisecond
)

// ProcessOrder reserves stock, waits for the payment, holds the order through
// a fraud-review window, ships it and announces the shipment.
var ProcessOrder = runtime.NewFunction(
	runtime.FunctionOpts{
		ID:      "process-order",
		Name:    "Process order",
		Retries: &runtime.RetryPolicy{Retries: 3, MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second},
	},
	events.OrderCreated.Trigger(),
	func(ctx context.Context, in runtime.Input[events.OrderCreatedData]) (any, error) {
		order := in.Event.Data
		reservation, err := step.Run(ctx, "reserve-stock", func(ctx context.Context) (string, error) {
			return services.Reserve(ctx, order.OrderID, order.Items)
		})
		if err != nil {
			return nil, err
		}

		payment, err := step.WaitForEvent(ctx, "await-payment", events.PaymentReceived, step.WaitOpts{
			Timeout: paymentTimeout,
			If:      "async.data.order_id == event.data.order_id",
		})
		if errors.Is(err, step.ErrTimeout) {
			_, err := step.Run(ctx, "release-stock", func(ctx context.Context) (bool, error) {
				return true, services.Release(ctx, reservation)
			})
			return "abandoned: no payment", err
		}
		if err != nil {
			return nil, err
		}
		if payment.Data.AmountCents < order.TotalCents {
			return nil, runtime.NonRetriable(fmt.Errorf("order %s: paid %d of %d cents", order.OrderID, payment.Data.AmountCents, order.TotalCents))
		}

		if err := step.Sleep(ctx, "fraud-window", fraudWindow); err != nil {
			return nil, err
		}
		tracking, err := step.Run(ctx, "ship", func(ctx context.Context) (string, error) {
			return services.Ship(ctx, order.OrderID)
		})
		if err != nil {
			return nil, err
		}
		_, err = step.SendEvent(ctx, "announce-shipment", events.OrderShipped.New(events.OrderShippedData{
			OrderID: order.OrderID, CustomerID: order.CustomerID, Tracking: tracking,
		}))
		return tracking, err
	})

// SendShippingEmail tells the customer that the order is on its way.
var SendShippingEmail = runtime.NewFunction(
	runtime.FunctionOpts{ID: "send-shipping-email", Name: "Send shipping email", Idempotency: "event.data.order_id"},
	events.OrderShipped.Trigger(),
	func(ctx context.Context, in runtime.Input[events.OrderShippedData]) (any, error) {
		subject := "Your order " + in.Event.Data.OrderID + " has shipped (" + in.Event.Data.Tracking + ")"
		_, err := step.Run(ctx, "send-email", func(ctx context.Context) (bool, error) {
			return true, services.Email(ctx, in.Event.Data.CustomerID, subject)
		})
		return subject, err
	})

// AlertOnFailure is the shop's global failure handler: every run that fails
// for good emits durable/function.failed.
var AlertOnFailure = runtime.NewFunction(
	runtime.FunctionOpts{ID: "alert-on-failure", Name: "Alert on failure"},
	runtime.FunctionFailed.Trigger(),
	func(ctx context.Context, in runtime.Input[runtime.FunctionFailedData]) (any, error) {
		f := in.Event.Data
		_, err := step.Run(ctx, "page-on-call", func(ctx context.Context) (bool, error) {
			return true, services.Email(ctx, "on-call", "run "+f.RunID+" of "+f.FunctionID+" failed: "+f.Error)
		})
		return nil, err
	})

// fakeServices stands in for the warehouse, the carrier and the mailer. Its
// first shipment attempt for each order fails, to show retries.
type fakeServices struct {
	mu           sync.Mutex
	shipAttempts map[string]int
	emails       []string
}

func (f *fakeServices) Reserve(_ context.Context, orderID string, items []events.Item) (string, error) {
	if len(items) == 0 {
		return "", runtime.NonRetriable(fmt.Errorf("order %s has no items", orderID))
	}
	return "res-" + orderID, nil
}

func (f *fakeServices) Release(context.Context, string) error { return nil }

func (f *fakeServices) Ship(_ context.Context, orderID string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.shipAttempts == nil {
		f.shipAttempts = map[string]int{}
	}
	f.shipAttempts[orderID]++
	if f.shipAttempts[orderID] == 1 {
		return "", errors.New("carrier API: 503 Service Unavailable")
	}
	return "TRK-" + strings.ToUpper(orderID), nil
}

func (f *fakeServices) Email(_ context.Context, to, subject string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.emails = append(f.emails, to+": "+subject)
	return nil
}
