// Package stripe is a test stub with the shapes of stripe-go.
package stripe

type Params struct{ IdempotencyKey *string }

func (p *Params) SetIdempotencyKey(k string) { p.IdempotencyKey = &k }

type ChargeParams struct {
	Params
	Amount *int64
}

type Charge struct{ ID string }

func String(s string) *string { return &s }
func Int64(v int64) *int64    { return &v }

type RefundParams struct {
	Params
	Charge *string
}

type Refund struct{ ID string }
