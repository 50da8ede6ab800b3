package idemsend

import (
	"context"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/inngest/inngestgo"
	istep "github.com/inngest/inngestgo/step"

	"idemevents"
)

type Order struct {
	ID string `json:"id"`
}

var (
	engine    *runtime.Engine
	publisher = &idemevents.Publisher{}
	Shipped   = runtime.NewEventType[Order]("shop/order.shipped", "1", nil)
)

// Positive cases: a client send inside a step runs again when the step is retried.

var Fulfil = runtime.NewFunction(runtime.FunctionOpts{ID: "fulfil", Idempotency: "event.data.id"}, runtime.EventTrigger("shop/order.paid", ""),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		_, err := step.Run(ctx, "ship", func(ctx context.Context) (bool, error) {
			_, err := engine.Send(ctx, Shipped.New(in.Event.Data)) // want `step "ship" sends events through runtime.Engine.Send, with no event IDs: a retried step sends them again and starts duplicate runs; send them with step.SendEvent \(recorded once per run\), or give each runtime.Event an ID derived from the run`
			return err == nil, err
		})
		if err != nil {
			return nil, err
		}
		return step.Run(ctx, "announce", func(ctx context.Context) (bool, error) {
			return true, publisher.OrderShipped(ctx, in.Event.Data.ID) // want `step "announce" sends events through runtime.Engine.Send via idemevents.Publisher.OrderShipped → runtime.Engine.Send`
		})
	})

func Register(c inngestgo.Client) error { // want Register:`sendsEvents\(inngestgo.Client.Send\)`
	_, err := inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "invite", Idempotency: inngestgo.StrPtr("event.data.id")}, inngestgo.EventTrigger("app/team.created", nil),
		func(ctx context.Context, in inngestgo.Input[Order]) (any, error) {
			_, err := istep.Run(ctx, "invite-owner", func(ctx context.Context) (string, error) {
				return c.Send(ctx, inngestgo.Event{Name: "app/user.invited", Data: map[string]any{"team": in.Event.ID}}) // want `step "invite-owner" sends events through inngestgo.Client.Send, with no event IDs: .*send them with step.Send \(recorded once per run\), or give each inngestgo.Event an ID`
			})
			if err != nil {
				return nil, err
			}
			return istep.Run(ctx, "notify-admins", func(ctx context.Context) (string, error) {
				return inngestgo.Send(ctx, inngestgo.Event{Name: "app/admins.notified"}) // want `step "notify-admins" sends events through inngestgo.Send`
			})
		})
	return err
}

// Negative cases.

var Steps = runtime.NewFunction(runtime.FunctionOpts{ID: "steps", Idempotency: "event.data.id"}, runtime.EventTrigger("shop/order.paid", ""),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		// step.SendEvent: the engine records the send once.
		if _, err := step.SendEvent(ctx, "emit-shipped", Shipped.New(in.Event.Data)); err != nil {
			return nil, err
		}
		// A client send with a deterministic event ID: deduplicated.
		return step.Run(ctx, "emit-once", func(ctx context.Context) (bool, error) {
			ev := Shipped.New(in.Event.Data)
			ev.ID = "shipped-" + in.Event.ID
			_, err := engine.Send(ctx, ev)
			if err != nil {
				return false, err
			}
			return true, publisher.OrderShippedOnce(ctx, in.Event.Data.ID)
		})
	})

// An HTTP handler sends events: that is where client sends belong.
func Checkout(ctx context.Context, orderID string) error { // want Checkout:`sendsEvents\(runtime.Engine.Send\)`
	_, err := engine.Send(ctx, Shipped.New(Order{ID: orderID}))
	return err
}
