// Package app is the fixture of the durable lint tests: each function has
// the findings its comment names.
package app

import (
	"context"
	"database/sql"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

type Order struct {
	ID string `json:"id"`
}

var (
	OrderCreated    = runtime.NewEventType[Order]("shop/order.created", "1", nil)
	PaymentReceived = runtime.NewEventType[Order]("shop/payment.received", "1", nil)
)

func stamp() string { return time.Now().Format(time.RFC3339) }

// Stamp: sideeffect twice (a direct call with a fix, and one through a helper).
var Stamp = runtime.NewFunction(runtime.FunctionOpts{ID: "stamp"}, OrderCreated.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		t := time.Now()
		return t.String() + stamp(), step.Sleep(ctx, "pause", time.Minute)
	})

// Wait: waittimeout.
var Wait = runtime.NewFunction(runtime.FunctionOpts{ID: "wait", Idempotency: "event.data.id"}, OrderCreated.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		p, err := step.WaitForEvent(ctx, "wait-payment", PaymentReceived, step.WaitOpts{})
		if err != nil {
			return nil, err
		}
		return p.Data.ID, nil
	})

// DB is the application's database.
var DB *sql.DB

// Notify: idempotency advice (a step named for an irreversible action, no idempotency key).
var Notify = runtime.NewFunction(runtime.FunctionOpts{ID: "notify"}, OrderCreated.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "charge-card", func(ctx context.Context) (bool, error) {
			_, err := DB.Exec("INSERT INTO notifications (order_id) VALUES ($1)", in.Event.Data.ID)
			return err == nil, err
		})
	})

// Audit: clean by default; idempotency with -idempotency.calls naming Record.
var Audit = runtime.NewFunction(runtime.FunctionOpts{ID: "audit"}, OrderCreated.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "record-audit", func(ctx context.Context) (bool, error) {
			return Record(in.Event.Data.ID), nil
		})
	})

// Record stands for a call that is not idempotent.
func Record(id string) bool { return id != "" }

//durable:ignore nosuchcheck the analyzer name is misspelt
var _ = 1
