package orders

import (
	"context"
	"fmt"
	"log"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/slack-go/slack"

	"acme.dev/shop/events"
	"acme.dev/shop/store"
)

// RefundOrder refunds an order inside the refund window and issues a
// credit note.
func (s *Service) RefundOrder(ctx context.Context, in runtime.Input[events.RefundRequestedData]) (any, error) {
	req := in.Event.Data
	order, err := step.Run(ctx, "load-order", func(ctx context.Context) (store.Order, error) { // want "swallowerr: .*load-order"
		return s.orders.Get(ctx, req.OrderID)
	})
	// The window is configurable per deployment; the run keeps the value it
	// started with.
	window, err := step.Run(ctx, "refund-window", func(ctx context.Context) (any, error) { // silent: stepresult (an any result is not a bug by itself; the assertion below is)
		return s.settings["refund_window_days"], nil
	})
	if err != nil {
		return nil, err
	}
	if order.Status != "shipped" && order.Status != "paid" {
		return nil, runtime.NonRetriable(fmt.Errorf("order %s is %s: nothing to refund", order.ID, order.Status))
	}
	if req.Reason != "defective" && window.(int) < 1 { // want "stepresult: .*float64"
		return "refunds disabled", nil
	}

	refundID, err := step.Run(ctx, "refund-payment", func(ctx context.Context) (string, error) {
		if err := order.Refundable(req.AmountCents); err != nil { // silent: stepcapture (a pointer-receiver method that only reads the captured order)
			return "", runtime.NonRetriable(err)
		}
		logRefund(&req, &order) // silent: stepcapture (logRefund only reads through the pointers)
		return s.payments.Refund(ctx, order.PaymentIntentID, req.AmountCents, req.Reason)
	})
	if err != nil {
		return nil, err
	}

	if _, err := step.Run(ctx, "announce-credit-note", func(ctx context.Context) ([]string, error) {
		note := events.InvoiceSent.New(events.InvoiceSentData{OrderID: order.ID, InvoiceNo: "CN-" + refundID})
		return s.engine.Send(ctx, note) // want "idempotency: .*step\\.SendEvent"
	}); err != nil {
		return nil, err
	}
	return refundID, nil
}

func logRefund(req *events.RefundRequestedData, o *store.Order) {
	log.Printf("refunding %d of %d %s on order %s (%s), asked by %s", req.AmountCents, o.AmountCents, o.Currency, o.ID, req.Reason, req.RequestedBy)
}

// AlertFailedRun tells the on-call channel about runs that failed for good.
func (s *Service) AlertFailedRun(ctx context.Context, in runtime.Input[runtime.FunctionFailedData]) (any, error) {
	f := in.Event.Data
	text := fmt.Sprintf(":rotating_light: %s run %s failed: %s", f.FunctionID, f.RunID, f.Error)
	_, err := step.Run(ctx, "post-alert", func(ctx context.Context) (string, error) {
		_, ts, err := s.slack.PostMessageContext(ctx, s.opsChan, slack.MsgOptionText(text, false))
		return ts, err
	})
	return nil, err
}
