package idem

import (
	"context"
	"database/sql"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/inngest/inngestgo"
	istep "github.com/inngest/inngestgo/step"
	"github.com/sashabaranov/go-openai"
	"github.com/slack-go/slack"

	"idemhelp"
)

type Order struct {
	ID       string `json:"id"`
	Customer string `json:"customer"`
	Email    string `json:"email"`
	Phone    string `json:"phone"`
	Amount   int64  `json:"amount"`
}

var (
	db       *sql.DB
	payments idemhelp.Payments
	mailer   = idemhelp.NewMailer("key")
	repo     = &idemhelp.OrderRepo{}
	ai       = openai.NewClient("key")
	chat     = slack.New("token")
)

// Positive cases: calls that move money or reach a person.

var ChargeNoKey = runtime.NewFunction(runtime.FunctionOpts{ID: "charge-order"}, runtime.EventTrigger("shop/order.created", ""), // want `durable function "charge-order" moves money \(charge.New via idemhelp.Payments.Charge → charge.New\) but has no Idempotency key: a duplicate event starts a second run, which does it again; set FunctionOpts.Idempotency \(e.g. Idempotency: "event.data.order_id"\), or pass an idempotency key`
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "charge", func(ctx context.Context) (string, error) {
			return payments.Charge(ctx, in.Event.Data.Customer, in.Event.Data.Amount)
		})
	})

var Receipt = runtime.NewFunction(runtime.FunctionOpts{ID: "send-receipt", Idempotency: ""}, runtime.EventTrigger("shop/order.paid", ""), // want `durable function "send-receipt" sends an email \(sendgrid.Client.SendWithContext via idemhelp.Mailer.SendReceipt → sendgrid.Client.SendWithContext\)`
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "receipt", func(ctx context.Context) (bool, error) {
			return true, mailer.SendReceipt(ctx, in.Event.Data.Email)
		})
	})

// Through an interface whose implementation the program declares.
type Shipping struct{ notify idemhelp.Notifier }

func (s *Shipping) Handle(ctx context.Context, in runtime.Input[Order]) (any, error) { // want Handle:`nonIdempotent\(idemhelp.Notifier.Notify → idemhelp.SMSNotifier.Notify → idemhelp.Text → openapi.ApiService.CreateMessage\)`
	return step.Run(ctx, "text-customer", func(ctx context.Context) (bool, error) {
		return true, s.notify.Notify(ctx, in.Event.Data.Phone, "shipped")
	})
}

var shipping = &Shipping{notify: idemhelp.SMSNotifier{}}

var Shipped = runtime.NewFunction(runtime.FunctionOpts{ID: "order-shipped"}, runtime.EventTrigger("shop/order.shipped", ""), shipping.Handle) // want `durable function "order-shipped" sends an SMS \(openapi.ApiService.CreateMessage via idem.Shipping.Handle → idemhelp.Notifier.Notify → idemhelp.SMSNotifier.Notify → idemhelp.Text → openapi.ApiService.CreateMessage\)`

func RegisterInngest(c inngestgo.Client) error { // want RegisterInngest:`nonIdempotent\(idemhelp.Payments.Refund → refund.New\)`
	_, err := inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "refund-order"}, inngestgo.EventTrigger("shop/order.returned", nil), // want `durable function "refund-order" moves money \(refund.New via idemhelp.Payments.Refund → refund.New\) but has no Idempotency key: .*; set Idempotency: inngestgo.StrPtr\("event.data.order_id"\) in inngestgo.FunctionOpts`
		func(ctx context.Context, in inngestgo.Input[Order]) (any, error) {
			return istep.Run(ctx, "refund", func(ctx context.Context) (bool, error) {
				return true, payments.Refund(ctx, in.Event.ID)
			})
		})
	if err != nil {
		return err
	}
	// Negative: an Idempotency key.
	_, err = inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "refund-keyed", Idempotency: inngestgo.StrPtr("event.data.id")}, inngestgo.EventTrigger("shop/order.returned", nil),
		func(ctx context.Context, in inngestgo.Input[Order]) (any, error) {
			return istep.Run(ctx, "refund", func(ctx context.Context) (bool, error) {
				return true, payments.Refund(ctx, in.Event.ID)
			})
		})
	if err != nil {
		return err
	}
	// Negative: an LLM call, then a chat reply... through a keyed helper? No:
	// the reply is a chat message, reported.
	_, err = inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "answer-question"}, inngestgo.EventTrigger("support/question.asked", nil), // want `durable function "answer-question" posts a chat message \(slack.Client.PostMessageContext via idemhelp.Post → slack.Client.PostMessageContext\)`
		func(ctx context.Context, in inngestgo.Input[Order]) (any, error) {
			answer, err := istep.Run(ctx, "ask-llm", func(ctx context.Context) (string, error) {
				return idemhelp.Summarize(ctx, ai, in.Event.Email)
			})
			if err != nil {
				return nil, err
			}
			return istep.Run(ctx, "reply", func(ctx context.Context) (bool, error) {
				return true, idemhelp.Post(ctx, chat, "support", answer)
			})
		})
	return err
}

