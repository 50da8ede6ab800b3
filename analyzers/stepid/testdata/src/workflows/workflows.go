// Package workflows registers many functions through one helper, the way
// applications do: every handler is a function of its own, with its own
// journal, so the same step ID in two of them is no duplicate.
package workflows

import (
	"context"
	"log"
	"time"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
)

type Event struct {
	Name string
	Data map[string]any
}

type Handler func(ctx context.Context, ev Event) (any, error)

type Repo interface {
	Users(ctx context.Context) ([]string, error)
}

func Setup(client inngestgo.Client, repo Repo) {
	register := func(id, trigger string, h Handler) {
		_, err := inngestgo.CreateFunction(client, inngestgo.FunctionOpts{ID: id}, inngestgo.EventTrigger(trigger, nil),
			func(ctx context.Context, in inngestgo.Input[Event]) (any, error) { return h(ctx, in.Event) })
		if err != nil {
			log.Fatalf("register %s: %v", id, err)
		}
	}
	register("sync-users", "users/sync.requested", func(ctx context.Context, ev Event) (any, error) {
		users, err := step.Run(ctx, "load-users", func(ctx context.Context) ([]string, error) { return repo.Users(ctx) })
		if err != nil {
			return nil, err
		}
		step.Sleep(ctx, "cool-down", time.Minute)
		return users, nil
	})
	register("purge-users", "users/purge.requested", func(ctx context.Context, ev Event) (any, error) {
		users, err := step.Run(ctx, "load-users", func(ctx context.Context) ([]string, error) { return repo.Users(ctx) })
		if err != nil {
			return nil, err
		}
		step.Sleep(ctx, "cool-down", time.Minute)
		step.Sleep(ctx, "cool-down", time.Hour) // want `step ID "cool-down" is already used in this function, at line 47`
		return users, nil
	})
	Register(client, "audit-users", func(ctx context.Context, ev Event) (any, error) {
		return step.Run(ctx, "load-users", func(ctx context.Context) ([]string, error) { return repo.Users(ctx) })
	})
	register("test_2", "users/test.requested", func(ctx context.Context, ev Event) (any, error) {
		return step.Run(ctx, "test_2", func(ctx context.Context) (int, error) { return 2, nil }) // want `step ID "test_2" is generic: name what the step does`
	})
}

// Register is a declared registration helper of the same kind.
func Register(client inngestgo.Client, id string, h Handler) {
	_, _ = inngestgo.CreateFunction(client, inngestgo.FunctionOpts{ID: id}, inngestgo.EventTrigger("users/"+id, nil),
		func(ctx context.Context, in inngestgo.Input[Event]) (any, error) { return h(ctx, in.Event) })
}
