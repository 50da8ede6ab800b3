package helpers

import (
	"context"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

type Order struct{ ID string }

// Charge starts a step directly.
func Charge(ctx context.Context) error { // want `startsStep\(step.Run\)`
	_, err := step.Run(ctx, "charge", func(ctx context.Context) (int, error) { return 1, nil }) // want `step step.Run id="charge"$`
	return err
}

// ChargeTwice starts a step through Charge.
func ChargeTwice(ctx context.Context) error { // want `startsStep\(helpers.Charge → step.Run\)`
	return Charge(ctx)
}

// Pure starts nothing.
func Pure(x int) int { return x * 2 }

// MakeHandler builds a handler for another package.
func MakeHandler(greeting string) runtime.Handler[Order] {
	return func(ctx context.Context, in runtime.Input[Order]) (any, error) { // want "body MakeHandler \\(returned handler\\)"
		return greeting + in.Event.Data.ID, nil
	}
}

// Service has a handler method.
type Service struct{}

func (s *Service) Handle(ctx context.Context, in runtime.Input[Order]) (any, error) { // want "body Service.Handle"
	return nil, nil
}
