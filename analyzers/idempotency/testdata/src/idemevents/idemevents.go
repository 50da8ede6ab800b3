// Package idemevents publishes domain events through the engine: a helper
// of the kind applications write around their event client.
package idemevents

import (
	"context"

	"github.com/durable-go/durable/runtime"
	"github.com/inngest/inngestgo"
)

type Publisher struct {
	Engine *runtime.Engine
	Client inngestgo.Client
}

// OrderShipped sends with no event ID.
func (p *Publisher) OrderShipped(ctx context.Context, orderID string) error { // want OrderShipped:`sendsEvents\(runtime.Engine.Send\)`
	_, err := p.Engine.Send(ctx, runtime.Event{Name: "shop/order.shipped", Data: map[string]string{"order_id": orderID}})
	return err
}

// OrderShippedOnce derives the event ID from the order: the engine dedupes.
func (p *Publisher) OrderShippedOnce(ctx context.Context, orderID string) error {
	_, err := p.Engine.Send(ctx, runtime.Event{ID: "shipped-" + orderID, Name: "shop/order.shipped", Data: map[string]string{"order_id": orderID}})
	return err
}

// UserInvited sends through the Inngest client.
func (p *Publisher) UserInvited(ctx context.Context, email string) error { // want UserInvited:`sendsEvents\(inngestgo.Client.Send\)`
	_, err := p.Client.Send(ctx, inngestgo.Event{Name: "app/user.invited", Data: map[string]any{"email": email}})
	return err
}
