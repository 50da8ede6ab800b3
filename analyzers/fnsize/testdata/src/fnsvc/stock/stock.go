// Package stock is a client of an external service.
package stock

import "context"

func Call(ctx context.Context, id string) (string, error) { return id, nil }

// Format needs no context: not a call to the service.
func Format(id string) string { return id }
