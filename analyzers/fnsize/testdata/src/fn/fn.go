package fn

import (
	"context"
	"database/sql"
	"net/http"

	"fnsvc/crm"
	"fnsvc/ledger"
	"fnsvc/mail"
	"fnsvc/pay"
	"fnsvc/ship"
	"fnsvc/slack"
	"fnsvc/stock"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/stripe/stripe-go/v76/charge"
	"github.com/stripe/stripe-go/v76/refund"
)

type Order struct{ ID string }

func run(ctx context.Context, id string, f func(ctx context.Context, id string) (string, error)) (string, error) {
	return step.Run(ctx, id, func(ctx context.Context) (string, error) { return f(ctx, id) })
}

// Positive cases.

var Everything = runtime.NewFunction(runtime.FunctionOpts{ID: "everything"}, runtime.EventTrigger("shop/order.paid", ""),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) { // want `durable function "everything" has 7 steps touching 7 distinct external services \(more than 6\): fnsvc/crm, fnsvc/ledger, fnsvc/mail, fnsvc/pay, fnsvc/ship, fnsvc/slack, fnsvc/stock; split it into functions per concern`
		id := in.Event.Data.ID
		step.Run(ctx, "pay", func(ctx context.Context) (string, error) { return pay.Call(ctx, id) })
		step.Run(ctx, "reserve", func(ctx context.Context) (string, error) { return stock.Call(ctx, id) })
		step.Run(ctx, "ship", func(ctx context.Context) (string, error) { return ship.Call(ctx, id) })
		step.Run(ctx, "crm", func(ctx context.Context) (string, error) { return crm.Call(ctx, id) })
		step.Run(ctx, "email", func(ctx context.Context) (string, error) { return mail.Call(ctx, id) })
		step.Run(ctx, "slack", func(ctx context.Context) (string, error) { return slack.Call(ctx, id) })
		step.Run(ctx, "ledger", func(ctx context.Context) (string, error) { return ledger.Call(ctx, id) })
		return nil, nil
	})

// Standard-library services, through a helper of this package, in a method.
type Flow struct{ db *sql.DB }

func (f *Flow) record(ctx context.Context, id string) error {
	_, err := f.db.ExecContext(ctx, "INSERT INTO orders VALUES ($1)", id)
	return err
}

func (f *Flow) Handle(ctx context.Context, in runtime.Input[Order]) (any, error) { // want `durable function Flow.Handle has 7 steps touching 7 distinct external services \(more than 6\): HTTP api.carrier.example, HTTP hooks.example, database, fnsvc/crm, fnsvc/mail, fnsvc/slack, github.com/stripe/stripe-go`
	step.Run(ctx, "record", func(ctx context.Context) (bool, error) { return true, f.record(ctx, in.Event.Data.ID) })
	step.Run(ctx, "charge", func(ctx context.Context) (string, error) { return charge.New(ctx, 10) })
	step.Run(ctx, "refund", func(ctx context.Context) (string, error) { return refund.New(ctx, "ch") }) // same service as charge
	step.Run(ctx, "carrier", func(ctx context.Context) (int, error) {
		r, err := http.Get("https://api.carrier.example/book")
		if err != nil {
			return 0, err
		}
		return r.StatusCode, nil
	})
	step.Run(ctx, "hook", func(ctx context.Context) (int, error) {
		r, err := http.Post("https://hooks.example/x", "text/plain", nil)
		if err != nil {
			return 0, err
		}
		return r.StatusCode, nil
	})
	step.Run(ctx, "crm", func(ctx context.Context) (string, error) { return crm.Call(ctx, "x") })
	step.Run(ctx, "mail", func(ctx context.Context) (string, error) { return mail.Call(ctx, "x") })
	step.Run(ctx, "slack", func(ctx context.Context) (string, error) { return slack.Call(ctx, "x") })
	return nil, nil
}

// Interfaces count once per interface type; a generic body.
type Notifier interface {
	Notify(ctx context.Context, id string) error
}

type Archiver interface {
	Archive(ctx context.Context, id string) error
}

var notifier Notifier
var archiver Archiver

func Generic[T any](ctx context.Context, in runtime.Input[T]) (any, error) { // want `durable function Generic has 7 steps touching 7 distinct external services \(more than 6\): Archiver \(interface\), Notifier \(interface\), fnsvc/crm`
	step.Run(ctx, "n1", func(ctx context.Context) (bool, error) { return true, notifier.Notify(ctx, "a") })
	step.Run(ctx, "n2", func(ctx context.Context) (bool, error) { return true, notifier.Notify(ctx, "b") })
	step.Run(ctx, "a", func(ctx context.Context) (bool, error) { return true, archiver.Archive(ctx, "a") })
	step.Run(ctx, "pay", func(ctx context.Context) (string, error) { return pay.Call(ctx, "a") })
	step.Run(ctx, "stock", func(ctx context.Context) (string, error) { return stock.Call(ctx, "a") })
	step.Run(ctx, "ship", func(ctx context.Context) (string, error) { return ship.Call(ctx, "a") })
	step.Run(ctx, "ledger", func(ctx context.Context) (string, error) { return ledger.Call(ctx, "a") })
	step.Run(ctx, "crm", func(ctx context.Context) (string, error) { return crm.Call(ctx, "a") })
	return nil, nil
}

