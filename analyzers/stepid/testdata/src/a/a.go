package a

import (
	"context"
	"fmt"
	"maps"
	"math/rand"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"

	"flows"
)

type Order struct {
	ID    string
	Items []string
	Tags  map[string]string
}

const chargeStep = "charge-card"

var Ev = runtime.NewEventType[Order]("shop/order.created", "1", nil)

var Bad = runtime.NewFunction(runtime.FunctionOpts{ID: "bad"}, Ev.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		o, err := step.Run(ctx, "load-order", func(ctx context.Context) (Order, error) { return Order{}, nil })
		o, err = step.Run(ctx, "load-order", func(ctx context.Context) (Order, error) { return o, nil }) // want `step ID "load-order" is already used in this function, at line 32: steps are matched to the journal by ID and occurrence, so a run that skips or reorders one of them gets the other's recorded result`
		_, err = step.Run(ctx, "send-email", func(ctx context.Context) (int, error) { return 0, nil })
		err = flows.Notify(ctx) // want `step ID "send-email" \(used by flows.Notify → step.Run\) is already used in this function, at line 34`
		_, err = step.Run(ctx, chargeStep, func(ctx context.Context) (int, error) { return 0, nil })
		err = flows.Named(ctx, "charge-card") // want `step ID "charge-card" \(used by flows.Named → step.Run\) is already used in this function, at line 36`
		_, err = flows.Fetch(ctx, "fetch-user", 1)
		_, err = fetchLocal[string](ctx, "fetch-user") // want `step ID "fetch-user" \(used by a.fetchLocal → step.Run\) is already used in this function, at line 38 \(flows.Fetch → step.Run\)`
		err = flows.Twice(ctx)                         // want `step ID "send-email" \(used by flows.Twice → flows.Notify → step.Run\) is already used in this function, at line 34`

		_, err = step.Run(ctx, fmt.Sprintf("poll-%d", time.Now().Unix()), func(ctx context.Context) (int, error) { return 0, nil }) // want `the ID of this step.Run is built from time.Now\(\) \(a wall-clock read\), which differs when the run is replayed`
		token := uuid.NewString()
		err = step.Sleep(ctx, "wait-"+token, time.Minute) // want `the ID of this step.Sleep is built from token, which holds uuid.NewString\(\) \(a UUID generation\)`
		for _, item := range o.Items {
			_, err = step.Run(ctx, "reserve-"+item, func(ctx context.Context) (int, error) { return 0, nil }) // want `the ID of this step.Run is built from item, an element of the list this loop ranges over, which may repeat`
		}
		for k := range o.Tags {
			_, err = step.Run(ctx, "sync-"+k, func(ctx context.Context) (int, error) { return 0, nil }) // want `built from k, a variable of a range over a map \(map order is random\)`
		}
		err = flows.Named(ctx, "shard-"+strconv.Itoa(rand.Intn(4)))          // want `the ID of this flows.Named → step.Run is built from rand.Intn\(\) \(a random number\)`
		err = step.Sleep(ctx, fmt.Sprint("retry-", in.Attempt), time.Second) // want `built from the attempt number`
		err = step.Sleep(ctx, "pay-"+flows.Token(), time.Second)             // want `built from flows.Token\(\), which returns uuid.NewString\(\) \(a UUID generation\)`
		err = step.Sleep(ctx, nowKey(), time.Second)                         // want `built from a.nowKey\(\), which returns key, which holds time.Now\(\)`

		_, err = step.Run(ctx, "step1", func(ctx context.Context) (int, error) { return 0, nil })    // want `step ID "step1" is generic: name what the step does`
		_, err = step.Run(ctx, "process", func(ctx context.Context) (int, error) { return 0, nil })  // want `step ID "process" is generic`
		err = step.Sleep(ctx, "do", time.Second)                                                     // want `step ID "do" is generic`
		_, err = step.Run(ctx, "Run", func(ctx context.Context) (int, error) { return 0, nil })      // want `step ID "Run" is generic`
		_, err = step.Run(ctx, "handle_2", func(ctx context.Context) (int, error) { return 0, nil }) // want `step ID "handle_2" is generic`
		_, err = step.SendEvent(ctx, "", Ev.New(o))                                                  // want `step ID "" is generic`
		err = flows.Named(ctx, "task-3")                                                             // want `step ID "task-3" is generic`
		_, err = step.Run(ctx, "step9", func(ctx context.Context) (int, error) { return 0, nil })    //durable:ignore stepid runs in flight still use this ID
		var s svc
		err = s.twoSteps(ctx)
		return o, err
	})

