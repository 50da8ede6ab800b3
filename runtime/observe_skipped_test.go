package runtime_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

// TestFunctionSkippedEvent: each way flow control keeps an event from
// starting a run sends one durable/function.skipped, naming the function,
// the event and the reason, to the functions it triggers.
func TestFunctionSkippedEvent(t *testing.T) {
	hold := func(ctx context.Context, in runtime.Input[customerEvent]) (any, error) {
		return nil, step.Sleep(ctx, "hold", time.Hour)
	}
	for _, tc := range []struct {
		name   string
		opts   runtime.FunctionOpts
		reason string
		// message is a part of the data's message.
		message string
		// skippedFirst: the event skipped is the first sent (debounce),
		// not the second.
		skippedFirst bool
	}{
		{"idempotency", runtime.FunctionOpts{Idempotency: "event.data.customer"}, runtime.SkipIdempotency, `idempotency key "a"`, false},
		{"rate limit", runtime.FunctionOpts{RateLimit: &runtime.RateLimit{Limit: 1, Period: time.Hour, Key: "event.data.customer"}}, runtime.SkipRateLimit, "rate limit of 1 per 1h0m0s", false},
		{"singleton", runtime.FunctionOpts{Singleton: &runtime.Singleton{Key: "event.data.customer", Mode: runtime.SingletonSkip}}, runtime.SkipSingleton, `singleton key "a" is in progress`, false},
		{"debounce", runtime.FunctionOpts{Debounce: &runtime.Debounce{Period: time.Minute, Key: "event.data.customer"}}, runtime.SkipDebounce, "superseded by event", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var seen []runtime.TypedEvent[runtime.FunctionSkippedData]
			watcher := runtime.NewFunction(runtime.FunctionOpts{ID: "watcher"}, runtime.FunctionSkipped.Trigger(),
				func(ctx context.Context, in runtime.Input[runtime.FunctionSkippedData]) (any, error) {
					mu.Lock()
					seen = append(seen, in.Event)
					mu.Unlock()
					return nil, nil
				})
			tc.opts.ID = "guarded"
			fn := runtime.NewFunction(tc.opts, customerEvt.Trigger(), hold)
			te := newEngine(t, fn, watcher)
			first := te.send(t, customerEvt.Name(), customerEvent{Customer: "a", N: 1})
			if tc.name == "singleton" {
				// The first run must be in progress when the second event comes.
				te.await(t, te.onlyRun(t, "guarded"), runtime.RunSleeping)
			}
			second := te.send(t, customerEvt.Name(), customerEvent{Customer: "a", N: 2})
			// Another key is not skipped.
			te.send(t, customerEvt.Name(), customerEvent{Customer: "b", N: 3})
			runs := te.runsOf(t, "watcher", 1, runtime.RunCompleted)
			time.Sleep(50 * time.Millisecond) // a second announcement would have come by now
			if runs = te.runsOf(t, "watcher", 1); len(runs) != 1 {
				t.Fatalf("%d announcements, want 1", len(runs))
			}
			mu.Lock()
			defer mu.Unlock()
			if len(seen) != 1 {
				t.Fatalf("watcher saw %d events, want 1", len(seen))
			}
			ev := seen[0]
			d := ev.Data
			wantEvent := second
			if tc.skippedFirst {
				wantEvent = first
			}
			var env struct {
				ID   string        `json:"id"`
				Data customerEvent `json:"data"`
			}
			if err := json.Unmarshal(d.Event, &env); err != nil {
				t.Fatalf("data.event %s: %v", d.Event, err)
			}
			if ev.Name != runtime.FunctionSkippedEvent || d.FunctionID != "guarded" || d.Reason != tc.reason || env.ID != wantEvent || d.RunID == "" {
				t.Errorf("announcement %+v (event %s), want function guarded, reason %s, event %s, a run", ev, d.Event, tc.reason, wantEvent)
			}
			if !strings.Contains(d.Message, tc.message) {
				t.Errorf("message %q does not say %q", d.Message, tc.message)
			}
			info, err := te.Run(context.Background(), d.RunID)
			if err != nil {
				t.Fatalf("run %s named by the announcement: %v", d.RunID, err)
			}
			if tc.skippedFirst {
				if info.Status == runtime.RunSkipped {
					t.Errorf("debounced run %s is skipped; want it pending with the later event", d.RunID)
				}
			} else if info.Status != runtime.RunSkipped {
				t.Errorf("run %s named by the announcement is %s, want skipped", d.RunID, info.Status)
			}
		})
	}
}

// TestFunctionSkippedNoLoop: a run triggered by the skipped event that is
// itself skipped announces nothing.
func TestFunctionSkippedNoLoop(t *testing.T) {
	watcher := runtime.NewFunction(runtime.FunctionOpts{ID: "watcher", RateLimit: &runtime.RateLimit{Limit: 1, Period: time.Hour}}, runtime.FunctionSkipped.Trigger(),
		func(ctx context.Context, in runtime.Input[runtime.FunctionSkippedData]) (any, error) { return nil, nil })
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "guarded", Idempotency: "event.data.customer"}, customerEvt.Trigger(),
		func(ctx context.Context, in runtime.Input[customerEvent]) (any, error) { return nil, nil })
	te := newEngine(t, fn, watcher)
	for i := range 4 {
		te.send(t, customerEvt.Name(), customerEvent{Customer: "a", N: i})
	}
	// 3 skips of guarded: the watcher runs once and is rate limited twice,
	// which it is not told of.
	te.runsOf(t, "watcher", 3, runtime.RunCompleted, runtime.RunSkipped)
	time.Sleep(50 * time.Millisecond)
	runs := te.runsOf(t, "watcher", 3)
	if len(runs) != 3 {
		t.Fatalf("watcher has %d runs, want 3 (no announcement of its own skips)", len(runs))
	}
}
