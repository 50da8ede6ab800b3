// Package orders is application code: a repository behind an interface, a
// vendor-style client, local helpers that only read what they are given.
package orders

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log"
	"net/http"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/inngest/inngestgo"
	istep "github.com/inngest/inngestgo/step"

	"codec"
	"telemetry"
)

type Order = codec.Order

type Repository interface {
	Get(ctx context.Context, id string, dst *Order) error
	Exists(ctx context.Context, id *string) (bool, error)
}

type Service struct {
	repo Repository
	db   *sql.DB
	http *http.Client
}

var OrderPaid = runtime.NewEventType[Order]("shop/order.paid", "1", nil)

// trace logs an ID; it only reads through the pointer.
func trace(id *string) { log.Printf("order %s", *id) }

func validate(o *Order) bool { return o.ID != "" }

func (s *Service) Fulfil(ctx context.Context, in runtime.Input[Order]) (any, error) {
	id := in.Event.Data.ID
	var order Order
	var total int64
	var latency int64
	span := &telemetry.Span{}
	_, err := step.Run(ctx, "load-order", func(ctx context.Context) (bool, error) {
		trace(&id)                                           // reads only
		telemetry.Observe("load", &latency)                  // reads only, another package
		span.SetAttr("order", &id)                           // reads only, a method
		log.Println(codec.Describe(&order))                  // reads only
		return validate(&order), s.repo.Get(ctx, id, &order) // want `step.Run "load-order" callback passes &order to orders.Repository.Get, which can fill order, declared outside the step`
	})
	if err != nil {
		return nil, err
	}
	_, err = step.Run(ctx, "sum", func(ctx context.Context) (int, error) {
		ok, err := s.repo.Exists(ctx, &id) // Exists reads its argument
		if !ok {
			return 0, err
		}
		return 0, s.db.QueryRowContext(ctx, "SELECT sum(amount) FROM lines WHERE order_id = $1", id).Scan(&total) // want `callback passes &total to sql.Row.Scan, which can fill total`
	})
	if err != nil {
		return nil, err
	}
	var notFound *NotFoundError
	_, err = step.Run(ctx, "classify", func(ctx context.Context) (bool, error) {
		err := s.repo.Get(ctx, id, new(Order))
		return errors.As(err, &notFound), nil // want `callback passes &notFound to errors.As, which can fill notFound`
	})
	_, err = step.Run(ctx, "apply", func(ctx context.Context) (bool, error) {
		codec.Apply("shipped", &order) // want `callback passes &order to codec.Apply, which can fill order`
		return true, nil
	})
	_, err = step.Run(ctx, "normalize", func(ctx context.Context) (bool, error) {
		normalize(&order) // want `callback passes &order to orders.normalize, which can fill order`
		return true, nil
	})
	return []any{order, total}, err
}

// normalize writes through its parameter by way of another package.
func normalize(o *Order) { // want normalize:`writesParams\(\[0\]\)`
	codec.Normalize(o)
}

type NotFoundError struct{ ID string }

func (e *NotFoundError) Error() string { return e.ID + " not found" }

type Quote struct{ Price float64 }

func (s *Service) Register(client inngestgo.Client) error {
	_, err := inngestgo.CreateFunction(client, inngestgo.FunctionOpts{ID: "price"}, inngestgo.EventTrigger("shop/price.requested", nil),
		func(ctx context.Context, in inngestgo.Input[Order]) (any, error) {
			var q Quote
			var requestID string
			_, err := istep.Run(ctx, "fetch-quote", func(ctx context.Context) (bool, error) {
				trace(&requestID) // reads only
				resp, err := s.http.Get("https://quotes.example.com/" + in.Event.ID)
				if err != nil {
					return false, err
				}
				defer resp.Body.Close()
				return true, json.NewDecoder(resp.Body).Decode(&q) // want `step.Run "fetch-quote" callback passes &q to json.Decoder.Decode, which can fill q`
			})
			return q, err
		})
	return err
}
