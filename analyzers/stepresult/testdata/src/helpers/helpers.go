// Package helpers is a library of step helpers used from another package.
package helpers

import (
	"context"

	"github.com/durable-go/durable/runtime/step"
)

// Fetch records whatever T the caller asks for.
func Fetch[T any](ctx context.Context, id string, load func() T) (T, error) { // want Fetch:`recordsTypeParam\(0:Fetch → step.Run\)`
	return step.Run(ctx, id, func(ctx context.Context) (T, error) { return load(), nil })
}

// Cached goes through Fetch: the chain is followed across helpers.
func Cached[K comparable, V any](ctx context.Context, key K, load func() V) (V, error) { // want Cached:`recordsTypeParam\(1:Cached → Fetch → step.Run\)`
	return Fetch(ctx, "cached", load)
}

// Count is not generic and records an int: nothing to check at call sites.
func Count(ctx context.Context) (int, error) {
	return step.Run(ctx, "count", func(ctx context.Context) (int, error) { return 1, nil })
}

// Cursor has only unexported fields: it encodes as {}.
type Cursor struct {
	pos  int
	page string
}

// Page is a well-formed result.
type Page struct {
	Items []string
	Next  string
}