// Negative cases: idempotent or invisible calls.

var Keyed = runtime.NewFunction(runtime.FunctionOpts{ID: "charge-keyed", Idempotency: "event.data.id"}, runtime.EventTrigger("shop/order.created", ""),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "charge", func(ctx context.Context) (string, error) {
			return payments.Charge(ctx, in.Event.Data.Customer, in.Event.Data.Amount)
		})
	})

var CallKeyed = runtime.NewFunction(runtime.FunctionOpts{ID: "charge-call-keyed"}, runtime.EventTrigger("shop/order.created", ""),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "charge", func(ctx context.Context) (string, error) {
			return payments.ChargeKeyed(ctx, in.Event.Data.ID, in.Event.Data.Amount)
		})
	})

// LLM, embeddings, search-index upserts and deletes by ID, SQL keyed on the
// event ID, updates: none is reported.
var Index = runtime.NewFunction(runtime.FunctionOpts{ID: "index-order"}, runtime.EventTrigger("shop/order.updated", ""),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		summary, err := step.Run(ctx, "summarize", func(ctx context.Context) (string, error) {
			return idemhelp.Summarize(ctx, ai, in.Event.Data.ID)
		})
		if err != nil {
			return nil, err
		}
		_, err = step.Run(ctx, "embed", func(ctx context.Context) (bool, error) { return true, idemhelp.Embed(ctx, summary) })
		if err != nil {
			return nil, err
		}
		_, err = step.Run(ctx, "upsert-document", func(ctx context.Context) (bool, error) {
			return true, idemhelp.IndexDocument(ctx, in.Event.Data.ID, []byte(summary))
		})
		if err != nil {
			return nil, err
		}
		_, err = step.Run(ctx, "drop-stale", func(ctx context.Context) (bool, error) {
			return true, idemhelp.DeleteDocument(ctx, "draft-"+in.Event.Data.ID)
		})
		if err != nil {
			return nil, err
		}
		_, err = step.Run(ctx, "record", func(ctx context.Context) (bool, error) {
			return true, repo.Record(ctx, in.Event.ID, in.Event.Data.ID)
		})
		if err != nil {
			return nil, err
		}
		return step.Run(ctx, "mark-paid", func(ctx context.Context) (bool, error) { return true, repo.MarkPaid(ctx, in.Event.Data.ID) })
	})

var keyExpr = "event.data.id"

var KeyFromVar = runtime.NewFunction(runtime.FunctionOpts{ID: "key-var", Idempotency: keyExpr}, runtime.EventTrigger("user/signed.up", ""),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return nil, idemhelp.Welcome(in.Event.Data.Email)
	})

var opts = runtime.FunctionOpts{ID: "opts-var"}

var OptsVar = runtime.NewFunction(opts, runtime.EventTrigger("user/signed.up", ""), // options not a literal here: not judged
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return nil, idemhelp.Welcome(in.Event.Data.Email)
	})

var Ignored = runtime.NewFunction(runtime.FunctionOpts{ID: "ignored"}, runtime.EventTrigger("user/signed.up", ""), //durable:ignore idempotency the producer sends each event exactly once (outbox)
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return nil, idemhelp.Welcome(in.Event.Data.Email)
	})

// A cron starts one run per tick: no duplicate event to dedupe.
var DailySummary = runtime.NewFunction(runtime.FunctionOpts{ID: "daily-summary"}, runtime.CronTrigger("TZ=Europe/Paris 0 8 * * *"),
	func(ctx context.Context, in runtime.Input[runtime.CronData]) (any, error) {
		return step.Run(ctx, "post-summary", func(ctx context.Context) (bool, error) {
			return true, idemhelp.Post(ctx, chat, "#sales", "summary")
		})
	})
