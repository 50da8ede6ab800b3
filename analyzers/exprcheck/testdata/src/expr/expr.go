package expr

import (
	"context"
	"time"

	"exprtypes"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

type Order = exprtypes.OrderData

func handle(ctx context.Context, in runtime.Input[Order]) (any, error) { return nil, nil }

// Positive cases.

var Typo = runtime.NewFunction(runtime.FunctionOpts{
	ID:          "typo",
	Idempotency: "event.data.orderId",                                                             // want `Idempotency "event.data.orderId": event.data has no field "orderId" \(exprtypes.OrderData has Plain, customer_id, items, notes, order_id, placed_at, shipping, tenant_id\)`
	Concurrency: []runtime.Concurrency{{Limit: 5, Key: "event.data.customer"}},                    // want `Concurrency.Key "event.data.customer": event.data has no field "customer"`
	Throttle:    &runtime.Throttle{Limit: 1, Period: time.Minute, Key: "event.data.shipping.zip"}, // want `Throttle.Key "event.data.shipping.zip": event.data.shipping has no field "zip" \(exprtypes.Address has country\)`
}, exprtypes.OrderCreated.Trigger(), handle)

var Syntax = runtime.NewFunction(runtime.FunctionOpts{ID: "syntax", Idempotency: "event.data.order_id +"}, // want `Idempotency "event.data.order_id \+" does not compile: ERROR: <input>:1:22: Syntax error`
	exprtypes.OrderCreated.TriggerIf("event.data.items.size() > 0 && event.data.tenant == 'a'"), // want `trigger condition ".*": event.data has no field "tenant"`
	handle)

var NotBool = runtime.NewFunction(runtime.FunctionOpts{ID: "not-bool"},
	runtime.EventTrigger("shop/order.created", "event.data.order_id + 'x'"), // want `trigger condition "event.data.order_id \+ 'x'" evaluates to string, not bool`
	handle)

var AsyncInTrigger = runtime.NewFunction(runtime.FunctionOpts{ID: "async-in-trigger"},
	runtime.EventTrigger("shop/order.created", "async.data.x == 1"), // want `does not compile: ERROR: <input>:1:1: undeclared reference to 'async'`
	handle)

var Nested = runtime.NewFunction(runtime.FunctionOpts{
	ID:          "nested",
	Priority:    &runtime.Priority{Run: "event.data.items[0].price"},                                                // want `Priority.Run "event.data.items\[0\].price": event.data.items\[...\] has no field "price" \(exprtypes.LineItem has quantity, sku\)`
	Debounce:    &runtime.Debounce{Period: time.Minute, Key: "event.data.placed_at.day"},                            // want `event.data.placed_at is a time \(a string\) and has no field "day"`
	Cancel:      []runtime.Cancel{{Event: "shop/order.cancelled", If: "async.data.order_id == event.data.orderid"}}, // want `Cancel.If ".*": event.data has no field "orderid"`
	BatchEvents: &runtime.BatchEvents{MaxSize: 10, Key: "event.dat.order_id"},                                       // want `BatchEvents.Key "event.dat.order_id": event has no field "dat" \(the event envelope has data, id, name, ts, v\)`
}, exprtypes.OrderCreated.Trigger(), handle)

// A method body with a wait: async is the awaited event's type.
type Flow struct{}

func (Flow) Handle(ctx context.Context, in runtime.Input[Order]) (any, error) {
	_, err := step.WaitForEvent(ctx, "wait-payment", exprtypes.PaymentReceived, step.WaitOpts{
		Timeout: time.Hour,
		If:      "async.data.order == event.data.order_id", // want `wait If ".*": async.data has no field "order" \(exprtypes.PaymentData has amount, order_id\)`
	})
	return nil, err
}

var ByMethod = runtime.NewFunction(runtime.FunctionOpts{ID: "by-method"}, exprtypes.OrderCreated.Trigger(), Flow{}.Handle)

// A generic helper whose wait has a fixed event type.
func waitPaid[T any](ctx context.Context, in runtime.Input[T]) error {
	_, err := step.WaitForEvent(ctx, "wait-paid", exprtypes.PaymentReceived, step.WaitOpts{Timeout: time.Hour, If: "async.data.amount > 0 && async.data.currency == 'EUR'"}) // want `async.data has no field "currency"`
	return err
}

// Negative cases.

var Good = runtime.NewFunction(runtime.FunctionOpts{
	ID:          "good",
	Idempotency: "event.data.order_id",
	Concurrency: []runtime.Concurrency{{Limit: 5, Key: "event.data.customer_id"}, {Limit: 100}},
	RateLimit:   &runtime.RateLimit{Limit: 1, Period: time.Hour, Key: "event.data.tenant_id + '-' + event.data.shipping.country"},
	Priority:    &runtime.Priority{Run: "event.data.items.size() > 10 ? 100 : 0"},
	Singleton:   &runtime.Singleton{Key: "event.data.notes['gift']"},
	Debounce:    &runtime.Debounce{Period: time.Minute, Key: "event.data.Plain"},
	Cancel:      []runtime.Cancel{{Event: "shop/order.cancelled", If: "async.data.order_id == event.data.order_id"}},
}, exprtypes.OrderCreated.TriggerIf("event.data.items.exists(i, i.quantity > 1) && has(event.data.shipping) && event.name == 'shop/order.created'"),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		paid, err := step.WaitForEvent(ctx, "wait-payment", exprtypes.PaymentReceived,
			step.WaitOpts{Timeout: time.Hour, If: "async.data.order_id == event.data.order_id && async.ts > event.ts"})
		return paid, err
	})

// Free-form data and no catalog: nothing to resolve against.
var FreeForm = runtime.NewFunction(runtime.FunctionOpts{ID: "free-form", Idempotency: "event.data.anything.at.all"},
	runtime.EventTrigger("misc/thing.happened", "event.data.kind == 'x'"),
	func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) { return nil, nil })

var keyFromConfig = "event.data." + "order_id"

var NonConstant = runtime.NewFunction(runtime.FunctionOpts{ID: "non-constant", Idempotency: keyFromConfig}, exprtypes.OrderCreated.Trigger(), handle)

var Empty = runtime.NewFunction(runtime.FunctionOpts{ID: "empty", Idempotency: ""}, exprtypes.OrderCreated.TriggerIf(""), handle)

var Ignored = runtime.NewFunction(runtime.FunctionOpts{
	ID:          "ignored",
	Idempotency: "event.data.legacy_id", //durable:ignore exprcheck legacy_id is added by the ingest proxy
}, exprtypes.OrderCreated.Trigger(), handle)
