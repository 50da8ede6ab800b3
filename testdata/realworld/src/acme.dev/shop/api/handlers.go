// Package api is the storefront's HTTP API: it records orders and hands
// the slow work to the durable workflows by sending events.
package api

import (
	"encoding/json"
	"log"
	"net/http"

	"github.com/durable-go/durable/runtime"
	"github.com/google/uuid"

	"acme.dev/shop/events"
	"acme.dev/shop/store"
)

type API struct {
	orders store.OrderStore
	engine *runtime.Engine
}

func New(orders store.OrderStore, engine *runtime.Engine) *API {
	return &API{orders: orders, engine: engine}
}

func (a *API) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /orders", a.PlaceOrder)
	mux.HandleFunc("POST /orders/{id}/refunds", a.RequestRefund)
	mux.HandleFunc("POST /webhooks/stripe", a.StripeWebhook)
}

type placeOrderRequest struct {
	CustomerID    string            `json:"customer_id"`
	Email         string            `json:"email"`
	Currency      string            `json:"currency"`
	PaymentMethod string            `json:"payment_method"`
	Items         []events.LineItem `json:"items"`
}

func (a *API) PlaceOrder(w http.ResponseWriter, r *http.Request) {
	var req placeOrderRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "invalid order: "+err.Error(), http.StatusBadRequest)
		return
	}
	var total int64
	for _, it := range req.Items {
		total += it.UnitCents * int64(it.Quantity)
	}
	o := store.Order{ID: uuid.NewString(), CustomerID: req.CustomerID, Email: req.Email, AmountCents: total, Currency: req.Currency}
	if err := a.orders.Insert(r.Context(), o); err != nil {
		log.Printf("api: insert order: %v", err)
		http.Error(w, "could not save the order", http.StatusInternalServerError)
		return
	}
	ev := events.OrderPlaced.New(events.OrderPlacedData{
		OrderID: o.ID, CustomerID: o.CustomerID, Email: o.Email, Currency: o.Currency,
		AmountCents: total, PaymentMethod: req.PaymentMethod, Items: req.Items,
	})
	ev.ID = "order-placed-" + o.ID
	if _, err := a.engine.Send(r.Context(), ev); err != nil { // silent: swallowerr (HTTP handler answers with http.Error and returns)
		http.Error(w, "could not start the order", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	json.NewEncoder(w).Encode(map[string]string{"order_id": o.ID})
}

func (a *API) RequestRefund(w http.ResponseWriter, r *http.Request) {
	var body struct {
		AmountCents int64  `json:"amount_cents"`
		Reason      string `json:"reason"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "invalid refund request", http.StatusBadRequest)
		return
	}
	ev := events.RefundRequested.New(events.RefundRequestedData{
		OrderID: r.PathValue("id"), AmountCents: body.AmountCents, Reason: body.Reason, RequestedBy: r.Header.Get("X-User"),
	})
	if _, err := a.engine.Send(r.Context(), ev); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

type stripeEvent struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Data struct {
		Object struct {
			ID       string            `json:"id"`
			Metadata map[string]string `json:"metadata"`
		} `json:"object"`
	} `json:"data"`
}

// StripeWebhook turns Stripe's payment notifications into shop events; the
// event ID is Stripe's, so a redelivered webhook is deduplicated.
func (a *API) StripeWebhook(w http.ResponseWriter, r *http.Request) {
	var se stripeEvent
	if err := json.NewDecoder(r.Body).Decode(&se); err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	if se.Type != "payment_intent.succeeded" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	ev := events.PaymentSucceeded.New(events.PaymentSucceededData{
		OrderID: se.Data.Object.Metadata["order_id"], PaymentIntentID: se.Data.Object.ID,
	})
	ev.ID = se.ID
	if _, err := a.engine.Send(r.Context(), ev); err != nil { // silent: swallowerr (HTTP handler answers with http.Error and returns)
		http.Error(w, "retry later", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}
