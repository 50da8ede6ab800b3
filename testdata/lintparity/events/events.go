// Package events declares the events of the module, as `durable generate`
// would from a catalog.
package events

import "github.com/durable-go/durable/runtime"

// Order is the data of the order events.
type Order struct {
	OrderID    string `json:"order_id"`
	CustomerID string `json:"customer_id"`
	TotalCents int    `json:"total_cents"`
}

// Payment is the data of shop/payment.received.
type Payment struct {
	OrderID     string `json:"order_id"`
	AmountCents int    `json:"amount_cents"`
}

var (
	OrderCreated    = runtime.NewEventType[Order]("shop/order.created", "1", nil)
	OrderShipped    = runtime.NewEventType[Order]("shop/order.shipped", "1", nil)
	PaymentReceived = runtime.NewEventType[Payment]("shop/payment.received", "1", nil)
	InvoiceDue      = runtime.NewEventType[Order]("billing/invoice.due", "1", nil)
)
