// Package exprcat uses free-form event data: fields resolve against durable.yaml.
package exprcat

import (
	"context"

	"github.com/durable-go/durable/runtime"
)

var Sync = runtime.NewFunction(runtime.FunctionOpts{
	ID:          "sync",
	Idempotency: "event.data.contactId", // want `Idempotency "event.data.contactId": event.data has no field "contactId" \(crm/contact.updated in durable.yaml has contact_id, email, items\)`
}, runtime.EventTrigger("crm/contact.updated", "event.data.items[0].sku != '' && event.data.items[0].name != ''"), // want `event.data.items\[...\] has no field "name" \(LineItem has sku\)`
	func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) { return nil, nil })

var Fine = runtime.NewFunction(runtime.FunctionOpts{ID: "fine", Idempotency: "event.data.contact_id"},
	runtime.EventTrigger("crm/contact.updated", "has(event.data.email)"),
	func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) { return nil, nil })

// Not in the catalog: free-form, nothing to check.
var Other = runtime.NewFunction(runtime.FunctionOpts{ID: "other", Idempotency: "event.data.whatever"},
	runtime.EventTrigger("crm/other.thing", ""),
	func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) { return nil, nil })
