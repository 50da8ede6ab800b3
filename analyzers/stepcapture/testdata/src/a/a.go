package a

import (
	"context"
	"encoding/json"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"

	"cache"
)

type Order struct {
	ID     string
	Status string
	Items  []string
}

var lastRun time.Time

var Ev = runtime.NewEventType[Order]("shop/order.created", "1", nil)

var Bad = runtime.NewFunction(runtime.FunctionOpts{ID: "bad"}, Ev.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		var total int
		var items []string
		order := in.Event.Data
		seen := map[string]bool{}
		count := 0
		var user struct{ Name string }
		_, err := step.Run(ctx, "sum", func(ctx context.Context) (struct{}, error) {
			total = 40 + 2 // want `step.Run "sum" callback assigns to total, declared outside the step: this happens only when the step executes, not when a resumed run replays the step from its journal, so later code sees total unset; return the value from the callback`
			total += 1     // reported once per variable
			return struct{}{}, nil
		})
		_, err = step.Run(ctx, "collect", func(ctx context.Context) (int, error) {
			items = append(items, "x") // want `callback assigns to items, declared outside`
			order.Status = "paid"      // want `callback assigns to order.Status, part of order, declared outside`
			seen["x"] = true           // want `callback assigns to seen\["x"\], part of seen`
			count++                    // want `callback assigns to count, declared outside`
			lastRun = time.Now()       // want `callback assigns to lastRun, declared outside`
			return len(items), nil
		})
		_, err = step.Run(ctx, "load-user", func(ctx context.Context) (bool, error) {
			return true, json.Unmarshal([]byte(`{}`), &user) // want `step.Run "load-user" callback passes &user to json.Unmarshal, which can fill user, declared outside the step`
		})
		var s svc
		_, err = step.Run(ctx, "method", s.load) // want `step.Run "method" callback a.svc.load writes s.loaded, which outlives the step`
		store := &cache.Store{}
		_, err = step.Run(ctx, "remote", store.Load) // want `step.Run "remote" callback cache.Store.Load writes s.loaded\["k"\], which outlives the step`
		_, err = step.Run(ctx, "count", cache.Count) // want `step.Run "count" callback cache.Count writes package variable hits`
		err = fill(ctx, &order)
		return total + count, err
	})

var Good = runtime.NewFunction(runtime.FunctionOpts{ID: "good"}, Ev.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		order := in.Event.Data
		total, err := step.Run(ctx, "sum", func(ctx context.Context) (int, error) {
			t := 0
			for _, it := range order.Items { // reading outer variables is fine
				t += len(it)
			}
			var u struct{ Name string }
			if err := json.Unmarshal([]byte(`{}`), &u); err != nil {
				return 0, err
			}
			b, _ := json.Marshal(&order) // read-only use of a pointer
			inc := func() { t++ }        // t is the callback's own
			inc()
			return t + len(b), nil
		})
		if err != nil {
			return nil, err
		}
		named, err := step.Run(ctx, "named", func(ctx context.Context) (n int, err error) {
			n = 3
			return n, nil
		})
		if err != nil {
			return nil, err
		}
		var a, b int
		_, err = step.Parallel(ctx,
			func(ctx context.Context) (int, error) { a = 1; return a, nil }, // branches are body code, replayed
			func(ctx context.Context) (int, error) { b = 2; return b, nil },
		)
		var s svc
		name, err := step.Run(ctx, "name", s.name)
		var st cache.Store
		got, err := step.Run(ctx, "get", st.Get)
		total = total + named + a + b + len(name) + len(got)
		return total, err
	})

type svc struct{ loaded bool }

func (s *svc) load(ctx context.Context) (bool, error) { // want load:`mutates\(s.loaded\)`
	s.loaded = true
	return true, nil
}

func (s svc) name(ctx context.Context) (string, error) { return "svc", nil }

// fill is a generic helper whose step writes through its parameter.
func fill[T any](ctx context.Context, dst *T) error { // want fill:`writesParams\(\[1\]\)`
	_, err := step.Run(ctx, "fill", func(ctx context.Context) (int, error) {
		var zero T
		*dst = zero // want `step.Run "fill" callback assigns to \*dst, part of dst`
		return 0, nil
	})
	return err
}

// A callback followed by step options is checked as any other.
var WithOptions = runtime.NewFunction(runtime.FunctionOpts{ID: "with-options"}, Ev.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		var charged int
		_, err := step.Run(ctx, "charge", func(ctx context.Context) (int, error) {
			charged = 42 // want `step.Run "charge" callback assigns to charged, declared outside the step`
			return charged, nil
		}, step.Retry(step.RetryPolicy{MaxAttempts: 5, Retriable: func(err error) bool { return err != nil }}), step.Timeout(time.Second))
		return charged, err
	})
