package runtime_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/internal/vclock"
	"github.com/durable-go/durable/runtime/step"
)

type customerEvent struct {
	Customer string `json:"customer"`
	N        int    `json:"n"`
}

var customerEvt = runtime.NewEventType[customerEvent]("crm/customer.updated", "1", nil)

// runsOf waits until fnID has n runs in terminal or given statuses and returns them.
func (te *testEngine) runsOf(t *testing.T, fnID string, n int, statuses ...runtime.RunStatus) []runtime.RunInfo {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		runs, err := runList(te.Runs(context.Background(), runtime.RunFilter{FunctionID: fnID, Statuses: statuses, Limit: 1000}))
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) >= n {
			return runs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d runs in %v after 10s, want %d", fnID, len(runs), statuses, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestConcurrencyLimitPerKey(t *testing.T) {
	var mu sync.Mutex
	active, peak := map[string]int{}, map[string]int{}
	release := make(chan struct{})
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "limited", Concurrency: []runtime.Concurrency{{Limit: 2, Key: "event.data.customer"}}},
		customerEvt.Trigger(),
		func(ctx context.Context, in runtime.Input[customerEvent]) (any, error) {
			return step.Run(ctx, "work", func(ctx context.Context) (bool, error) {
				c := in.Event.Data.Customer
				mu.Lock()
				active[c]++
				peak[c] = max(peak[c], active[c])
				mu.Unlock()
				<-release
				mu.Lock()
				active[c]--
				mu.Unlock()
				return true, nil
			})
		})
	te := newEngine(t, fn)
	for i := 0; i < 6; i++ {
		te.send(t, "crm/customer.updated", customerEvent{Customer: "a", N: i})
	}
	te.send(t, "crm/customer.updated", customerEvent{Customer: "b"})
	// a has 2 executing and 4 blocked; b is not held up by a.
	te.runsOf(t, "limited", 4, runtime.RunBlocked)
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		ok := active["a"] == 2 && active["b"] == 1
		mu.Unlock()
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("active = %v, want a:2 b:1", active)
		}
		time.Sleep(2 * time.Millisecond)
	}
	close(release)
	te.runsOf(t, "limited", 7, runtime.RunCompleted)
	if peak["a"] != 2 || peak["b"] != 1 {
		t.Errorf("peak concurrency %v, want a:2 b:1", peak)
	}
}

func TestConcurrencySlotsAreNotHeldWhileParked(t *testing.T) {
	var mu sync.Mutex
	active, peak := 0, 0
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "one-at-a-time", Retries: runtime.Retries(1),
		Concurrency: []runtime.Concurrency{{Limit: 1}}},
		customerEvt.Trigger(),
		func(ctx context.Context, in runtime.Input[customerEvent]) (any, error) {
			if err := step.Sleep(ctx, "nap", time.Hour); err != nil {
				return nil, err
			}
			// A failing first attempt parks the run for its retry: the slot
			// goes to another run meanwhile.
			return step.Run(ctx, "work", func(ctx context.Context) (int, error) {
				mu.Lock()
				active++
				peak = max(peak, active)
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
				mu.Lock()
				active--
				mu.Unlock()
				if in.Attempt == 0 && in.Event.Data.N == 0 {
					return 0, nil
				}
				return in.Event.Data.N, nil
			})
		})
	te := newEngine(t, fn)
	for i := 0; i < 4; i++ {
		te.send(t, "crm/customer.updated", customerEvent{Customer: "a", N: i})
	}
	// All four sleep at once although the limit is 1.
	te.runsOf(t, "one-at-a-time", 4, runtime.RunSleeping)
	te.clock.Advance(2 * time.Hour)
	te.runsOf(t, "one-at-a-time", 4, runtime.RunCompleted)
	if peak != 1 {
		t.Errorf("peak = %d, want 1", peak)
	}
}

