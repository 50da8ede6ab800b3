// Package billing holds the invoicing functions.
package billing

import (
	"context"

	"example.com/lintparity/events"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

// Ledger records invoices in the accounting system.
type Ledger struct{}

// Record books an invoice; durable.yaml declares it non-idempotent.
func (Ledger) Record(ctx context.Context, orderID string) error { return nil }

var ledger Ledger

// Invoice books the invoice of an order.
var Invoice = runtime.NewFunction(
	runtime.FunctionOpts{ID: "send-invoice"},
	events.InvoiceDue.Trigger(),
	func(ctx context.Context, in runtime.Input[events.Order]) (any, error) {
		return step.Run(ctx, "record-invoice", func(ctx context.Context) (bool, error) {
			return true, ledger.Record(ctx, in.Event.Data.OrderID)
		})
	})

// Remind reminds the customer of an unpaid invoice.
var Remind = runtime.NewFunction(
	runtime.FunctionOpts{ID: "remind-invoice"},
	runtime.CronTrigger("0 9 * * *"),
	func(ctx context.Context, in runtime.Input[struct{}]) (any, error) {
		first, err := step.Run(ctx, "step1", func(ctx context.Context) (int, error) { return 1, nil })
		if err != nil {
			return nil, err
		}
		return first, nil
	})
