package par

import (
	"context"
	"net/http"

	"parhelp"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/google/uuid"
)

var crm parhelp.CRM

type In struct{ ID string }

// Positive cases.

var Two = runtime.NewFunction(runtime.FunctionOpts{ID: "two"}, runtime.EventTrigger("crm/contact.updated", ""),
	func(ctx context.Context, in runtime.Input[In]) (any, error) {
		profile, err := step.Run(ctx, "load-profile", func(ctx context.Context) (parhelp.Doc, error) { // want `step.Run "load-profile" and step.Run "load-orders" are independent \(none uses an earlier one's result\) and each waits on I/O: they run one after the other; run them concurrently with step.Parallel`
			return crm.Profile(ctx, in.Event.Data.ID)
		})
		if err != nil {
			return nil, err
		}
		orders, err := step.Run(ctx, "load-orders", func(ctx context.Context) (parhelp.Doc, error) {
			return crm.Orders(ctx, in.Event.Data.ID)
		})
		if err != nil {
			return nil, err
		}
		return []parhelp.Doc{profile, orders}, nil
	})

// Different result types: reported, no fix.
var Mixed = runtime.NewFunction(runtime.FunctionOpts{ID: "mixed"}, runtime.EventTrigger("crm/contact.merged", ""),
	func(ctx context.Context, in runtime.Input[In]) (any, error) {
		doc, err := step.Run(ctx, "profile", func(ctx context.Context) (parhelp.Doc, error) { return crm.Profile(ctx, in.Event.Data.ID) }) // want `step.Run "profile", step.Run "status" and step.Run "score" are independent`
		if err != nil {
			return nil, err
		}
		status, err := step.Run(ctx, "status", func(ctx context.Context) (int, error) {
			resp, err := http.Get("https://status.example.com")
			if err != nil {
				return 0, err
			}
			return resp.StatusCode, nil
		})
		if err != nil {
			return nil, err
		}
		score, err := step.Run(ctx, "score", func(ctx context.Context) (int, error) { return crm.Score(ctx, parhelp.Doc{}) })
		if err != nil {
			return nil, err
		}
		return []any{doc, status, score}, nil
	})

// A declared body (method) with method-value callbacks, results ignored.
type Sync struct{}

func (Sync) pushA(ctx context.Context) (bool, error) { return true, nil }
func (Sync) pushB(ctx context.Context) (bool, error) { return true, nil }

func (s Sync) Handle(ctx context.Context, in runtime.Input[In]) (any, error) {
	_, err := step.Run(ctx, "push-a", s.pushA) // want `step.Run "push-a" and step.Run "push-b" are independent`
	if err != nil {
		return nil, err
	}
	_, err = step.Run(ctx, "push-b", s.pushB)
	return nil, err
}

// Generic step result.
func Load[T any](ctx context.Context, in runtime.Input[T]) (any, error) {
	a, err := step.Run(ctx, "a", func(ctx context.Context) (parhelp.Doc, error) { return crm.Profile(ctx, "a") }) // want `step.Run "a" and step.Run "b" are independent`
	if err != nil {
		return nil, err
	}
	b, err := step.Run(ctx, "b", func(ctx context.Context) (parhelp.Doc, error) { return crm.Profile(ctx, "b") })
	if err != nil {
		return nil, err
	}
	return []parhelp.Doc{a, b}, nil
}

// Results ignored, in a switch case: reported, no fix.
var Notify = runtime.NewFunction(runtime.FunctionOpts{ID: "notify"}, runtime.EventTrigger("crm/contact.notified", ""),
	func(ctx context.Context, in runtime.Input[In]) (any, error) {
		switch in.Event.Data.ID {
		case "vip":
			step.Run(ctx, "notify-sales", func(ctx context.Context) (parhelp.Doc, error) { return crm.Profile(ctx, "sales") }) // want `step.Run "notify-sales" and step.Run "notify-support" are independent`
			step.Run(ctx, "notify-support", func(ctx context.Context) (parhelp.Doc, error) { return crm.Profile(ctx, "support") })
		}
		return nil, nil
	})

// Negative cases.

