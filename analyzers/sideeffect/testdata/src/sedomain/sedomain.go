// Package sedomain holds an application's domain types and the interfaces
// its workflows depend on.
package sedomain

import "context"

type Order struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// Orders is implemented by sestore's SQL repository.
type Orders interface {
	Get(ctx context.Context, id string) (Order, error)
	Save(ctx context.Context, o Order) error
}

// Payments has an implementation in no package the workflows see.
type Payments interface {
	Capture(ctx context.Context, orderID string) error
}

// Format is an interface method without a context: not reported.
type Formatter interface {
	Format(o Order) string
}
