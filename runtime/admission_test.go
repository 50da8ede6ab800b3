package runtime_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

// admissionStep is one move of a TestAdmissionOrder script: send an event,
// advance the clock, or wait until that many runs sleep.
type admissionStep struct {
	send     *customerEvent
	advance  time.Duration
	sleeping int
}

// TestAdmissionOrder checks what the order of the admission stages decides
// when a function combines flow-control options: an event that one stage
// settles leaves every later stage's state alone.
func TestAdmissionOrder(t *testing.T) {
	send := func(customer string, n int) admissionStep {
		return admissionStep{send: &customerEvent{Customer: customer, N: n}}
	}
	tests := []struct {
		name string
		opts runtime.FunctionOpts
		// hold makes each run sleep an hour before it completes.
		hold   bool
		script []admissionStep
		// completed are the outputs of the completed runs; skipped holds a
		// part of each skipped run's reason; there are no other runs.
		completed []string
		skipped   []string
	}{{
		name: "a duplicate uses no rate",
		opts: runtime.FunctionOpts{Idempotency: "string(event.data.n)", RateLimit: &runtime.RateLimit{Limit: 2, Period: time.Hour}},
		script: []admissionStep{
			send("a", 1), send("a", 1), send("a", 2),
		},
		completed: []string{"1", "2"},
		skipped:   []string{`idempotency key "1" was used by run`},
	}, {
		name: "a duplicate neither joins nor moves a debounced run",
		opts: runtime.FunctionOpts{Idempotency: "event.data.customer", Debounce: &runtime.Debounce{Period: 10 * time.Minute}},
		script: []admissionStep{
			send("a", 1), {advance: 5 * time.Minute}, send("a", 2), {advance: 5 * time.Minute},
		},
		completed: []string{"1"},
		skipped:   []string{`idempotency key "a" was used by run`},
	}, {
		name: "an event over the rate does not replace a singleton's run",
		opts: runtime.FunctionOpts{Singleton: &runtime.Singleton{Mode: runtime.SingletonCancel}, RateLimit: &runtime.RateLimit{Limit: 1, Period: time.Hour}},
		hold: true,
		script: []admissionStep{
			send("a", 1), {sleeping: 1}, send("a", 2), {advance: 2 * time.Hour},
		},
		completed: []string{"1"},
		skipped:   []string{"rate limit of 1 per 1h0m0s reached"},
	}, {
		name: "an event over the rate takes no concurrency slot",
		opts: runtime.FunctionOpts{RateLimit: &runtime.RateLimit{Limit: 1, Period: time.Hour}, Concurrency: []runtime.Concurrency{{Limit: 1}}},
		script: []admissionStep{
			send("a", 1), send("a", 2), {advance: time.Hour}, send("a", 3),
		},
		completed: []string{"1", "3"},
		skipped:   []string{"rate limit of 1 per 1h0m0s reached"},
	}, {
		name: "an event a singleton skips does not join a batch",
		opts: runtime.FunctionOpts{Singleton: &runtime.Singleton{Mode: runtime.SingletonSkip}, BatchEvents: &runtime.BatchEvents{MaxSize: 2, Timeout: time.Minute}},
		script: []admissionStep{
			send("a", 1), send("a", 2), {advance: time.Minute},
		},
		completed: []string{"1"},
		skipped:   []string{"of singleton key \"\" is in progress"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.ID = "admitted"
			fn := runtime.NewFunction(opts, customerEvt.Trigger(),
				func(ctx context.Context, in runtime.Input[customerEvent]) (any, error) {
					n := 0
					for _, e := range in.Events {
						n = n*10 + e.Data.N
					}
					if tt.hold {
						return n, step.Sleep(ctx, "hold", time.Hour)
					}
					return n, nil
				})
			te := newEngine(t, fn)
			for _, s := range tt.script {
				switch {
				case s.send != nil:
					te.send(t, "crm/customer.updated", *s.send)
				case s.advance > 0:
					te.clock.Advance(s.advance)
				default:
					te.runsOf(t, opts.ID, s.sleeping, runtime.RunSleeping)
				}
			}
			completed := te.runsOf(t, opts.ID, len(tt.completed), runtime.RunCompleted)
			skipped := te.runsOf(t, opts.ID, len(tt.skipped), runtime.RunSkipped)
			var outs []string
			for _, r := range completed {
				outs = append(outs, string(r.Output))
			}
			slices.Sort(outs)
			if !slices.Equal(outs, tt.completed) {
				t.Errorf("completed runs' outputs %v, want %v", outs, tt.completed)
			}
			for i, r := range skipped {
				if i < len(tt.skipped) && !strings.Contains(r.Error, tt.skipped[i]) {
					t.Errorf("skipped run %s: %q, want it to say %q", r.ID, r.Error, tt.skipped[i])
				}
			}
			all, err := runList(te.Runs(context.Background(), runtime.RunFilter{FunctionID: opts.ID}))
			if err != nil {
				t.Fatal(err)
			}
			if want := len(tt.completed) + len(tt.skipped); len(all) != want {
				for _, r := range all {
					t.Logf("run %s: %s %q", r.ID, r.Status, r.Error)
				}
				t.Errorf("%d runs, want %d", len(all), want)
			}
		})
	}
}
