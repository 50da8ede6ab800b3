package main

import "github.com/durable-go/durable/runtime"

// OrderCreatedData is the data of shop/order.created.
type OrderCreatedData struct {
	OrderID    string `json:"order_id"`
	CustomerID string `json:"customer_id"`
	Items      []Item `json:"items"`
	TotalCents int64  `json:"total_cents"`
}

// Item is one line of an order.
type Item struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// PaymentReceivedData is the data of shop/payment.received.
type PaymentReceivedData struct {
	OrderID     string `json:"order_id"`
	AmountCents int64  `json:"amount_cents"`
}

// OrderShippedData is the data of shop/order.shipped.
type OrderShippedData struct {
	OrderID    string `json:"order_id"`
	CustomerID string `json:"customer_id"`
	Tracking   string `json:"tracking"`
}

var (
	OrderCreated    = runtime.NewEventType[OrderCreatedData]("shop/order.created", "2026-01-15.1", nil)
	PaymentReceived = runtime.NewEventType[PaymentReceivedData]("shop/payment.received", "2026-01-15.1", nil)
	OrderShipped    = runtime.NewEventType[OrderShippedData]("shop/order.shipped", "2026-01-15.1", nil)
)