// The second step uses the first one's result.
var Chain = runtime.NewFunction(runtime.FunctionOpts{ID: "chain"}, runtime.EventTrigger("crm/contact.created", ""),
	func(ctx context.Context, in runtime.Input[In]) (any, error) {
		doc, err := step.Run(ctx, "profile", func(ctx context.Context) (parhelp.Doc, error) { return crm.Profile(ctx, in.Event.Data.ID) })
		if err != nil {
			return nil, err
		}
		score, err := step.Run(ctx, "score", func(ctx context.Context) (int, error) { return crm.Score(ctx, doc) })
		if err != nil {
			return nil, err
		}
		return score, nil
	})

// Same names, other data: the second uses a shadowing variable named like
// the first result, declared from the event: still independent? No: it is
// the first result itself, through a local alias.
var Alias = runtime.NewFunction(runtime.FunctionOpts{ID: "alias"}, runtime.EventTrigger("crm/contact.aliased", ""),
	func(ctx context.Context, in runtime.Input[In]) (any, error) {
		doc, err := step.Run(ctx, "profile", func(ctx context.Context) (parhelp.Doc, error) { return crm.Profile(ctx, in.Event.Data.ID) })
		if err != nil {
			return nil, err
		}
		id := doc.ID
		more, err := step.Run(ctx, "orders", func(ctx context.Context) (parhelp.Doc, error) { return crm.Orders(ctx, id) })
		return more, err
	})

// Compute-only steps gain nothing from parallelism.
var Compute = runtime.NewFunction(runtime.FunctionOpts{ID: "compute"}, runtime.EventTrigger("crm/contact.computed", ""),
	func(ctx context.Context, in runtime.Input[In]) (any, error) {
		ref, err := step.Run(ctx, "make-ref", func(ctx context.Context) (string, error) { return uuid.NewString(), nil })
		if err != nil {
			return nil, err
		}
		doc, err := step.Run(ctx, "profile", func(ctx context.Context) (parhelp.Doc, error) { return crm.Profile(ctx, in.Event.Data.ID) })
		if err != nil {
			return nil, err
		}
		return []any{ref, doc}, nil
	})

// A single step, and steps separated by another kind of step.
var Separated = runtime.NewFunction(runtime.FunctionOpts{ID: "separated"}, runtime.EventTrigger("crm/contact.separated", ""),
	func(ctx context.Context, in runtime.Input[In]) (any, error) {
		a, err := step.Run(ctx, "a", func(ctx context.Context) (parhelp.Doc, error) { return crm.Profile(ctx, "a") })
		if err != nil {
			return nil, err
		}
		if err := step.Sleep(ctx, "pause", 0); err != nil {
			return nil, err
		}
		b, err := step.Run(ctx, "b", func(ctx context.Context) (parhelp.Doc, error) { return crm.Profile(ctx, "b") })
		return []parhelp.Doc{a, b}, err
	})

// Already parallel.
var Already = runtime.NewFunction(runtime.FunctionOpts{ID: "already"}, runtime.EventTrigger("crm/contact.paralleled", ""),
	func(ctx context.Context, in runtime.Input[In]) (any, error) {
		return step.Parallel(ctx,
			func(ctx context.Context) (parhelp.Doc, error) {
				return step.Run(ctx, "a", func(ctx context.Context) (parhelp.Doc, error) { return crm.Profile(ctx, "a") })
			},
			func(ctx context.Context) (parhelp.Doc, error) {
				return step.Run(ctx, "b", func(ctx context.Context) (parhelp.Doc, error) { return crm.Profile(ctx, "b") })
			})
	})

var Ignored = runtime.NewFunction(runtime.FunctionOpts{ID: "ignored"}, runtime.EventTrigger("crm/contact.ignored", ""),
	func(ctx context.Context, in runtime.Input[In]) (any, error) {
		//durable:ignore parallel the CRM allows one request at a time per contact
		a, err := step.Run(ctx, "a", func(ctx context.Context) (parhelp.Doc, error) { return crm.Profile(ctx, "a") })
		if err != nil {
			return nil, err
		}
		b, err := step.Run(ctx, "b", func(ctx context.Context) (parhelp.Doc, error) { return crm.Orders(ctx, "b") })
		if err != nil {
			return nil, err
		}
		return []parhelp.Doc{a, b}, nil
	})
