// Package loophelp has helpers that start steps, used from another package.
package loophelp

import (
	"context"

	"github.com/durable-go/durable/runtime/step"
)

type User struct{ ID, Email string }

// Notify starts one step.
func Notify(ctx context.Context, u User) error {
	_, err := step.Run(ctx, "notify", func(ctx context.Context) (bool, error) { return true, nil })
	return err
}

// NotifyAll loops over its argument: reported here, where the loop is.
func NotifyAll(ctx context.Context, users []User) error {
	for _, u := range users {
		if err := Notify(ctx, u); err != nil { // want `Notify \(which starts step.Run\) runs once per element of users, a loop over data of unknown size`
			return err
		}
	}
	return nil
}
