// Package events declares the events of the shop: what the storefront,
// the payment webhooks and the warehouse tell each other.
package events

import "github.com/durable-go/durable/runtime"

type LineItem struct {
	SKU       string `json:"sku"`
	Kind      string `json:"kind"` // "physical", "digital", "gift-card"
	Quantity  int    `json:"quantity"`
	UnitCents int64  `json:"unit_cents"`
}

type OrderPlacedData struct {
	OrderID       string     `json:"order_id"`
	CustomerID    string     `json:"customer_id"`
	Email         string     `json:"email"`
	Currency      string     `json:"currency"`
	AmountCents   int64      `json:"amount_cents"`
	PaymentMethod string     `json:"payment_method"`
	Items         []LineItem `json:"items"`
}

type PaymentSucceededData struct {
	OrderID         string `json:"order_id"`
	PaymentIntentID string `json:"payment_intent_id"`
}

type RefundRequestedData struct {
	OrderID     string `json:"order_id"`
	AmountCents int64  `json:"amount_cents"`
	Reason      string `json:"reason"`
	RequestedBy string `json:"requested_by"`
}

type ShipmentRequestedData struct {
	OrderID   string     `json:"order_id"`
	Warehouse string     `json:"warehouse"`
	Items     []LineItem `json:"items"`
}

type ShipmentCreatedData struct {
	OrderID    string `json:"order_id"`
	Warehouse  string `json:"warehouse"`
	TrackingNo string `json:"tracking_no"`
}

type InvoiceSentData struct {
	OrderID   string `json:"order_id"`
	InvoiceNo string `json:"invoice_no"`
}

var (
	OrderPlaced       = runtime.NewEventType[OrderPlacedData]("shop/order.placed", "2026-01-10.1", nil)
	PaymentSucceeded  = runtime.NewEventType[PaymentSucceededData]("shop/payment.succeeded", "2026-01-10.1", nil)
	RefundRequested   = runtime.NewEventType[RefundRequestedData]("shop/refund.requested", "2026-01-10.1", nil)
	ShipmentRequested = runtime.NewEventType[ShipmentRequestedData]("shop/shipment.requested", "2026-01-10.1", nil)
	ShipmentCreated   = runtime.NewEventType[ShipmentCreatedData]("shop/shipment.created", "2026-01-10.1", nil)
	// The billing team added this one; every other shop event is noun.verb.
	InvoiceSent = runtime.NewEventType[InvoiceSentData]("shop/invoice-sent", "2026-02-01.1", nil) // want "eventname: .*shop/invoice\\.sent"
)
