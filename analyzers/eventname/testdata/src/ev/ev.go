package ev

import (
	"context"
	"time"

	"evnames"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

type Order struct{ ID string }

// Positive cases.

var (
	Camel      = runtime.NewEventType[Order]("OrderCreated", "1", nil)           // want `event type "OrderCreated" does not follow the event naming convention \(prefix/noun.verb, prefix/noun-verb or prefix/verb, lowercase\): it has capitals, it has no prefix/`
	Underscore = runtime.NewEventType[Order]("shop/order_created", "1", nil)     // want `event type "shop/order_created" does not follow .*: it joins noun and verb with "_" while \d+ of \d+ names in this package use noun.verb; e.g. "shop/order.created"`
	Flat       = runtime.NewEventType[Order]("billing/invoice-paid", "1", nil)   // want `it joins noun and verb with "-" while .* use noun.verb; e.g. "billing/invoice.paid"`
	Capitals   = runtime.NewEventType[Order]("Shop/PaymentReceived", "1", nil)   // want `it has capitals; e.g. "shop/payment.received"`
	NoObject   = runtime.NewEventType[Order]("app/created", "1", nil)            // want `event type "app/created" .*: "created" is an action with no object after the generic prefix "app" \(created what\?\); name the thing, as in app/user.created`
	TwoSlashes = runtime.NewEventType[Order]("shop/orders/item.added", "1", nil) // several slashes: allowed
	Good       = runtime.NewEventType[Order]("shop/order.created", "1", nil)
	GoodKebab  = runtime.NewEventType[Order]("billing/invoice.payment-failed", "1", nil)
	// Inngest's prefix/verb: the prefix names the thing.
	Verb = runtime.NewEventType[Order]("item/created", "1", nil)
	// A prefix used as a domain elsewhere in the package names no thing.
	DomainVerb = runtime.NewEventType[Order]("shop/created", "1", nil) // want `event type "shop/created" .*: "created" is an action with no object: the package's other names use "shop" as a domain before a noun \(created what\?\)`
)

func handle(ctx context.Context, in runtime.Input[Order]) (any, error) { return nil, nil }

var Trig = runtime.NewFunction(runtime.FunctionOpts{ID: "trig"},
	runtime.EventTrigger("shop order created", ""), // want `trigger "shop order created" does not follow .*it contains spaces`
	handle)

// Cross-package constant.
var Shared = runtime.NewFunction(runtime.FunctionOpts{ID: "shared"},
	runtime.Triggers(runtime.EventTrigger(evnames.OrderCreated, ""), runtime.EventTrigger(evnames.BadShared, "")), // want `trigger "shop/OrderShipped" does not follow .*; e.g. "shop/order.shipped"`
	handle)

// A method sending an event literal.
type Emitter struct{}

func (Emitter) Emit(ctx context.Context) error {
	_, err := step.SendEvent(ctx, "emit", runtime.Event{Name: "shop.order.shipped"}) // want `sent event "shop.order.shipped" does not follow .*it has no prefix/`
	return err
}

// A generic helper.
func Define[T any](id string) *runtime.Function {
	return runtime.NewFunction(runtime.FunctionOpts{ID: id,
		Cancel: []runtime.Cancel{{Event: "Shop/Order Cancelled", Timeout: time.Hour}}}, // want `cancel event "Shop/Order Cancelled" does not follow .*: it contains spaces, it has capitals`
		runtime.EventTrigger("shop/"+id+".requested", ""),
		func(ctx context.Context, in runtime.Input[T]) (any, error) { return nil, nil })
}

// Negative cases.

var Fine = runtime.NewFunction(runtime.FunctionOpts{ID: "fine",
	Cancel: []runtime.Cancel{{Event: "shop/order.cancelled"}, {Event: "mail/bounced"}}},
	runtime.Triggers(Good.Trigger(), runtime.EventTrigger("shop/order.updated", "event.data.ID != ''")),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		_, err := step.SendEvent(ctx, "emit", runtime.Event{Name: "shop/order.shipped"}, Good.New(in.Event.Data))
		return nil, err
	})

// System events are the engine's.
var OnFailure = runtime.NewFunction(runtime.FunctionOpts{ID: "on-failure"},
	runtime.EventTrigger("durable/function.failed", ""),
	func(ctx context.Context, in runtime.Input[runtime.FunctionFailedData]) (any, error) { return nil, nil })

func fromConfig(n string) runtime.Trigger { return runtime.EventTrigger(n, "") } // not a constant

var Legacy = runtime.NewEventType[Order]("LegacyOrderCreated", "1", nil) //durable:ignore eventname sent by the legacy monolith until Q3
