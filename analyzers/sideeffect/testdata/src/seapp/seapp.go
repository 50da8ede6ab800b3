// Package seapp has an application's workflows, written against this
// module's runtime: a service struct holding its dependencies.
package seapp

import (
	"context"
	"database/sql"
	"log"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"

	"sedomain"
	_ "sestore" // the implementation is part of the program
)

type Workflows struct {
	DB       *sql.DB
	Orders   sedomain.Orders
	Payments sedomain.Payments
	Format   sedomain.Formatter
}

type OrderPaid struct {
	OrderID string `json:"order_id"`
}

// Fulfil writes between steps through a local closure and through the
// repository interface.
func (w *Workflows) Fulfil(ctx context.Context, in runtime.Input[OrderPaid]) (any, error) {
	markStatus := func(status string) {
		w.DB.ExecContext(ctx, "UPDATE orders SET status = $2 WHERE id = $1", in.Event.Data.OrderID, status)
	}
	log.Printf("fulfilling %s", in.Event.Data.OrderID)     // logging: reported only with -logging
	markStatus("picking")                                  // want `database call sql.DB.ExecContext outside a step in durable function "fulfil" via markStatus → sql.DB.ExecContext: it runs again on every replay of this run`
	order, err := w.Orders.Get(ctx, in.Event.Data.OrderID) // want `database call sql.DB.QueryRowContext outside a step in durable function "fulfil" via sedomain.Orders.Get → sestore.Orders.Get → sql.DB.QueryRowContext`
	if err != nil {
		return nil, err
	}
	if _, err := step.Run(ctx, "pick", func(ctx context.Context) (bool, error) {
		markStatus("picked") // inside a step: recorded once
		return true, nil
	}); err != nil {
		return nil, err
	}
	if err := step.Sleep(ctx, "wait-courier", time.Hour); err != nil {
		return nil, err
	}
	order.Status = "shipped"
	log.Printf("shipped %s", order.ID)
	w.Payments.Capture(ctx, order.ID)     // want `advice: w.Payments.Capture outside a step in durable function "fulfil" calls an interface method that takes a context.Context, and no implementation is visible here: if it does I/O it runs again on every replay of this run; move it into step.Run`
	_ = w.Format.Format(order)            // no context: not reported
	return nil, w.Orders.Save(ctx, order) // want `database call sql.DB.ExecContext outside a step in durable function "fulfil" via sedomain.Orders.Save → sestore.Orders.Save → sql.DB.ExecContext: it runs again on every replay of this run; move it into step.Run`
}

var w = &Workflows{}

var Fulfil = runtime.NewFunction(runtime.FunctionOpts{ID: "fulfil"}, runtime.EventTrigger("shop/order.paid", ""), w.Fulfil)

// Negative: the same work, each effect in a step.
func (w *Workflows) FulfilSafely(ctx context.Context, in runtime.Input[OrderPaid]) (any, error) {
	markStatus := func(ctx context.Context, status string) (bool, error) {
		_, err := w.DB.ExecContext(ctx, "UPDATE orders SET status = $2 WHERE id = $1", in.Event.Data.OrderID, status)
		return err == nil, err
	}
	if _, err := step.Run(ctx, "mark-picking", func(ctx context.Context) (bool, error) { return markStatus(ctx, "picking") }); err != nil {
		return nil, err
	}
	order, err := step.Run(ctx, "load-order", func(ctx context.Context) (sedomain.Order, error) {
		return w.Orders.Get(ctx, in.Event.Data.OrderID)
	})
	if err != nil {
		return nil, err
	}
	if err := step.Sleep(ctx, "wait-courier", time.Hour); err != nil {
		return nil, err
	}
	return step.Run(ctx, "save", func(ctx context.Context) (bool, error) {
		order.Status = "shipped"
		return true, w.Orders.Save(ctx, order)
	})
}

var FulfilSafely = runtime.NewFunction(runtime.FunctionOpts{ID: "fulfil-safely"}, runtime.EventTrigger("shop/order.paid", ""), w.FulfilSafely)

var engine *runtime.Engine

// Notify sends through the engine after a step: again on every replay.
var Notify = runtime.NewFunction(runtime.FunctionOpts{ID: "notify-shipped"}, runtime.EventTrigger("shop/order.shipped", ""),
	func(ctx context.Context, in runtime.Input[OrderPaid]) (any, error) {
		if err := step.Sleep(ctx, "settle", time.Minute); err != nil {
			return nil, err
		}
		_, err := engine.Send(ctx, runtime.Event{Name: "shop/customer.notified"}) // want `event send runtime.Engine.Send outside a step in durable function "notify-shipped": it runs again on every replay of this run; send the events with step.SendEvent, which the engine records once`
		return nil, err
	})

// A closure handed to a call that runs it, outside a step, and one handed
// to step.Run (the step itself).
func (w *Workflows) Restock(ctx context.Context, in runtime.Input[OrderPaid]) (any, error) {
	reserve := func(ctx context.Context) (bool, error) {
		_, err := w.DB.ExecContext(ctx, "UPDATE stock SET reserved = reserved + 1 WHERE order_id = $1", in.Event.Data.OrderID)
		return err == nil, err
	}
	if _, err := step.Run(ctx, "reserve", reserve); err != nil { // the closure is the step's callback
		return nil, err
	}
	if err := step.Sleep(ctx, "wait-supplier", time.Hour); err != nil {
		return nil, err
	}
	return retry(ctx, reserve) // want `database call sql.DB.ExecContext outside a step in durable function "restock" via reserve → sql.DB.ExecContext: it runs again on every replay of this run`
}

func retry(ctx context.Context, f func(context.Context) (bool, error)) (bool, error) { return f(ctx) }

var Restock = runtime.NewFunction(runtime.FunctionOpts{ID: "restock"}, runtime.EventTrigger("shop/order.paid", ""), w.Restock)
