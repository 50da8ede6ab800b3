package a

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"

	"tasks"
)

type Order struct{ ID string }

var Ev = runtime.NewEventType[Order]("shop/order.created", "1", nil)

var Bad = runtime.NewFunction(runtime.FunctionOpts{ID: "bad"}, Ev.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		var wg sync.WaitGroup
		var a, b int
		wg.Add(2)
		go func() { // want `go statement in "bad" starts steps in another goroutine \(step.Run\): the order in which steps reach the journal then changes from run to run`
			defer wg.Done()
			a, _ = step.Run(ctx, "charge-a", func(ctx context.Context) (int, error) { return 1, nil })
		}()
		go func() { // want `go statement in "bad" starts steps in another goroutine \(tasks.Notify → step.Run\)`
			defer wg.Done()
			_ = tasks.Notify(ctx)
		}()
		wg.Wait()
		var s svc
		go s.charge(ctx)         // want `go statement in "bad" starts steps in another goroutine \(a.svc.charge → step.Run\).*; run concurrent branches with step.Parallel`
		go tasks.Notify(ctx)     // want `go statement in "bad" starts steps in another goroutine \(tasks.Notify → step.Run\)`
		go fetch[int](ctx, "f1") // want `go statement in "bad" starts steps in another goroutine \(a.fetch → step.Run\)`
		wg.Go(func() {           // want `sync.WaitGroup.Go in "bad" starts steps in another goroutine \(step.Sleep\)`
			_ = step.Sleep(ctx, "nap", time.Second)
		})
		g, gctx := errgroup.WithContext(ctx)
		g.Go(func() error { return tasks.Notify(gctx) })              // want `errgroup.Group.Go in "bad" starts steps in another goroutine`
		go audit(in.Event.Data)                                       // want `go statement in "bad", outside any step: the goroutine runs again on every replay`
		time.AfterFunc(time.Minute, func() { _ = tasks.Notify(ctx) }) // want `time.AfterFunc in "bad" starts steps in another goroutine \(tasks.Notify → step.Run\)`
		_ = g.Wait()
		return a + b, nil
	})

var Chans = runtime.NewFunction(runtime.FunctionOpts{ID: "chans"}, Ev.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		ch := tasks.Results()
		v := <-ch // want `channel receive in "chans", outside any step: values and timing that come from other goroutines are not journaled`
		select {  // want `select statement in "chans", outside any step`
		case <-time.After(time.Minute):
		case <-ctx.Done():
		}
		for range ch { // want `range over a channel in "chans"`
		}
		out := make(chan int, 1)
		out <- v // want `channel send in "chans"`
		var wg sync.WaitGroup
		startAll(ctx, &wg)
		wg.Wait() // want `sync.WaitGroup.Wait call in "chans"`
		return v, nil
	})

var Good = runtime.NewFunction(runtime.FunctionOpts{ID: "good"}, Ev.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		res, err := step.Parallel(ctx,
			func(ctx context.Context) (int, error) {
				return step.Run(ctx, "charge-a", func(ctx context.Context) (int, error) { return 1, nil })
			},
			func(ctx context.Context) (int, error) {
				return step.Run(ctx, "charge-b", func(ctx context.Context) (int, error) { return 2, nil })
			},
		)
		if err != nil {
			return nil, err
		}
		sum, err := step.Run(ctx, "fan-out-http", func(ctx context.Context) (int, error) {
			// Inside a step, concurrency is an implementation detail.
			var wg sync.WaitGroup
			ch := make(chan int, 2)
			for i := range 2 {
				wg.Add(1)
				go func() { defer wg.Done(); ch <- i }()
			}
			wg.Wait()
			close(ch)
			t := 0
			for v := range ch {
				t += v
			}
			return t, nil
		})
		done := make(chan struct{}) // making a channel is not an operation on it
		_ = done
		return res[0] + res[1] + sum, err
	})

// worker starts no step and is no durable function: not checked.
func worker(jobs <-chan int) {
	go func() {
		for range jobs {
		}
	}()
}

func audit(o Order) {}

func startAll(ctx context.Context, wg *sync.WaitGroup) {}

type svc struct{}

func (svc) charge(ctx context.Context) {
	_, _ = step.Run(ctx, "charge", func(ctx context.Context) (int, error) { return 0, nil })
}

func fetch[T any](ctx context.Context, id string) (T, error) {
	return step.Run(ctx, id, func(ctx context.Context) (T, error) {
		var zero T
		return zero, nil
	})
}

// newFunction defines a durable function: its own goroutines are not body code.
func newFunction(started chan<- bool) *runtime.Function {
	go func() { started <- true }()
	return runtime.NewFunction(runtime.FunctionOpts{ID: "built"}, Ev.Trigger(),
		func(ctx context.Context, in runtime.Input[Order]) (any, error) {
			return step.Run(ctx, "build", func(ctx context.Context) (int, error) { return 0, nil })
		})
}

// setup builds functions and serves: its goroutine is not body code.
func setup() {
	started := make(chan bool, 1)
	f := newFunction(started)
	_ = f
	go func() { <-started }()
}
