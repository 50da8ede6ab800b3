// Package exprtypes holds event types used from another package.
package exprtypes

import (
	"time"

	"github.com/durable-go/durable/runtime"
)

type LineItem struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

type Base struct {
	TenantID string `json:"tenant_id"`
}

type OrderData struct {
	Base
	OrderID    string            `json:"order_id"`
	CustomerID string            `json:"customer_id"`
	Items      []LineItem        `json:"items"`
	Notes      map[string]string `json:"notes,omitempty"`
	PlacedAt   time.Time         `json:"placed_at"`
	Shipping   *Address          `json:"shipping,omitempty"`
	Secret     string            `json:"-"`
	Plain      int
}

type Address struct {
	Country string `json:"country"`
}

type PaymentData struct {
	OrderID string `json:"order_id"`
	Amount  int    `json:"amount"`
}

var (
	OrderCreated    = runtime.NewEventType[OrderData]("shop/order.created", "1", nil)
	PaymentReceived = runtime.NewEventType[PaymentData]("shop/payment.received", "1", nil)
)
