// Package billing wraps steps for other packages.
package billing

import (
	"context"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

type Charge struct{ ID string }

// ChargeCard returns the error of the step it runs.
func ChargeCard(ctx context.Context, amount int64) (Charge, error) {
	return step.Run(ctx, "charge-card", func(ctx context.Context) (Charge, error) { return Charge{ID: "ch_1"}, nil })
}

// Refund goes through ChargeCard's package-mate.
func Refund(ctx context.Context, id string) error {
	return refund(ctx, id)
}

func refund(ctx context.Context, id string) error {
	_, err := step.Run(ctx, "refund", func(ctx context.Context) (string, error) { return id, nil })
	return err
}

// Total starts no step.
func Total(items []int64) (int64, error) {
	var t int64
	for _, i := range items {
		t += i
	}
	return t, nil
}

// NewFlow defines a durable function: its error is not a step's.
func NewFlow() (*runtime.Function, error) {
	return runtime.NewFunction(runtime.FunctionOpts{ID: "flow"}, runtime.EventTrigger("billing/flow.requested", ""),
		func(ctx context.Context, in runtime.Input[Charge]) (any, error) {
			return step.Run(ctx, "flow-step", func(ctx context.Context) (int, error) { return 1, nil })
		}), nil
}
