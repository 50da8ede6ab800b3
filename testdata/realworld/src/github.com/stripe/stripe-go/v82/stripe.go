// Package stripe is a stand-in for github.com/stripe/stripe-go/v82 with the
// shapes the corpus uses. Like the real SDK, it hides its HTTP calls from a
// caller's call graph (the real one goes through a Backend interface), so
// analyzers must know the package by its import path.
package stripe

// Key is the secret API key used by the package-level resource clients.
var Key string

// Params are the parameters every request takes.
type Params struct {
	IdempotencyKey *string
	Metadata       map[string]string
}

// SetIdempotencyKey sets the key Stripe dedupes retried requests on.
func (p *Params) SetIdempotencyKey(key string) { p.IdempotencyKey = &key }

// AddMetadata adds a metadata key.
func (p *Params) AddMetadata(key, value string) {
	if p.Metadata == nil {
		p.Metadata = map[string]string{}
	}
	p.Metadata[key] = value
}

type PaymentIntentParams struct {
	Params        `form:"*"`
	Amount        *int64
	Currency      *string
	Customer      *string
	PaymentMethod *string
	Confirm       *bool
	OffSession    *bool
}

type PaymentIntent struct {
	ID     string
	Status string
	Amount int64
}

type RefundParams struct {
	Params        `form:"*"`
	PaymentIntent *string
	Amount        *int64
	Reason        *string
}

type Refund struct {
	ID     string
	Status string
}

type TransferParams struct {
	Params        `form:"*"`
	Amount        *int64
	Currency      *string
	Destination   *string
	TransferGroup *string
}

type Transfer struct {
	ID     string
	Amount int64
}

func String(v string) *string { return &v }
func Int64(v int64) *int64    { return &v }
func Bool(v bool) *bool       { return &v }
