package conc

import (
	"context"
	"net/http"
	"net/smtp"
	"time"

	"conchelp"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/sendgrid/sendgrid-go"
	"github.com/twilio/twilio-go"
)

type Order struct{ ID, Email, Phone string }

var OrderPaid = runtime.NewEventType[Order]("shop/order.paid", "1", nil)

var sg = sendgrid.NewSendClient("key")

// Positive cases.

var Receipt = runtime.NewFunction(runtime.FunctionOpts{ID: "send-receipt"}, OrderPaid.Trigger(), // want `durable function "send-receipt" calls the rate-limited service sendgrid.Client.Send with no Concurrency, Throttle or RateLimit: .*429; set Concurrency: \[\]runtime.Concurrency\{\{Limit: 10\}\} or a Throttle`
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "send-receipt", func(ctx context.Context) (any, error) {
			return sg.Send(in.Event.Data.Email)
		})
	})

var SMS = runtime.NewFunction(runtime.FunctionOpts{ID: "send-sms", Retries: runtime.Retries(3)}, OrderPaid.Trigger(), // want `calls the rate-limited service twilio.ApiService.CreateMessage`
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "send-sms", func(ctx context.Context) (any, error) {
			return twilio.NewRestClient().Api.CreateMessage(&twilio.CreateMessageParams{To: in.Event.Data.Phone})
		})
	})

var SMTP = runtime.NewFunction(runtime.FunctionOpts{ID: "smtp", Concurrency: nil, Throttle: nil}, OrderPaid.Trigger(), // want `calls the rate-limited service smtp.SendMail`
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "mail", func(ctx context.Context) (bool, error) {
			return true, smtp.SendMail("mail:25", nil, "shop@example.com", []string{in.Event.Data.Email}, nil)
		})
	})

// Through a helper of another package.
var ViaHelper = runtime.NewFunction(runtime.FunctionOpts{ID: "via-helper"}, OrderPaid.Trigger(), // want `calls the rate-limited service sendgrid.Client.SendWithContext via conchelp.SendReceipt → sendgrid.Client.SendWithContext`
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "receipt", func(ctx context.Context) (bool, error) {
			return true, conchelp.SendReceipt(ctx, in.Event.Data.Email)
		})
	})

// A method as handler.
type Notifier struct{ c *sendgrid.Client }

func (n *Notifier) Handle(ctx context.Context, in runtime.Input[Order]) (any, error) { // want Handle:`rateLimited\(sendgrid.Client.Send\)`
	return step.Run(ctx, "notify", func(ctx context.Context) (any, error) { return n.c.Send(in.Event.Data.Email) })
}

var n = &Notifier{c: sg}

var ByMethod = runtime.NewFunction(runtime.FunctionOpts{ID: "by-method", Concurrency: []runtime.Concurrency{}}, OrderPaid.Trigger(), n.Handle) // want `durable function "by-method" calls the rate-limited service sendgrid.Client.Send via conc.Notifier.Handle → sendgrid.Client.Send`

// A generic helper.
func notify[T any](ctx context.Context, v T) (T, error) { // want notify:`rateLimited\(sendgrid.Client.Send\)`
	_, err := sg.Send(v)
	return v, err
}

var ByGeneric = runtime.NewFunction(runtime.FunctionOpts{ID: "by-generic"}, OrderPaid.Trigger(), // want `calls the rate-limited service sendgrid.Client.Send via conc.notify → sendgrid.Client.Send`
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "notify", func(ctx context.Context) (Order, error) { return notify(ctx, in.Event.Data) })
	})

// Negative cases.

var Limited = runtime.NewFunction(runtime.FunctionOpts{ID: "limited", Concurrency: []runtime.Concurrency{{Limit: 10}}}, OrderPaid.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "send", func(ctx context.Context) (any, error) { return sg.Send(in.Event.Data.Email) })
	})

var Throttled = runtime.NewFunction(runtime.FunctionOpts{ID: "throttled", Throttle: &runtime.Throttle{Limit: 100, Period: time.Minute}}, OrderPaid.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "send", func(ctx context.Context) (any, error) { return sg.Send(in.Event.Data.Email) })
	})

var RateLimited = runtime.NewFunction(runtime.FunctionOpts{ID: "rate-limited", RateLimit: &runtime.RateLimit{Limit: 1, Period: time.Hour, Key: "event.data.id"}}, OrderPaid.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "send", func(ctx context.Context) (bool, error) {
			return true, conchelp.SendReceipt(ctx, in.Event.Data.Email)
		})
	})

// Plain HTTP does not count by default.
var Webhook = runtime.NewFunction(runtime.FunctionOpts{ID: "webhook"}, OrderPaid.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "post", func(ctx context.Context) (int, error) {
			resp, err := http.Post("https://hooks.example.com", "application/json", nil)
			if err != nil {
				return 0, err
			}
			return resp.StatusCode, resp.Body.Close()
		})
	})

// Building a client is not a call to the service.
var Builds = runtime.NewFunction(runtime.FunctionOpts{ID: "builds"}, OrderPaid.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		_ = conchelp.NewMailer()
		return nil, nil
	})

var Ignored = runtime.NewFunction(runtime.FunctionOpts{ID: "ignored"}, OrderPaid.Trigger(), //durable:ignore concurrency triggered once a day by cron-fed events
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "send", func(ctx context.Context) (any, error) { return sg.Send(in.Event.Data.Email) })
	})