var Good = runtime.NewFunction(runtime.FunctionOpts{ID: "good"}, Ev.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		o := in.Event.Data
		for i, item := range o.Items {
			// One call site, many occurrences: numbered by the engine.
			_, err := step.Run(ctx, "reserve-"+strconv.Itoa(i)+"-"+item, func(ctx context.Context) (int, error) { return 0, nil })
			if err != nil {
				return nil, err
			}
			_, _ = step.Run(ctx, "charge-item", func(ctx context.Context) (int, error) { return 0, nil })
		}
		if err := flows.Notify(ctx); err != nil { // the same helper twice: one call site
			return nil, err
		}
		if err := flows.Notify(ctx); err != nil {
			return nil, err
		}
		if len(o.Items) > 3 {
			_ = step.Sleep(ctx, "cool-off", time.Hour)
		} else {
			_ = step.Sleep(ctx, "cool-off", time.Minute) // exclusive branches
		}
		switch o.ID {
		case "a":
			_ = flows.Named(ctx, "route")
		default:
			_ = flows.Named(ctx, "route")
		}
		for _, k := range slices.Sorted(maps.Keys(o.Tags)) {
			_ = step.Sleep(ctx, "tag-"+k, time.Second) // sorted keys: deterministic
		}
		_, err := step.Run(ctx, "charge-"+in.Event.Data.ID+"-"+in.RunID, func(ctx context.Context) (int64, error) {
			return time.Now().Unix(), nil // inside the step: recorded
		})
		_, err = step.Run(ctx, chargeStep, func(ctx context.Context) (int, error) { return 0, nil })
		_, err = flows.Fetch(ctx, "fetch-profile", "x")
		err = step.Sleep(ctx, flows.Label(o.ID), time.Second)
		_, err = fetchLocal[int](ctx, "fetch-settings")
		return o, err
	})

// Other uses IDs of Bad: another function, another journal.
var Other = runtime.NewFunction(runtime.FunctionOpts{ID: "other"}, Ev.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		_, err := step.Run(ctx, "load-order", func(ctx context.Context) (Order, error) { return Order{}, nil })
		return nil, err
	})

func fetchLocal[T any](ctx context.Context, id string) (T, error) { // want fetchLocal:`stepIDs\(param1\)`
	return step.Run(ctx, id, func(ctx context.Context) (T, error) {
		var zero T
		return zero, nil
	})
}

type svc struct{}

func (svc) twoSteps(ctx context.Context) error { // want twoSteps:`stepIDs\("refund"\)`
	if err := step.Sleep(ctx, "refund", time.Second); err != nil {
		return err
	}
	return step.Sleep(ctx, "refund", time.Second) // want `step ID "refund" is already used in this function, at line \d+`
}

func nowKey() string { // want nowKey:`nondet\(key, which holds time.Now\(\) \(a wall-clock read\)\)`
	key := strconv.FormatInt(time.Now().UnixNano(), 10)
	return key
}

// step.Version's change ID is a step ID, and a constant.
var Versioned = runtime.NewFunction(runtime.FunctionOpts{ID: "versioned"}, Ev.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		v, err := step.Version(ctx, "tax-before-charge", 1)
		if err != nil {
			return nil, err
		}
		if v >= 1 {
			_, err = step.Run(ctx, "add-tax", func(ctx context.Context) (int, error) { return 0, nil })
		}
		_, err = step.Version(ctx, "tax-before-charge", 2)        // want `step ID "tax-before-charge" is already used in this function, at line \d+`
		_, err = step.Version(ctx, "change-"+in.Event.Data.ID, 1) // want `the change ID of step.Version must be a constant string`
		_, err = step.Version(ctx, fmt.Sprint(time.Now()), 1)     // want `the change ID of step.Version must be a constant string`
		_, err = step.Version(ctx, "step1", 1)                    // want `step ID "step1" is generic`
		_, err = step.Version(ctx, chargeStep+"-v2", 1)
		_, err = gate(ctx, "gated-by-helper")
		_, err = gate(ctx, "gated-"+in.RunID)
		return v, err
	})

// gate is a helper taking the change ID as a parameter: its callers' IDs
// are checked.
func gate(ctx context.Context, change string) (int, error) { // want gate:`stepIDs\(param1\)`
	return step.Version(ctx, change, 1)
}
