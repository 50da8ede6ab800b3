package idem

import (
	"context"
	"database/sql"
	"net/http"
	"strings"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/inngest/inngestgo"
	istep "github.com/inngest/inngestgo/step"

	"idemhelp"
)

type Order struct {
	ID     string
	Email  string
	Amount int64
}

var db *sql.DB

// Positive cases.

var ChargeNoKey = runtime.NewFunction(runtime.FunctionOpts{ID: "charge-no-key"}, runtime.EventTrigger("shop/order.created", ""), // want `durable function "charge-no-key" makes the non-idempotent call charge.New via idemhelp.Charge → charge.New but has no Idempotency key`
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "charge", func(ctx context.Context) (string, error) { return idemhelp.Charge(in.Event.Data.Amount) })
	})

var Email = runtime.NewFunction(runtime.FunctionOpts{ID: "email", Idempotency: ""}, runtime.EventTrigger("user/signed.up", ""), // want `durable function "email" makes the non-idempotent call smtp.SendMail via idemhelp.Welcome → smtp.SendMail`
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "welcome", func(ctx context.Context) (struct{}, error) { return struct{}{}, idemhelp.Welcome(in.Event.Data.Email) })
	})

var Post = runtime.NewFunction(runtime.FunctionOpts{ID: "post"}, runtime.EventTrigger("a/b.c", ""), // want `durable function "post" makes the non-idempotent call http.Post but has no Idempotency key`
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "post", func(ctx context.Context) (int, error) {
			resp, err := http.Post("https://example.com", "text/plain", strings.NewReader("x"))
			if err != nil {
				return 0, err
			}
			return resp.StatusCode, nil
		})
	})

var SQL = runtime.NewFunction(runtime.FunctionOpts{ID: "sql"}, runtime.EventTrigger("a/b.c", ""), // want `durable function "sql" makes the non-idempotent call sql.DB.ExecContext via idemhelp.Insert → sql.DB.ExecContext`
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return nil, idemhelp.Insert(ctx, db, in.Event.Data.ID)
	})

// Method handler.
type Svc struct{ db *sql.DB }

func (s *Svc) Handle(ctx context.Context, in runtime.Input[Order]) (any, error) { // want Handle:`nonIdempotent\(sql.DB.ExecContext\)`
	return step.Run(ctx, "update", func(ctx context.Context) (sql.Result, error) {
		return s.db.ExecContext(ctx, "UPDATE orders SET paid = true WHERE id = $1", in.Event.Data.ID)
	})
}

var svc = &Svc{}

var Method = runtime.NewFunction(runtime.FunctionOpts{ID: "method"}, runtime.EventTrigger("a/b.c", ""), svc.Handle) // want `durable function "method" makes the non-idempotent call sql.DB.ExecContext via idem.Svc.Handle → sql.DB.ExecContext`

// Generic handler.
func Notify[T any](ctx context.Context, in runtime.Input[T]) (any, error) { // want Notify:`nonIdempotent\(idemhelp.Notify → http.Client.Do\)`
	return nil, idemhelp.Notify(ctx, "https://hooks.example.com")
}

var Generic = runtime.NewFunction(runtime.FunctionOpts{ID: "generic"}, runtime.EventTrigger("a/b.c", ""), Notify[Order]) // want `durable function "generic" makes the non-idempotent call http.Client.Do via idem.Notify → idemhelp.Notify → http.Client.Do`

func RegisterInngest(c inngestgo.Client) error { // want RegisterInngest:`nonIdempotent\(idemhelp.Charge → charge.New\)`
	_, err := inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "ing-charge"}, inngestgo.EventTrigger("shop/order.created", nil), // want `durable function "ing-charge" makes the non-idempotent call charge.New`
		func(ctx context.Context, in inngestgo.Input[Order]) (any, error) {
			return istep.Run(ctx, "charge", func(ctx context.Context) (string, error) { return idemhelp.Charge(in.Event.Amount) })
		})
	if err != nil {
		return err
	}
	// Negative: an Idempotency key.
	_, err = inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "ing-keyed", Idempotency: inngestgo.StrPtr("event.data.ID")}, inngestgo.EventTrigger("shop/order.created", nil),
		func(ctx context.Context, in inngestgo.Input[Order]) (any, error) {
			return istep.Run(ctx, "charge", func(ctx context.Context) (string, error) { return idemhelp.Charge(in.Event.Amount) })
		})
	return err
}

// Negative cases.

var Keyed = runtime.NewFunction(runtime.FunctionOpts{ID: "keyed", Idempotency: "event.data.ID"}, runtime.EventTrigger("shop/order.created", ""),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "charge", func(ctx context.Context) (string, error) { return idemhelp.Charge(in.Event.Data.Amount) })
	})

var CallKeyed = runtime.NewFunction(runtime.FunctionOpts{ID: "call-keyed"}, runtime.EventTrigger("shop/order.created", ""),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		id, err := step.Run(ctx, "charge", func(ctx context.Context) (string, error) {
			return idemhelp.ChargeKeyed(in.Event.Data.ID, in.Event.Data.Amount)
		})
		if err != nil {
			return nil, err
		}
		err = idemhelp.NotifyKeyed(ctx, "https://hooks.example.com", "order-"+in.Event.Data.ID)
		return id, err
	})

var Reads = runtime.NewFunction(runtime.FunctionOpts{ID: "reads"}, runtime.EventTrigger("a/b.c", ""),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		if err := idemhelp.Fetch(ctx, "https://example.com"); err != nil {
			return nil, err
		}
		return nil, idemhelp.Count(ctx, db)
	})

var keyExpr = "event.data.ID"

var KeyFromVar = runtime.NewFunction(runtime.FunctionOpts{ID: "key-var", Idempotency: keyExpr}, runtime.EventTrigger("a/b.c", ""),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return nil, idemhelp.Welcome(in.Event.Data.Email)
	})

var opts = runtime.FunctionOpts{ID: "opts-var"}

var OptsVar = runtime.NewFunction(opts, runtime.EventTrigger("a/b.c", ""), // options not a literal here: not judged
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return nil, idemhelp.Welcome(in.Event.Data.Email)
	})

var Ignored = runtime.NewFunction(runtime.FunctionOpts{ID: "ignored"}, runtime.EventTrigger("a/b.c", ""), //durable:ignore idempotency the producer sends each event exactly once (outbox)
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return nil, idemhelp.Welcome(in.Event.Data.Email)
	})
