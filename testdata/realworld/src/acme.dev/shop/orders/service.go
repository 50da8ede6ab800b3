// Package orders holds the shop's durable workflows: fulfilment, refunds
// and the alert on failed runs.
package orders

import (
	"context"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/slack-go/slack"

	"acme.dev/shop/events"
	"acme.dev/shop/payments"
	"acme.dev/shop/store"
)

// Mailer sends transactional email.
type Mailer interface {
	SendReceipt(ctx context.Context, to, orderID string, amountCents int64, currency string) error
}

type Service struct {
	orders   store.OrderStore
	payments *payments.Stripe
	mail     Mailer
	engine   *runtime.Engine
	slack    *slack.Client
	// settings are the shop's tunables as loaded at start-up.
	settings  map[string]any
	opsChan   string
	salesChan string
}

type Deps struct {
	Orders    store.OrderStore
	Payments  *payments.Stripe
	Mail      Mailer
	Slack     *slack.Client
	Settings  map[string]any
	OpsChan   string
	SalesChan string
}

func NewService(d Deps) *Service {
	return &Service{orders: d.Orders, payments: d.Payments, mail: d.Mail, slack: d.Slack, settings: d.Settings, opsChan: d.OpsChan, salesChan: d.SalesChan}
}

// Attach gives the service the engine it sends follow-up events with.
func (s *Service) Attach(e *runtime.Engine) { s.engine = e }

// Functions are the workflows to register with the engine.
func (s *Service) Functions() []*runtime.Function {
	return []*runtime.Function{
		runtime.NewFunction(runtime.FunctionOpts{
			ID:          "fulfil-order",
			Idempotency: "event.data.order_id",
			Concurrency: []runtime.Concurrency{{Limit: 20, Key: "event.data.customer_id"}},
			Retries:     runtime.Retries(5),
		}, events.OrderPlaced.Trigger(), s.FulfilOrder),
		runtime.NewFunction(runtime.FunctionOpts{ // want "idempotency: .*refund"
			ID:          "refund-order",
			Concurrency: []runtime.Concurrency{{Limit: 5}},
		}, events.RefundRequested.Trigger(), s.RefundOrder),
		runtime.NewFunction(runtime.FunctionOpts{ID: "daily-sales-summary"}, // silent: concurrency, idempotency (a cron starts one run per tick: no burst, no duplicate event)
			runtime.CronTrigger("TZ=Europe/Paris 0 8 * * *"), s.DailySalesSummary),
		runtime.NewFunction(runtime.FunctionOpts{
			ID:          "alert-failed-run",
			Idempotency: "event.data.run_id",
			Throttle:    &runtime.Throttle{Limit: 30, Period: time.Minute},
		}, runtime.FunctionFailed.Trigger(), s.AlertFailedRun),
	}
}
