package orders

import (
	"context"
	"errors"
	"log"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"

	"acme.dev/shop/events"
)

// FulfilOrder charges the order, asks the warehouse to ship it and mails
// the receipt once the parcel has left.
func (s *Service) FulfilOrder(ctx context.Context, in runtime.Input[events.OrderPlacedData]) (any, error) {
	o := in.Event.Data
	// The status shown on the customer's account page.
	markStatus := func(status string) {
		if err := s.orders.SetStatus(ctx, o.OrderID, status); err != nil {
			log.Printf("orders: set status %s of %s: %v", status, o.OrderID, err) // silent: sideeffect (the closure's call is reported once, for SetStatus)
		}
	}

	processed, err := step.Run(ctx, "claim-event", func(ctx context.Context) (bool, error) {
		return s.orders.MarkEventProcessed(ctx, in.Event.ID)
	})
	if err != nil {
		return nil, err
	}
	if !processed {
		return "duplicate", nil
	}

	paymentID, err := step.Run(ctx, "charge-card", func(ctx context.Context) (string, error) {
		return s.payments.Charge(ctx, o.OrderID, o.CustomerID, o.PaymentMethod, o.AmountCents, o.Currency)
	})
	if err != nil {
		return nil, err
	}
	markStatus("paid") // want "sideeffect(error): .*SetStatus"

	if _, err := step.Run(ctx, "record-payment", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.orders.RecordPayment(ctx, o.OrderID, paymentID)
	}); err != nil {
		return nil, err
	}

	req := events.ShipmentRequested.New(events.ShipmentRequestedData{OrderID: o.OrderID, Warehouse: "main", Items: o.Items})
	req.ID = "ship-" + o.OrderID
	if _, err := step.SendEvent(ctx, "request-shipment", req); err != nil {
		return nil, err
	}

	shipped, err := step.WaitForEvent(ctx, "wait-for-shipment", events.ShipmentCreated, step.WaitOpts{
		Timeout: 72 * time.Hour,
		If:      "async.data.order_id == event.data.order_id",
	})
	if errors.Is(err, step.ErrTimeout) {
		_, err := step.Run(ctx, "flag-delayed", func(ctx context.Context) (struct{}, error) {
			return struct{}{}, s.orders.SetStatus(ctx, o.OrderID, "delayed")
		})
		return "delayed", err
	}
	if err != nil {
		return nil, err
	}

	if _, err := step.Run(ctx, "send-receipt", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.mail.SendReceipt(ctx, o.Email, o.OrderID, o.AmountCents, o.Currency)
	}); err != nil {
		return nil, err
	}
	if err := s.orders.SetStatus(ctx, o.OrderID, "shipped"); err != nil { // want "sideeffect(error): .*SetStatus.*replay"
		return nil, err
	}
	return map[string]string{"payment": paymentID, "tracking": shipped.Data.TrackingNo}, nil
}
