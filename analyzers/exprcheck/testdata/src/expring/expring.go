package expring

import (
	"context"
	"time"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
)

type SignupData struct {
	UserID string `json:"user_id"`
	Plan   string `json:"plan"`
}

type Signup = inngestgo.GenericEvent[SignupData]

type Opened = inngestgo.GenericEvent[struct {
	UserID string `json:"user_id"`
}]

func Register(c inngestgo.Client) {
	inngestgo.CreateFunction(c,
		inngestgo.FunctionOpts{
			ID:          "onboard",
			Idempotency: inngestgo.StrPtr("event.data.userId"), // want `Idempotency "event.data.userId": event.data has no field "userId" \(app/user.signed-up in durable.yaml has plan, referrer, user_id\)`
			Concurrency: []inngestgo.ConfigStepConcurrency{{Limit: 1, Key: inngestgo.StrPtr("event.data.user_id")}},
		},
		inngestgo.EventTrigger("app/user.signed-up", inngestgo.StrPtr("event.data.plan == 'pro' &&")), // want `trigger condition .* does not compile`
		func(ctx context.Context, in inngestgo.Input[Signup]) (any, error) {
			_, err := step.WaitForEvent[Opened](ctx, "wait-open", step.WaitForEventOpts{
				Event: "mail/message.opened", Timeout: time.Hour,
				If: inngestgo.StrPtr("async.data.user == event.data.user_id"), // want `wait If ".*": async.data has no field "user" \(mail/message.opened in durable.yaml has campaign, user_id\)`
			})
			return nil, err
		})
	inngestgo.CreateFunction(c,
		inngestgo.FunctionOpts{ID: "fine", Idempotency: inngestgo.StrPtr("event.data.user_id")},
		inngestgo.EventTrigger("app/user.signed-up", inngestgo.StrPtr("event.data.plan == 'pro'")),
		func(ctx context.Context, in inngestgo.Input[Signup]) (any, error) {
			_, err := step.WaitForEvent[Opened](ctx, "wait-open", step.WaitForEventOpts{
				Event: "mail/message.opened", Timeout: time.Hour, If: inngestgo.StrPtr("async.data.user_id == event.data.user_id"),
			})
			return nil, err
		})
}

// Newer SDKs: Input[T] carries the data type; the event wraps it.
func RegisterData(c inngestgo.Client) {
	inngestgo.CreateFunction(c,
		inngestgo.FunctionOpts{ID: "by-data", Idempotency: inngestgo.StrPtr("event.data.userid")}, // want `event.data has no field "userid" \(app/user.signed-up in durable.yaml has plan, referrer, user_id\)`
		inngestgo.EventTrigger("app/user.signed-up", inngestgo.StrPtr("event.data.plan == 'pro'")),
		func(ctx context.Context, in inngestgo.Input[SignupData]) (any, error) { return nil, nil })
}

// The Go type is only what the SDK decodes the event into: a field the
// struct leaves out (referrer, campaign) still exists in the event.
func RegisterPartial(c inngestgo.Client) {
	inngestgo.CreateFunction(c,
		inngestgo.FunctionOpts{ID: "partial", Idempotency: inngestgo.StrPtr("event.data.referrer")},
		inngestgo.EventTrigger("app/user.signed-up", nil),
		func(ctx context.Context, in inngestgo.Input[SignupData]) (any, error) {
			return step.WaitForEvent[SignupData](ctx, "wait-open", step.WaitForEventOpts{
				Event: "mail/message.opened", Timeout: time.Hour,
				If: inngestgo.StrPtr("async.data.campaign == 'welcome' && async.data.user_id == event.data.user_id"),
			})
		})
}
