// Package concapp is an application's workflows: an LLM client, a payment
// provider and a mailer behind an interface.
package concapp

import (
	"context"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/inngest/inngestgo"
	istep "github.com/inngest/inngestgo/step"
	"github.com/sashabaranov/go-openai"
	"github.com/sendgrid/sendgrid-go"
	stripe "github.com/stripe/stripe-go/v76"
	"github.com/twilio/twilio-go"
)

type Ticket struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Mailer is implemented below by the SendGrid adapter.
type Mailer interface {
	Send(ctx context.Context, to, body string) error
}

type sendgridMailer struct{ c *sendgrid.Client }

func (m sendgridMailer) Send(ctx context.Context, to, body string) error { // want Send:`rateLimited\(sendgrid.Client.SendWithContext\)`
	_, err := m.c.SendWithContext(ctx, body)
	return err
}

type App struct {
	AI     *openai.Client
	Mailer Mailer
}

var app = &App{AI: openai.NewClient("key"), Mailer: sendgridMailer{c: sendgrid.NewSendClient("key")}}

// Positive cases.

var Triage = runtime.NewFunction(runtime.FunctionOpts{ID: "triage"}, runtime.EventTrigger("support/ticket.created", ""), // want `durable function "triage" calls the rate-limited service openai.Client.CreateChatCompletion with no Concurrency, Throttle or RateLimit`
	func(ctx context.Context, in runtime.Input[Ticket]) (any, error) {
		return step.Run(ctx, "classify", func(ctx context.Context) (string, error) {
			resp, err := app.AI.CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: "gpt-4o-mini"})
			return resp.ID, err
		})
	})

var Reply = runtime.NewFunction(runtime.FunctionOpts{ID: "reply"}, runtime.EventTrigger("support/ticket.answered", ""), // want `durable function "reply" calls the rate-limited service sendgrid.Client.SendWithContext via concapp.Mailer.Send → concapp.sendgridMailer.Send → sendgrid.Client.SendWithContext`
	func(ctx context.Context, in runtime.Input[Ticket]) (any, error) {
		return step.Run(ctx, "email-reply", func(ctx context.Context) (bool, error) {
			return true, app.Mailer.Send(ctx, in.Event.Data.ID, in.Event.Data.Text)
		})
	})

func Register(c inngestgo.Client) { // want Register:`rateLimited\(openai.Client.CreateChatCompletion\)`
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "summarize"}, inngestgo.EventTrigger("support/ticket.closed", nil), // want `durable function "summarize" calls the rate-limited service openai.Client.CreateChatCompletion .*set Concurrency: \[\]inngestgo.ConfigStepConcurrency\{\{Limit: 10\}\}`
		func(ctx context.Context, in inngestgo.Input[Ticket]) (any, error) {
			return istep.Run(ctx, "summarize", func(ctx context.Context) (string, error) {
				resp, err := app.AI.CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: "gpt-4o-mini"})
				return resp.ID, err
			})
		})
	// Negative: debounced per ticket.
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "summarize-debounced", Debounce: &inngestgo.ConfigDebounce{Key: "event.data.id", Period: time.Minute}},
		inngestgo.EventTrigger("support/ticket.updated", nil),
		func(ctx context.Context, in inngestgo.Input[Ticket]) (any, error) {
			return istep.Run(ctx, "summarize", func(ctx context.Context) (string, error) {
				resp, err := app.AI.CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: "gpt-4o-mini"})
				return resp.ID, err
			})
		})
}

// Negative cases.

// A cron cannot burst: one run per tick.
var Digest = runtime.NewFunction(runtime.FunctionOpts{ID: "digest"}, runtime.CronTrigger("0 9 * * *"),
	func(ctx context.Context, in runtime.Input[runtime.CronData]) (any, error) {
		return step.Run(ctx, "email-digest", func(ctx context.Context) (bool, error) {
			return true, app.Mailer.Send(ctx, "team@example.com", "digest")
		})
	})

// A singleton runs one at a time.
var Reindex = runtime.NewFunction(runtime.FunctionOpts{ID: "reindex", Singleton: &runtime.Singleton{Mode: "skip"}}, runtime.EventTrigger("support/index.stale", ""),
	func(ctx context.Context, in runtime.Input[Ticket]) (any, error) {
		return step.Run(ctx, "embed", func(ctx context.Context) (string, error) {
			resp, err := app.AI.CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: "text-embedding-3-small"})
			return resp.ID, err
		})
	})

// Building parameters and clients calls no service.
var Prepare = runtime.NewFunction(runtime.FunctionOpts{ID: "prepare"}, runtime.EventTrigger("support/ticket.created", ""),
	func(ctx context.Context, in runtime.Input[Ticket]) (any, error) {
		return step.Run(ctx, "prepare", func(ctx context.Context) (string, error) {
			p := &stripe.ChargeParams{Amount: stripe.Int64(100)}
			p.SetIdempotencyKey(in.Event.Data.ID)
			msg := (&twilio.CreateMessageParams{}).SetTo("+33600000000")
			_ = openai.NewClient("key")
			return msg.To + *stripe.String(in.Event.Data.ID), nil
		})
	})
