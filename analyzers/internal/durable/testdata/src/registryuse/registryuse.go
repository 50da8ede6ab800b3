// Package registryuse registers functions through another package's
// registration helper (registry.Add, known by its DefinesFunctions fact).
package registryuse

import (
	"context"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"

	"registry"
)

// Wire starts no step: the literal it hands to registry.Add is the body of
// the function Add defines.
func Wire(client inngestgo.Client) {
	registry.Add(client, "export-users", func(ctx context.Context, ev registry.Event) (any, error) {
		return step.Run(ctx, "export", func(ctx context.Context) (int, error) { return 1, nil }) // want `step step.Run id="export"$`
	})
}

// Resync goes through registry.Retry, which runs the closure in the
// caller's run: Resync starts its step.
func Resync(ctx context.Context) error { // want `startsStep\(step.Run\)`
	return registry.Retry(ctx, func(ctx context.Context) error {
		_, err := step.Run(ctx, "resync", func(ctx context.Context) (int, error) { return 1, nil }) // want `step step.Run id="resync"$`
		return err
	})
}
