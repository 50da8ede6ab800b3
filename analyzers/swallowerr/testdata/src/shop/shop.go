// Package shop is written the way applications are: a repository behind an
// interface, a service that owns the engine, HTTP handlers that send
// events, and a helper shared by a function and a handler.
package shop

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"

	"billing"
)

type Order struct {
	ID     string
	Amount int64
}

type OrderRepository interface {
	Get(ctx context.Context, id string) (Order, error)
	MarkPaid(ctx context.Context, id string) error
}

type Service struct {
	repo   OrderRepository
	engine *runtime.Engine
	log    *slog.Logger
}

var OrderPlaced = runtime.NewEventType[Order]("shop/order.placed", "1", nil)

func (s *Service) Functions() []*runtime.Function {
	return []*runtime.Function{
		runtime.NewFunction(runtime.FunctionOpts{ID: "fulfil-order"}, OrderPlaced.Trigger(), s.fulfil),
	}
}

func (s *Service) fulfil(ctx context.Context, in runtime.Input[Order]) (any, error) {
	raw, err := step.Run(ctx, "load-order", func(ctx context.Context) ([]byte, error) {
		o, err := s.repo.Get(ctx, in.Event.Data.ID)
		if err != nil {
			return nil, err
		}
		return json.Marshal(o)
	})
	if err != nil {
		return nil, err
	}
	var order Order
	_ = json.Unmarshal(raw, &order) // want `the error of json.Unmarshal of the result of step.Run "load-order" is assigned to _: a result that does not decode`
	var again Order
	if err := json.Unmarshal(raw, &again); err != nil {
		return nil, err
	}
	var local Order
	_ = json.Unmarshal([]byte(`{}`), &local) // not a step's result

	charge, err := billing.ChargeCard(ctx, order.Amount) // want `the error of billing.ChargeCard \(which runs step.Run\) is overwritten at line \d+ before it is read`
	_, err = step.Run(ctx, "mark-paid", func(ctx context.Context) (bool, error) {
		return true, s.repo.MarkPaid(ctx, order.ID)
	})
	if err != nil {
		return nil, err
	}

	if _, err := step.SendEvent(ctx, "emit-paid", OrderPlaced.New(order)); err != nil {
		s.log.Error("emit failed", "err", err) // the event is a courtesy for analytics
	}
	return charge, nil
}

// ServeHTTP accepts orders: it sends events through the engine.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var o Order
	if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
		http.Error(w, "bad order", http.StatusBadRequest)
		return
	}
	s.engine.Send(r.Context(), OrderPlaced.New(o)) // want `the error of runtime.Engine.Send is never looked at \(the call's results are discarded\): an event that was not accepted starts no run and nothing retries it`
	if _, err := s.engine.Send(r.Context(), OrderPlaced.New(o)); err != nil {
		http.Error(w, "could not queue the order", http.StatusServiceUnavailable)
		return
	}
	// A helper that starts steps, called from a handler that answers with
	// http.Error: the error is the response.
	if err := billing.Refund(r.Context(), o.ID); err != nil {
		http.Error(w, "refund failed", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// Context is the shape of a web framework's request context (gin, echo).
type Context interface {
	JSON(code int, body any)
	Request() *http.Request
}

// Refund is a framework handler: c.JSON with a status answers the error.
func (s *Service) Refund(c Context) {
	if err := billing.Refund(c.Request().Context(), "o-1"); err != nil {
		c.JSON(http.StatusBadGateway, map[string]string{"error": "refund failed"})
		return
	}
	if err := billing.Refund(c.Request().Context(), "o-2"); err != nil { // want `the error of billing.Refund \(which runs step.Run\) is dropped by a return that reports nothing`
		return
	}
	c.JSON(http.StatusOK, nil)
}

var errBusy = errors.New("busy")
