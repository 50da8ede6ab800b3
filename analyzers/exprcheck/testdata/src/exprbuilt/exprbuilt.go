// Package exprbuilt builds wait, cancel and trigger conditions the way
// applications sometimes do: from data, at run time.
package exprbuilt

import (
	"context"
	"fmt"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/inngest/inngestgo"
	istep "github.com/inngest/inngestgo/step"
)

type Invoice struct {
	InvoiceID string `json:"invoice_id"`
	Customer  string `json:"customer"`
}

type Payment struct {
	InvoiceID string `json:"invoice_id"`
	Amount    int    `json:"amount"`
}

var (
	InvoiceSent = runtime.NewEventType[Invoice]("billing/invoice.sent", "1", nil)
	PaymentMade = runtime.NewEventType[Payment]("billing/payment.made", "1", nil)
)

// Config comes from the environment at start-up.
type Config struct{ Tenant string }

var cfg Config

// Positive cases.

var Tenant = runtime.NewFunction(runtime.FunctionOpts{ID: "tenant-invoices"},
	runtime.EventTrigger("billing/invoice.sent", "event.data.customer == '"+cfg.Tenant+"'"), // want `trigger condition is built at run time with string concatenation: the data spliced into it can change the expression \(a quote in a value injects CEL\), and it can differ between replays of this run; keep the expression a constant`
	func(ctx context.Context, in runtime.Input[Invoice]) (any, error) { return nil, nil })

var Collect = runtime.NewFunction(runtime.FunctionOpts{ID: "collect"}, InvoiceSent.Trigger(),
	func(ctx context.Context, in runtime.Input[Invoice]) (any, error) {
		paid, err := step.WaitForEvent(ctx, "wait-payment", PaymentMade, step.WaitOpts{
			Timeout: 7 * 24 * time.Hour,
			If:      fmt.Sprintf("async.data.invoice_id == '%s'", in.Event.Data.InvoiceID), // want `wait If is built at run time with fmt.Sprintf: .*; keep the expression a constant that compares a field of the incoming event with one of this run's event, as in "async.data.order_id == event.data.order_id"`
		})
		if err != nil {
			return nil, err
		}
		cond := "async.data.invoice_id == '" + paid.Data.InvoiceID + "'"
		_, err = step.WaitForEvent(ctx, "wait-refund", PaymentMade, step.WaitOpts{Timeout: time.Hour, If: cond}) // want `wait If is built at run time with string concatenation`
		if err != nil {
			return nil, err
		}
		// A constant that never reads async: matches every payment or none.
		_, err = step.WaitForEvent(ctx, "wait-any", PaymentMade, step.WaitOpts{Timeout: time.Hour, If: "event.data.customer != ''"}) // want `wait If "event.data.customer != ''" never reads async \(the incoming event\): it tests only this run's event, so it matches every incoming event or none`
		return nil, err
	})

func Register(c inngestgo.Client) {
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "remind",
		Cancel: []inngestgo.ConfigCancel{{Event: "billing/payment.made", If: inngestgo.StrPtr("event.data.invoice_id != ''")}}}, // want `Cancel.If "event.data.invoice_id != ''" never reads async`
		inngestgo.EventTrigger("billing/invoice.sent", nil),
		func(ctx context.Context, in inngestgo.Input[Invoice]) (any, error) {
			_, err := istep.WaitForEvent[Invoice](ctx, "wait-payment", istep.WaitForEventOpts{
				Event:   "billing/payment.made",
				Timeout: time.Hour,
				If:      inngestgo.StrPtr(fmt.Sprintf("async.data.invoice_id == %q", in.Event.InvoiceID)), // want `wait If is built at run time with fmt.Sprintf`
			})
			if err != nil {
				return nil, err
			}
			cond := "async.data.customer == '" + in.Event.Customer + "'"
			_, err = istep.WaitForEvent[Invoice](ctx, "wait-customer", istep.WaitForEventOpts{Event: "billing/payment.made", Timeout: time.Hour, If: &cond}) // want `wait If is built at run time with string concatenation`
			return nil, err
		})
}

// Negative cases.

var Good = runtime.NewFunction(runtime.FunctionOpts{ID: "collect-good",
	Cancel: []runtime.Cancel{{Event: "billing/invoice.voided", If: "async.data.invoice_id == event.data.invoice_id"}}},
	InvoiceSent.TriggerIf("event.data.customer != ''"),
	func(ctx context.Context, in runtime.Input[Invoice]) (any, error) {
		return step.WaitForEvent(ctx, "wait-payment", PaymentMade, step.WaitOpts{Timeout: time.Hour, If: "async.data.invoice_id == event.data.invoice_id"})
	})

// WaitForEvent's type parameter in the Inngest SDK is only what the event
// is decoded into: a field it lacks is not reported.
func RegisterGood(c inngestgo.Client) {
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "remind-good"}, inngestgo.EventTrigger("billing/invoice.sent", nil),
		func(ctx context.Context, in inngestgo.Input[Invoice]) (any, error) {
			return istep.WaitForEvent[Invoice](ctx, "wait-payment", istep.WaitForEventOpts{
				Event: "billing/payment.made", Timeout: time.Hour,
				If: inngestgo.StrPtr("async.data.amount > 0 && async.data.invoice_id == event.data.invoice_id"),
			})
		})
}
