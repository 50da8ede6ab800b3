// Package cache holds step callbacks used from another package.
package cache

import (
	"context"

	"github.com/durable-go/durable/runtime/step"
)

var hits int

type Store struct {
	loaded map[string]string
	Name   string
}

// Load remembers what it loaded in its receiver.
func (s *Store) Load(ctx context.Context) (string, error) { // want Load:`mutates\(s.loaded\[\"k\"\]\)`
	s.loaded["k"] = "v"
	return "v", nil
}

// Count bumps a package variable.
func Count(ctx context.Context) (int, error) { // want Count:`mutates\(package variable hits\)`
	hits++
	return hits, nil
}

// Get only reads.
func (s Store) Get(ctx context.Context) (string, error) { return s.Name, nil }

// Into is a helper that builds a step writing through its parameter.
func Into[T any](ctx context.Context, id string, dst *T, load func() T) error { // want Into:`writesParams\(\[2\]\)`
	_, err := step.Run(ctx, id, func(ctx context.Context) (struct{}, error) {
		*dst = load() // want `step.Run callback assigns to \*dst, part of dst, declared outside the step`
		return struct{}{}, nil
	})
	return err
}

var registry = map[string]bool{}

// Register writes a package variable but cannot be a step callback: no fact.
func Register(name string) { registry[name] = true }