// Method values as step callbacks: their bodies are followed.
type Clients struct{}

func (Clients) pay(ctx context.Context) (string, error)    { return pay.Call(ctx, "x") }
func (Clients) stock(ctx context.Context) (string, error)  { return stock.Call(ctx, "x") }
func (Clients) ship(ctx context.Context) (string, error)   { return ship.Call(ctx, "x") }
func (Clients) crm(ctx context.Context) (string, error)    { return crm.Call(ctx, "x") }
func (Clients) mail(ctx context.Context) (string, error)   { return mail.Call(ctx, "x") }
func (Clients) slack(ctx context.Context) (string, error)  { return slack.Call(ctx, "x") }
func (Clients) ledger(ctx context.Context) (string, error) { return ledger.Call(ctx, "x") }

var cl Clients

var MethodValues = runtime.NewFunction(runtime.FunctionOpts{ID: "method-values"}, runtime.EventTrigger("shop/order.valued", ""),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) { // want `durable function "method-values" has 7 steps touching 7 distinct external services`
		step.Run(ctx, "pay", cl.pay)
		step.Run(ctx, "stock", cl.stock)
		step.Run(ctx, "ship", cl.ship)
		step.Run(ctx, "crm", cl.crm)
		step.Run(ctx, "mail", cl.mail)
		step.Run(ctx, "slack", cl.slack)
		step.Run(ctx, "ledger", cl.ledger)
		return nil, nil
	})

// Negative cases.

// Six services: at the limit.
var Six = runtime.NewFunction(runtime.FunctionOpts{ID: "six"}, runtime.EventTrigger("shop/order.shipped", ""),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		id := in.Event.Data.ID
		step.Run(ctx, "pay", func(ctx context.Context) (string, error) { return pay.Call(ctx, id) })
		step.Run(ctx, "reserve", func(ctx context.Context) (string, error) { return stock.Call(ctx, id) })
		step.Run(ctx, "ship", func(ctx context.Context) (string, error) { return ship.Call(ctx, id) })
		step.Run(ctx, "crm", func(ctx context.Context) (string, error) { return crm.Call(ctx, id) })
		step.Run(ctx, "email", func(ctx context.Context) (string, error) { return mail.Call(ctx, id) })
		step.Run(ctx, "slack", func(ctx context.Context) (string, error) { return slack.Call(ctx, id) })
		step.Run(ctx, "slack-again", func(ctx context.Context) (string, error) { return slack.Call(ctx, id+"2") })
		return nil, nil
	})

// Many steps, one service each time; calls without a context are not services.
var ManySteps = runtime.NewFunction(runtime.FunctionOpts{ID: "many-steps"}, runtime.EventTrigger("shop/order.created", ""),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		for _, id := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
			step.Run(ctx, "crm-"+id, func(ctx context.Context) (string, error) { return crm.Call(ctx, id) })
		}
		step.Run(ctx, "format", func(ctx context.Context) (string, error) {
			return pay.Format("a") + stock.Format("b") + ship.Format("c") + mail.Format("d") + slack.Format("e") + ledger.Format("f") + crm.Format("g"), nil
		})
		return nil, nil
	})

// Services outside steps are sideeffect's concern, not this one's; steps
// started by a helper of the body are counted where the helper is.
var Helper = runtime.NewFunction(runtime.FunctionOpts{ID: "helper"}, runtime.EventTrigger("shop/order.helped", ""),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		run(ctx, "a", pay.Call)
		run(ctx, "b", stock.Call)
		return nil, nil
	})

var Ignored = runtime.NewFunction(runtime.FunctionOpts{ID: "ignored"}, runtime.EventTrigger("shop/order.ignored", ""),
	//durable:ignore fnsize the saga coordinator is one function by design; steps are compensations
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		id := in.Event.Data.ID
		step.Run(ctx, "pay", func(ctx context.Context) (string, error) { return pay.Call(ctx, id) })
		step.Run(ctx, "reserve", func(ctx context.Context) (string, error) { return stock.Call(ctx, id) })
		step.Run(ctx, "ship", func(ctx context.Context) (string, error) { return ship.Call(ctx, id) })
		step.Run(ctx, "crm", func(ctx context.Context) (string, error) { return crm.Call(ctx, id) })
		step.Run(ctx, "email", func(ctx context.Context) (string, error) { return mail.Call(ctx, id) })
		step.Run(ctx, "slack", func(ctx context.Context) (string, error) { return slack.Call(ctx, id) })
		step.Run(ctx, "ledger", func(ctx context.Context) (string, error) { return ledger.Call(ctx, id) })
		return nil, nil
	})
