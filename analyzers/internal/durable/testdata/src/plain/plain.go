// Package plain imports no durable API: the fast path leaves it alone.
package plain

import "context"

type Input[T any] struct{ Event T }

func Handle(ctx context.Context, in Input[int]) (any, error) { return nil, nil }
