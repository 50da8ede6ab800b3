package a

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"
	"unsafe"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"

	"helpers"
)

type Order struct {
	ID    string
	Items []Item
	Total int64
}

type Item struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

type Tracked struct {
	ID   string
	Done chan struct{}
}

type secret struct {
	token string
}

type onlySkipped struct {
	Token string `json:"-"`
	hash  string
}

// custom encodes itself although its fields are unexported.
type custom struct{ v int }

func (c custom) MarshalJSON() ([]byte, error)  { return json.Marshal(c.v) }
func (c *custom) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &c.v) }

type base struct {
	Region string
}

type withEmbedded struct {
	base
	note string
}

type point struct{ X, Y int }

type Envelope struct {
	Kind    string
	Payload any // decodes as map[string]any: the caller expects that
	skip    chan int
	Ignored func() `json:"-"`
}

var Ev = runtime.NewEventType[Order]("shop/order.created", "1", nil)

var Signal = runtime.NewEventType[chan int]("shop/signal", "1", nil)

var Charge = &runtime.Function{}

var Fn = runtime.NewFunction(runtime.FunctionOpts{ID: "fn"}, Ev.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		// Bad.
		step.Run(ctx, "stream", func(ctx context.Context) (chan int, error) { // want `step.Run records result type chan int, which cannot round-trip through JSON: a channel cannot be encoded`
			return make(chan int), nil
		})
		_, _ = step.Run(ctx, "callback", func(ctx context.Context) (func() error, error) { // want `result type func\(\) error, which cannot round-trip through JSON: a func cannot be encoded`
			return nil, nil
		})
		_, _ = step.Run(ctx, "impedance", func(ctx context.Context) (complex128, error) { // want `complex numbers cannot be encoded`
			return 1i, nil
		})
		_, _ = step.Run(ctx, "secret", func(ctx context.Context) (secret, error) { // want `secret has no exported fields, so it encodes as \{\} and decodes to its zero value`
			return secret{token: "t"}, nil
		})
		_, _ = step.Run(ctx, "skipped", func(ctx context.Context) (*onlySkipped, error) { // want `onlySkipped has no exported fields`
			return nil, nil
		})
		_, _ = step.Run(ctx, "tracked", func(ctx context.Context) ([]Tracked, error) { // want `Tracked.Done: a channel cannot be encoded`
			return nil, nil
		})
		_, _ = step.Run(ctx, "grid", func(ctx context.Context) (map[point]int, error) { // want `a map with key type point cannot be encoded`
			return nil, nil
		})
		_, _ = step.Run(ctx, "raw", func(ctx context.Context) (unsafe.Pointer, error) { // want `an unsafe.Pointer cannot be encoded`
			return nil, nil
		})
		r, _ := step.Run(ctx, "reader", func(ctx context.Context) (io.Reader, error) { // want `the interface io.Reader cannot be decoded`
			return strings.NewReader("x"), errors.New("x")
		})
		_ = r
		v, err := step.Run(ctx, "lookup", func(ctx context.Context) (any, error) { // want `an interface result is decoded on replay as map\[string\]any`
			return Order{ID: "1"}, nil
		})
		_, _ = step.WaitForEvent(ctx, "signal", Signal, step.WaitOpts{Timeout: time.Hour})     // want `step.WaitForEvent records result type chan int`
		_, _ = step.Invoke[func()](ctx, "invoke", Charge, step.InvokeOpts{Timeout: time.Hour}) // want `step.Invoke records result type func\(\)`
		_, _ = helpers.Fetch(ctx, "cursor", func() helpers.Cursor { return helpers.Cursor{} }) // want `helpers.Fetch → step.Run records result type helpers.Cursor, which cannot round-trip through JSON: helpers.Cursor has no exported fields`
		_, _ = helpers.Cached(ctx, 1, func() chan int { return nil })                          // want `helpers.Cached → Fetch → step.Run records result type chan int`
		_, _ = load[complex64](ctx, "c64")                                                     // want `load → step.Run records result type complex64`

		// Good.
		o, err := step.Run(ctx, "load-order", func(ctx context.Context) (Order, error) { return Order{}, nil })
		_, _ = step.Run(ctx, "when", func(ctx context.Context) (time.Time, error) { return time.Now(), nil })
		_, _ = step.Run(ctx, "custom", func(ctx context.Context) (custom, error) { return custom{}, nil })
		_, _ = step.Run(ctx, "embedded", func(ctx context.Context) (withEmbedded, error) { return withEmbedded{}, nil })
		_, _ = step.Run(ctx, "envelope", func(ctx context.Context) (*Envelope, error) { return nil, nil })
		_, _ = step.Run(ctx, "notify", func(ctx context.Context) (any, error) { return nil, nil })
		_, _ = step.Run(ctx, "nothing", func(ctx context.Context) (struct{}, error) { return struct{}{}, nil })
		_, _ = step.Run(ctx, "bytes", func(ctx context.Context) (map[string][]byte, error) { return nil, nil })
		_, _ = step.Run(ctx, "by-id", func(ctx context.Context) (map[int64]*Order, error) { return nil, nil })
		_, err = step.Run(ctx, "post", func(ctx context.Context) (any, error) { return o, nil }) // discarded: nothing is decoded
		_, _ = step.Run(ctx, "no-error", func(ctx context.Context) (error, error) { return nil, nil })
		// With step options after the callback.
		found, _ := step.Run(ctx, "lookup-with-retry", func(ctx context.Context) (any, error) { // want `an interface result is decoded on replay as map\[string\]any`
			return Order{ID: "1"}, nil
		}, step.Retry(step.RetryPolicy{MaxAttempts: 3}))
		_ = found
		_, _ = step.Run(ctx, "track-with-timeout", func(ctx context.Context) ([]Tracked, error) { // want `Tracked.Done: a channel cannot be encoded`
			return nil, nil
		}, step.Timeout(time.Second), step.Retry(step.RetryPolicy{MaxAttempts: 2}))
		_, _ = step.WaitForEvent(ctx, "paid", Ev, step.WaitOpts{Timeout: time.Hour})
		_, _ = step.Invoke[Order](ctx, "invoke-order", Charge, step.InvokeOpts{Timeout: time.Hour})
		_, _ = helpers.Fetch(ctx, "page", func() helpers.Page { return helpers.Page{} })
		_, _ = helpers.Cached(ctx, "k", func() *helpers.Page { return nil })
		_, _ = helpers.Count(ctx)
		_, _ = load[Order](ctx, "order")
		anyVal, _ := load[any](ctx, "any-value")
		_ = anyVal.(int) // want `type assertion to int on the result of load → step.Run, which is decoded from JSON`
		cached, _ := helpers.Fetch(ctx, "cached-any", func() any { return 1 })
		_ = cached.(int64)                                                                         // want `type assertion to int64 on the result of helpers.Fetch → step.Run`
		_, _ = step.Parallel(ctx, func(ctx context.Context) (chan int, error) { return nil, nil }) // branches are not recorded
		var s svc
		_, _ = step.Run(ctx, "method", s.open) // want `step.Run records result type chan int`
		_, _ = step.Run(ctx, "method-ok", s.order)
		return v, err
	})

// load is a generic helper of this package.
func load[T any](ctx context.Context, id string) (T, error) { // want load:`recordsTypeParam\(0:load → step.Run\)`
	return step.Run(ctx, id, func(ctx context.Context) (T, error) {
		var zero T
		return zero, nil
	})
}

type svc struct{}

func (svc) open(ctx context.Context) (chan int, error) { return nil, nil }
func (svc) order(ctx context.Context) (Order, error)   { return Order{}, nil }
