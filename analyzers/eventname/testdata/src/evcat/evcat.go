// Package evcat has a catalog: names must be in it.
package evcat

import (
	"context"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

func handle(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
	_, err := step.SendEvent(ctx, "emit", runtime.Event{Name: "crm/contact.merged"}) // want `sent event "crm/contact.merged" is not in the catalog durable.yaml: add it`
	return nil, err
}

var Updated = runtime.NewFunction(runtime.FunctionOpts{ID: "updated"}, runtime.EventTrigger("crm/contact.updated", ""), handle)

var Typo = runtime.NewFunction(runtime.FunctionOpts{ID: "typo"}, runtime.EventTrigger("crm/contact.update", ""), handle) // want `trigger "crm/contact.update" is not in the catalog durable.yaml: did you mean "crm/contact.updated"\?`

var Unknown = runtime.NewFunction(runtime.FunctionOpts{ID: "unknown"}, runtime.EventTrigger("billing/invoice.sent", ""), handle) // want `trigger "billing/invoice.sent" is not in the catalog durable.yaml: add it`

var Failed = runtime.NewFunction(runtime.FunctionOpts{ID: "failed"}, runtime.EventTrigger("durable/function.failed", ""), handle)
