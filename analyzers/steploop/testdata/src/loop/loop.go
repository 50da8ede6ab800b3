package loop

import (
	"context"
	"time"

	"loophelp"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

type Action struct {
	Kind     string
	Template string
	Hours    int
}

type Signup struct {
	Plan   []Action
	Users  []loophelp.User
	Tags   map[string]string
	Count  int
	Slots  [3]string
	Region string
}

var Signed = runtime.NewEventType[Signup]("app/users.signed-up", "1", nil)

// Positive cases.

var PerUser = runtime.NewFunction(runtime.FunctionOpts{ID: "per-user"}, Signed.Trigger(),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		for _, u := range in.Event.Data.Users {
			_, err := step.Run(ctx, "email-"+u.ID, func(ctx context.Context) (bool, error) { return true, nil }) // want `step.Run runs once per element of in.Event.Data.Users, a loop over data of unknown size: .*batch the items inside one step, or send one event per item`
			if err != nil {
				return nil, err
			}
			step.Sleep(ctx, "pause", time.Second) // one finding per loop
		}
		return nil, nil
	})

var PerTag = runtime.NewFunction(runtime.FunctionOpts{ID: "per-tag"}, Signed.Trigger(),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		for k := range in.Event.Data.Tags {
			step.SendEvent(ctx, "tag-"+k, Signed.New(Signup{})) // want `step.SendEvent runs once per element of in.Event.Data.Tags.*build the events in the loop and send them all with one step.SendEvent call`
		}
		return nil, nil
	})

var Counted = runtime.NewFunction(runtime.FunctionOpts{ID: "counted"}, Signed.Trigger(),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		for i := 0; i < in.Event.Data.Count; i++ {
			step.Sleep(ctx, "tick", time.Minute) // want `step.Sleep "tick" runs once per iteration of a loop while i < in.Event.Data.Count, which has no small constant bound`
		}
		for range in.Event.Data.Count {
			step.Run(ctx, "n", func(ctx context.Context) (int, error) { return 1, nil }) // want `runs once per iteration of a range over in.Event.Data.Count, which is not a constant`
		}
		return nil, nil
	})

var Polling = runtime.NewFunction(runtime.FunctionOpts{ID: "polling"}, Signed.Trigger(),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		for {
			done, err := step.Run(ctx, "poll", func(ctx context.Context) (bool, error) { return true, nil }) // want `runs once per iteration of a loop with no condition`
			if err != nil || done {
				return nil, err
			}
		}
	})

// Cross-package helper called in a loop.
var ViaHelper = runtime.NewFunction(runtime.FunctionOpts{ID: "via-helper"}, Signed.Trigger(),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		for _, u := range in.Event.Data.Users {
			if err := loophelp.Notify(ctx, u); err != nil { // want `loophelp.Notify \(which starts step.Run\) runs once per element`
				return nil, err
			}
		}
		return nil, nil
	})

// A declared body (method) with a nested loop: reported at the innermost.
type Service struct{ batches [][]string }

func (s *Service) Handle(ctx context.Context, in runtime.Input[Signup]) (any, error) {
	for i := 0; i < 3; i++ {
		for _, b := range s.batches {
			step.Run(ctx, "batch", func(ctx context.Context) (int, error) { return len(b), nil }) // want `runs once per element of s.batches`
		}
	}
	return nil, nil
}

// A generic helper that starts steps.
func Each[T any](ctx context.Context, items []T) {
	for _, it := range items {
		step.Run(ctx, "each", func(ctx context.Context) (T, error) { return it, nil }) // want `runs once per element of items`
	}
}

var Big = runtime.NewFunction(runtime.FunctionOpts{ID: "big"}, Signed.Trigger(),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		for i := 0; i < 1000; i++ {
			step.Run(ctx, "shard", func(ctx context.Context) (int, error) { return i, nil }) // want `runs once per iteration of a loop while i < 1000`
		}
		return nil, nil
	})

// A switch on the element with a step in one case only is still per-item work.
var PerKind = runtime.NewFunction(runtime.FunctionOpts{ID: "per-kind"}, Signed.Trigger(),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		for _, a := range in.Event.Data.Plan {
			switch a.Kind {
			case "email":
				step.Run(ctx, "email-"+a.Template, func(ctx context.Context) (bool, error) { return true, nil }) // want `step.Run runs once per element of in.Event.Data.Plan`
			default:
			}
		}
		return nil, nil
	})

// Negative cases.

// A playbook: the loop interprets a list of instructions, each choosing a
// different step; they are ordered and paced by sleeps, so there is
// nothing to batch or fan out.
var Playbook = runtime.NewFunction(runtime.FunctionOpts{ID: "playbook"}, Signed.Trigger(),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		for i, a := range in.Event.Data.Plan {
			switch a.Kind {
			case "wait":
				step.Sleep(ctx, "wait-"+a.Template, time.Duration(a.Hours)*time.Hour)
			case "email":
				step.Run(ctx, "email-"+a.Template, func(ctx context.Context) (int, error) { return i, nil })
			}
		}
		return nil, nil
	})

var SmallConst = runtime.NewFunction(runtime.FunctionOpts{ID: "small-const"}, Signed.Trigger(),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		for attempt := 0; attempt < 3; attempt++ {
			step.Run(ctx, "try", func(ctx context.Context) (bool, error) { return true, nil })
		}
		for range 5 {
			step.Sleep(ctx, "backoff", time.Second)
		}
		for _, region := range []string{"eu", "us", "ap"} {
			step.Run(ctx, "sync-"+region, func(ctx context.Context) (bool, error) { return true, nil })
		}
		for _, slot := range in.Event.Data.Slots {
			step.Run(ctx, "slot-"+slot, func(ctx context.Context) (bool, error) { return true, nil })
		}
		return nil, nil
	})

var Batched = runtime.NewFunction(runtime.FunctionOpts{ID: "batched"}, Signed.Trigger(),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		// The loop is inside the step: one journal entry.
		return step.Run(ctx, "email-all", func(ctx context.Context) (int, error) {
			n := 0
			for range in.Event.Data.Users {
				n++
			}
			return n, nil
		})
	})

var FanOut = runtime.NewFunction(runtime.FunctionOpts{ID: "fan-out"}, Signed.Trigger(),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		evs := make([]runtime.Event, 0, len(in.Event.Data.Users))
		for _, u := range in.Event.Data.Users {
			evs = append(evs, Signed.New(Signup{Region: u.ID}))
		}
		return step.SendEvent(ctx, "fan-out", evs...)
	})

var ParallelBranches = runtime.NewFunction(runtime.FunctionOpts{ID: "parallel-branches"}, Signed.Trigger(),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		var branches []func(ctx context.Context) (bool, error)
		for _, u := range in.Event.Data.Users {
			branches = append(branches, func(ctx context.Context) (bool, error) {
				return step.Run(ctx, "notify-"+u.ID, func(ctx context.Context) (bool, error) { return true, nil })
			})
		}
		return step.Parallel(ctx, branches...)
	})

// A loop over data outside any durable function or step helper.
func Plain(users []loophelp.User) int {
	n := 0
	for range users {
		n++
	}
	return n
}

var Ignored = runtime.NewFunction(runtime.FunctionOpts{ID: "ignored"}, Signed.Trigger(),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		for _, u := range in.Event.Data.Users {
			//durable:ignore steploop at most five admins per tenant, by contract
			step.Run(ctx, "notify-"+u.ID, func(ctx context.Context) (bool, error) { return true, nil })
		}
		return nil, nil
	})
