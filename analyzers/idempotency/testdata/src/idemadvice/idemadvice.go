package idemadvice

import (
	"bytes"
	"context"
	"net/http"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/inngest/inngestgo"
	istep "github.com/inngest/inngestgo/step"

	"idemhelp"
)

type Payout struct {
	ID     string `json:"id"`
	Seller string `json:"seller"`
	Amount int64  `json:"amount"`
}

// ledger is the application's own payment service, called over HTTP.
type ledger struct{ base string }

func (l ledger) transfer(ctx context.Context, p Payout) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.base+"/transfers", bytes.NewReader([]byte(p.ID)))
	if err != nil {
		return err
	}
	_, err = http.DefaultClient.Do(req)
	return err
}

func (l ledger) transferKeyed(ctx context.Context, p Payout) error { // want transferKeyed:`passesKey\(idempotency key\)`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.base+"/transfers", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Idempotency-Key", "payout-"+p.ID)
	_, err = http.DefaultClient.Do(req)
	return err
}

var books = ledger{base: "https://ledger.internal"}

// Positive cases: steps named for irreversible actions, no Idempotency key.

var PaySeller = runtime.NewFunction(runtime.FunctionOpts{ID: "pay-seller"}, runtime.EventTrigger("market/payout.requested", ""), // want `advice: durable function "pay-seller" has a step named for an irreversible action \("transfer-funds"\) but no Idempotency key: a duplicate event starts a second run, which runs it again; set FunctionOpts.Idempotency \(e.g. Idempotency: "event.data.order_id"\)`
	func(ctx context.Context, in runtime.Input[Payout]) (any, error) {
		if _, err := step.Run(ctx, "load-seller", func(ctx context.Context) (string, error) { return in.Event.Data.Seller, nil }); err != nil {
			return nil, err
		}
		return step.Run(ctx, "transfer-funds", func(ctx context.Context) (bool, error) {
			return true, books.transfer(ctx, in.Event.Data)
		})
	})

func Register(c inngestgo.Client) {
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "notify-seller"}, inngestgo.EventTrigger("market/payout.sent", nil), // want `advice: durable function "notify-seller" has a step named for an irreversible action \("sendEmail"\) but no Idempotency key: .*; set Idempotency: inngestgo.StrPtr\("event.data.order_id"\) in inngestgo.FunctionOpts`
		func(ctx context.Context, in inngestgo.Input[Payout]) (any, error) {
			return istep.Run(ctx, "sendEmail", func(ctx context.Context) (bool, error) {
				return true, nil
			})
		})
}

// Negative cases.

// A key on the function.
var PaySellerKeyed = runtime.NewFunction(runtime.FunctionOpts{ID: "pay-seller-keyed", Idempotency: "event.data.id"}, runtime.EventTrigger("market/payout.requested", ""),
	func(ctx context.Context, in runtime.Input[Payout]) (any, error) {
		return step.Run(ctx, "transfer-funds", func(ctx context.Context) (bool, error) { return true, books.transfer(ctx, in.Event.Data) })
	})

// A key on the call, through a helper.
var PaySellerCallKeyed = runtime.NewFunction(runtime.FunctionOpts{ID: "pay-seller-call-keyed"}, runtime.EventTrigger("market/payout.requested", ""),
	func(ctx context.Context, in runtime.Input[Payout]) (any, error) {
		return step.Run(ctx, "transfer-funds", func(ctx context.Context) (bool, error) { return true, books.transferKeyed(ctx, in.Event.Data) })
	})

// Steps named for reversible or internal work: the verb is not irreversible.
var Report = runtime.NewFunction(runtime.FunctionOpts{ID: "payout-report"}, runtime.EventTrigger("market/payout.sent", ""),
	func(ctx context.Context, in runtime.Input[Payout]) (any, error) {
		if _, err := step.Run(ctx, "record-payout", func(ctx context.Context) (int, error) { return 0, nil }); err != nil {
			return nil, err
		}
		if _, err := step.Run(ctx, "disable-email", func(ctx context.Context) (int, error) { return 0, nil }); err != nil {
			return nil, err
		}
		return step.Run(ctx, "load-payouts", func(ctx context.Context) (int, error) { return 0, nil })
	})

// A vendor call with a Stripe idempotency key: named "charge", but keyed.
var ChargeKeyed = runtime.NewFunction(runtime.FunctionOpts{ID: "charge-keyed"}, runtime.EventTrigger("market/order.placed", ""),
	func(ctx context.Context, in runtime.Input[Payout]) (any, error) {
		var p idemhelp.Payments
		return step.Run(ctx, "charge", func(ctx context.Context) (string, error) {
			return p.ChargeKeyed(ctx, in.Event.Data.ID, in.Event.Data.Amount)
		})
	})

// A keyed vendor call next to an unkeyed call of the application's own
// client: the step still deserves the advice.
var PaySellerMixed = runtime.NewFunction(runtime.FunctionOpts{ID: "pay-seller-mixed"}, runtime.EventTrigger("market/payout.requested", ""), // want `advice: durable function "pay-seller-mixed" has a step named for an irreversible action \("transfer-funds"\)`
	func(ctx context.Context, in runtime.Input[Payout]) (any, error) {
		return step.Run(ctx, "transfer-funds", func(ctx context.Context) (string, error) {
			var p idemhelp.Payments
			if in.Event.Data.Seller != "" {
				return p.ChargeKeyed(ctx, in.Event.Data.ID, in.Event.Data.Amount)
			}
			return "", books.transfer(ctx, in.Event.Data)
		})
	})