func TestMissingKeyFieldFailsTheRunClearly(t *testing.T) {
	h := func(ctx context.Context, in runtime.Input[customerEvent]) (any, error) { return nil, nil }
	tests := []struct {
		opts runtime.FunctionOpts
		want string
	}{
		{runtime.FunctionOpts{Concurrency: []runtime.Concurrency{{Limit: 1, Key: "event.data.account"}}}, `Concurrency[0].Key "event.data.account"`},
		{runtime.FunctionOpts{Throttle: &runtime.Throttle{Limit: 1, Period: time.Minute, Key: "event.data.account"}}, `Throttle.Key "event.data.account"`},
		{runtime.FunctionOpts{RateLimit: &runtime.RateLimit{Limit: 1, Period: time.Minute, Key: "event.data.account"}}, `RateLimit.Key "event.data.account"`},
		{runtime.FunctionOpts{Idempotency: "event.data.account"}, `Idempotency "event.data.account"`},
		{runtime.FunctionOpts{Debounce: &runtime.Debounce{Period: time.Minute, Key: "event.data.account"}}, `Debounce.Key "event.data.account"`},
		{runtime.FunctionOpts{BatchEvents: &runtime.BatchEvents{MaxSize: 2, Timeout: time.Minute, Key: "event.data.account"}}, `BatchEvents.Key "event.data.account"`},
		{runtime.FunctionOpts{Singleton: &runtime.Singleton{Key: "event.data.account", Mode: runtime.SingletonSkip}}, `Singleton.Key "event.data.account"`},
		{runtime.FunctionOpts{Priority: &runtime.Priority{Run: "event.data.account"}}, `Priority.Run "event.data.account"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			tt.opts.ID = "keyed"
			te := newEngine(t, runtime.NewFunction(tt.opts, customerEvt.Trigger(), h))
			te.send(t, "crm/customer.updated", customerEvent{Customer: "a"})
			info := te.await(t, te.onlyRun(t, "keyed"), runtime.RunFailed)
			if !strings.Contains(info.Error, tt.want) || !strings.Contains(info.Error, "account") {
				t.Errorf("error = %q, want it to name %s", info.Error, tt.want)
			}
		})
	}
}

func TestOptionValidation(t *testing.T) {
	h := func(ctx context.Context, in runtime.Input[customerEvent]) (any, error) { return nil, nil }
	tests := []struct {
		opts runtime.FunctionOpts
		want string
	}{
		{runtime.FunctionOpts{Concurrency: []runtime.Concurrency{{Limit: 0}}}, "Concurrency[0].Limit is 0"},
		{runtime.FunctionOpts{Concurrency: []runtime.Concurrency{{Limit: 1, Scope: runtime.ScopeGlobal}}}, "Concurrency[0]: a global limit needs a Key"},
		{runtime.FunctionOpts{Concurrency: []runtime.Concurrency{{Limit: 1, Key: "event.data.("}}}, "Concurrency[0].Key"},
		{runtime.FunctionOpts{Throttle: &runtime.Throttle{Limit: 1}}, "Throttle.Period is 0s"},
		{runtime.FunctionOpts{RateLimit: &runtime.RateLimit{Limit: -1, Period: time.Second}}, "RateLimit.Limit is -1"},
		{runtime.FunctionOpts{Debounce: &runtime.Debounce{Period: time.Minute, Timeout: time.Second}}, "Debounce.Timeout is 1s"},
		{runtime.FunctionOpts{BatchEvents: &runtime.BatchEvents{MaxSize: 0, Timeout: time.Second}}, "BatchEvents.MaxSize is 0"},
		{runtime.FunctionOpts{Cancel: []runtime.Cancel{{Event: "x/y.z", If: "async.data.id =="}}}, "Cancel[0].If"},
		{runtime.FunctionOpts{Singleton: &runtime.Singleton{Key: "event.data.customer", Mode: "queue"}}, `Singleton.Mode is "queue"`},
		{runtime.FunctionOpts{IdempotencyPeriod: -time.Hour, Idempotency: "event.id"}, "IdempotencyPeriod is -1h0m0s"},
	}
	for _, tt := range tests {
		tt.opts.ID = "validated"
		_, err := runtime.New(runtime.Options{Store: nopStore(t), Functions: []*runtime.Function{runtime.NewFunction(tt.opts, customerEvt.Trigger(), h)}})
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `function "validated"`) {
			t.Errorf("New: %v, want %q", err, tt.want)
		}
	}
}

func TestThrottleQueuesExcessRuns(t *testing.T) {
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "throttled", Throttle: &runtime.Throttle{Limit: 2, Period: time.Minute, Key: "event.data.customer"}},
		customerEvt.Trigger(),
		func(ctx context.Context, in runtime.Input[customerEvent]) (any, error) { return in.Event.Data.N, nil })
	te := newEngine(t, fn)
	for i := 0; i < 5; i++ {
		te.send(t, "crm/customer.updated", customerEvent{Customer: "a", N: i})
	}
	te.send(t, "crm/customer.updated", customerEvent{Customer: "b"})
	// Two of a (the burst) and b run now; a's others wait 30s each.
	te.runsOf(t, "throttled", 3, runtime.RunCompleted)
	time.Sleep(30 * time.Millisecond)
	if runs, _ := runList(te.Runs(context.Background(), runtime.RunFilter{FunctionID: "throttled", Statuses: []runtime.RunStatus{runtime.RunCompleted}})); len(runs) != 3 {
		t.Fatalf("%d completed before any time passed, want 3", len(runs))
	}
	for want := 4; want <= 6; want++ {
		te.clock.Advance(30 * time.Second)
		te.runsOf(t, "throttled", want, runtime.RunCompleted)
	}
	all, _ := runList(te.Runs(context.Background(), runtime.RunFilter{FunctionID: "throttled"}))
	if len(all) != 6 {
		t.Errorf("%d runs, want 6 (none dropped)", len(all))
	}
}

func TestRateLimitSkipsAndRecordsWhy(t *testing.T) {
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "rate-limited", RateLimit: &runtime.RateLimit{Limit: 2, Period: time.Hour, Key: "event.data.customer"}},
		customerEvt.Trigger(),
		func(ctx context.Context, in runtime.Input[customerEvent]) (any, error) { return nil, nil })
	path := t.TempDir() + "/rate.db"
	clock := vclock.New(epoch)
	func() {
		te := startEngine(t, path, clock, fn)
		for i := 0; i < 4; i++ {
			te.send(t, "crm/customer.updated", customerEvent{Customer: "a", N: i})
		}
		te.runsOf(t, "rate-limited", 2, runtime.RunCompleted)
		skipped := te.runsOf(t, "rate-limited", 2, runtime.RunSkipped)
		if !strings.Contains(skipped[0].Error, `rate limit of 2 per 1h0m0s reached for key "a"`) {
			t.Errorf("skip reason = %q", skipped[0].Error)
		}
		te.close()
	}()
	// The window survives a restart.
	te := startEngine(t, path, clock, fn)
	te.send(t, "crm/customer.updated", customerEvent{Customer: "a"})
	te.runsOf(t, "rate-limited", 3, runtime.RunSkipped)
	clock.Advance(time.Hour)
	te.send(t, "crm/customer.updated", customerEvent{Customer: "a"})
	te.runsOf(t, "rate-limited", 3, runtime.RunCompleted)
}

func TestDebounceRunsOnceWithTheLastEvent(t *testing.T) {
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "debounced", Debounce: &runtime.Debounce{Period: 10 * time.Minute, Key: "event.data.customer", Timeout: 15 * time.Minute}},
		customerEvt.Trigger(),
		func(ctx context.Context, in runtime.Input[customerEvent]) (any, error) { return in.Event.Data.N, nil })
	path := t.TempDir() + "/debounce.db"
	clock := vclock.New(epoch)
	te := startEngine(t, path, clock, fn)
	te.send(t, "crm/customer.updated", customerEvent{Customer: "a", N: 1})
	clock.Advance(5 * time.Minute)
	te.send(t, "crm/customer.updated", customerEvent{Customer: "a", N: 2})
	te.close()
	// The pending run survives a restart and takes later events.
	te = startEngine(t, path, clock, fn)
	clock.Advance(4 * time.Minute)
	te.send(t, "crm/customer.updated", customerEvent{Customer: "a", N: 3})
	clock.Advance(5 * time.Minute) // t+14m: the quiet period is not over
	time.Sleep(30 * time.Millisecond)
	if runs, _ := runList(te.Runs(context.Background(), runtime.RunFilter{FunctionID: "debounced", Statuses: []runtime.RunStatus{runtime.RunCompleted}})); len(runs) != 0 {
		t.Fatalf("ran before the debounce ended")
	}
	clock.Advance(time.Minute) // t+15m: Timeout caps the wait
	info := te.await(t, te.onlyRun(t, "debounced"), runtime.RunCompleted)
	if string(info.Output) != "3" || len(info.Events) != 1 {
		t.Errorf("output %s with %d events, want the last event (3)", info.Output, len(info.Events))
	}
}

func TestBatchEvents(t *testing.T) {
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "batched", BatchEvents: &runtime.BatchEvents{MaxSize: 3, Timeout: time.Minute}},
		customerEvt.Trigger(),
		func(ctx context.Context, in runtime.Input[customerEvent]) (any, error) {
			var ns []int
			for _, e := range in.Events {
				ns = append(ns, e.Data.N)
			}
			return ns, nil
		})
	te := newEngine(t, fn)
	for i := 0; i < 7; i++ {
		te.send(t, "crm/customer.updated", customerEvent{N: i})
	}
	te.runsOf(t, "batched", 2, runtime.RunCompleted)
	te.clock.Advance(time.Minute)
	runs := te.runsOf(t, "batched", 3, runtime.RunCompleted)
	var outs []string
	for _, r := range runs {
		outs = append(outs, string(r.Output))
	}
	slices.Sort(outs)
	if want := []string{"[0,1,2]", "[3,4,5]", "[6]"}; !slices.Equal(outs, want) {
		t.Errorf("batches %v, want %v", outs, want)
	}
}

func TestIdempotency(t *testing.T) {
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "charge", Idempotency: "event.data.customer + ':' + string(event.data.n)"},
		customerEvt.Trigger(),
		func(ctx context.Context, in runtime.Input[customerEvent]) (any, error) { return nil, nil })
	te := newEngine(t, fn)
	te.send(t, "crm/customer.updated", customerEvent{Customer: "a", N: 1})
	te.send(t, "crm/customer.updated", customerEvent{Customer: "a", N: 1})
	te.send(t, "crm/customer.updated", customerEvent{Customer: "a", N: 2})
	te.runsOf(t, "charge", 2, runtime.RunCompleted)
	skipped := te.runsOf(t, "charge", 1, runtime.RunSkipped)
	if !strings.Contains(skipped[0].Error, `idempotency key "a:1" was used by run`) {
		t.Errorf("skip reason = %q", skipped[0].Error)
	}
	te.clock.Advance(25 * time.Hour)
	te.send(t, "crm/customer.updated", customerEvent{Customer: "a", N: 1})
	te.runsOf(t, "charge", 3, runtime.RunCompleted)
}

func TestCancelOnEvent(t *testing.T) {
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "reminder",
		Cancel: []runtime.Cancel{{Event: "shop/order.paid", If: "async.data.order_id == event.data.order_id"}}},
		orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			return nil, step.Sleep(ctx, "wait-a-day", 24*time.Hour)
		})
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{OrderID: "o1"})
	te.send(t, "shop/order.created", order{OrderID: "o2"})
	te.runsOf(t, "reminder", 2, runtime.RunSleeping)
	te.send(t, "shop/order.paid", order{OrderID: "o1"})
	cancelled := te.runsOf(t, "reminder", 1, runtime.RunCancelled)
	if !strings.Contains(cancelled[0].Error, "cancelled by event") {
		t.Errorf("reason = %q", cancelled[0].Error)
	}
	te.clock.Advance(25 * time.Hour)
	te.runsOf(t, "reminder", 1, runtime.RunCompleted)
}

func TestSingleton(t *testing.T) {
	for _, mode := range []runtime.SingletonMode{runtime.SingletonSkip, runtime.SingletonCancel} {
		t.Run(string(mode), func(t *testing.T) {
			fn := runtime.NewFunction(runtime.FunctionOpts{ID: "sync-account", Singleton: &runtime.Singleton{Key: "event.data.customer", Mode: mode}},
				customerEvt.Trigger(),
				func(ctx context.Context, in runtime.Input[customerEvent]) (any, error) {
					return in.Event.Data.N, step.Sleep(ctx, "slow", time.Hour)
				})
			te := newEngine(t, fn)
			te.send(t, "crm/customer.updated", customerEvent{Customer: "a", N: 1})
			te.runsOf(t, "sync-account", 1, runtime.RunSleeping)
			te.send(t, "crm/customer.updated", customerEvent{Customer: "a", N: 2})
			te.send(t, "crm/customer.updated", customerEvent{Customer: "b", N: 3})
			if mode == runtime.SingletonSkip {
				te.runsOf(t, "sync-account", 1, runtime.RunSkipped)
			} else {
				te.runsOf(t, "sync-account", 1, runtime.RunCancelled)
			}
			te.runsOf(t, "sync-account", 2, runtime.RunSleeping)
			te.clock.Advance(2 * time.Hour)
			done := te.runsOf(t, "sync-account", 2, runtime.RunCompleted)
			var outs []string
			for _, r := range done {
				outs = append(outs, string(r.Output))
			}
			slices.Sort(outs)
			want := []string{"1", "3"}
			if mode == runtime.SingletonCancel {
				want = []string{"2", "3"}
			}
			if !slices.Equal(outs, want) {
				t.Errorf("outputs %v, want %v", outs, want)
			}
		})
	}
}

func TestPriorityRunsFirst(t *testing.T) {
	var order []int
	var mu sync.Mutex
	gate := make(chan struct{})
	var gated atomic.Bool
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "prioritized", Concurrency: []runtime.Concurrency{{Limit: 1}},
		Priority: &runtime.Priority{Run: "event.data.n >= 100 ? 300 : 0"}},
		customerEvt.Trigger(),
		func(ctx context.Context, in runtime.Input[customerEvent]) (any, error) {
			return step.Run(ctx, "record", func(ctx context.Context) (int, error) {
				if gated.CompareAndSwap(false, true) {
					<-gate
				}
				mu.Lock()
				order = append(order, in.Event.Data.N)
				mu.Unlock()
				return in.Event.Data.N, nil
			})
		})
	te := newEngine(t, fn)
	te.send(t, "crm/customer.updated", customerEvent{N: 0}) // holds the only slot
	te.runsOf(t, "prioritized", 1, runtime.RunRunning)
	te.send(t, "crm/customer.updated", customerEvent{N: 1})
	te.clock.Advance(time.Second)
	te.send(t, "crm/customer.updated", customerEvent{N: 100})
	// Priority orders the runs waiting for the slot: both must be waiting
	// (claimed and blocked) when it frees, or the one claimed first takes
	// it whatever its priority.
	te.runsOf(t, "prioritized", 2, runtime.RunBlocked)
	close(gate)
	te.runsOf(t, "prioritized", 3, runtime.RunCompleted)
	if !slices.Equal(order, []int{0, 100, 1}) {
		t.Errorf("order %v, want the prioritized run before the older one", order)
	}
}

func TestConcurrencyWithStepRetries(t *testing.T) {
	var attempts atomic.Int32
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "retry-limited", Concurrency: []runtime.Concurrency{{Limit: 1}}},
		customerEvt.Trigger(),
		func(ctx context.Context, in runtime.Input[customerEvent]) (any, error) {
			return step.Run(ctx, "call", func(ctx context.Context) (int, error) {
				if in.Event.Data.N == 0 && attempts.Add(1) == 1 {
					return 0, errors.New("flaky")
				}
				return in.Event.Data.N, nil
			})
		})
	te := newEngine(t, fn)
	te.send(t, "crm/customer.updated", customerEvent{N: 0})
	te.send(t, "crm/customer.updated", customerEvent{N: 1})
	// While run 0 waits for its retry, run 1 takes the slot and completes.
	te.runsOf(t, "retry-limited", 1, runtime.RunCompleted)
	te.clock.Advance(time.Hour)
	te.runsOf(t, "retry-limited", 2, runtime.RunCompleted)
}
