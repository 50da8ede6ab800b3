package concflag

import (
	"context"
	"net/http"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

// CRM is the application's own rate-limited client.
type CRM struct{}

func (CRM) Upsert(ctx context.Context, id string) error { return nil }

func (CRM) Close() error { return nil }

var crm CRM

var Sync = runtime.NewFunction(runtime.FunctionOpts{ID: "sync"}, runtime.EventTrigger("crm/contact.changed", ""), // want `calls the rate-limited service concflag.CRM.Upsert`
	func(ctx context.Context, in runtime.Input[string]) (any, error) {
		return step.Run(ctx, "upsert", func(ctx context.Context) (bool, error) { return true, crm.Upsert(ctx, in.Event.Data) })
	})

var Close = runtime.NewFunction(runtime.FunctionOpts{ID: "close"}, runtime.EventTrigger("crm/contact.closed", ""),
	func(ctx context.Context, in runtime.Input[string]) (any, error) {
		return step.Run(ctx, "close", func(ctx context.Context) (bool, error) { return true, crm.Close() })
	})

var Hook = runtime.NewFunction(runtime.FunctionOpts{ID: "hook"}, runtime.EventTrigger("crm/contact.hooked", ""), // want `calls the rate-limited service http.Get`
	func(ctx context.Context, in runtime.Input[string]) (any, error) {
		return step.Run(ctx, "get", func(ctx context.Context) (int, error) {
			r, err := http.Get(in.Event.Data)
			if err != nil {
				return 0, err
			}
			return r.StatusCode, nil
		})
	})
