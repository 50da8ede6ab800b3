package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

// stepCounts counts the executions of each step of a function.
type stepCounts struct{ a, b, c atomic.Int32 }

func (n *stepCounts) get() [3]int32 { return [3]int32{n.a.Load(), n.b.Load(), n.c.Load()} }

// rerunnable runs steps a, a sleep, b and c; c fails while failC is set.
func rerunnable(id string, n *stepCounts, failC *atomic.Bool) *runtime.Function {
	return runtime.NewFunction(runtime.FunctionOpts{ID: id}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			a, err := step.Run(ctx, "a", func(ctx context.Context) (int, error) { return int(n.a.Add(1)) * 100, nil })
			if err != nil {
				return nil, err
			}
			if err := step.Sleep(ctx, "nap", time.Hour); err != nil {
				return nil, err
			}
			b, err := step.Run(ctx, "b", func(ctx context.Context) (int, error) { n.b.Add(1); return a + 1, nil })
			if err != nil {
				return nil, err
			}
			return step.Run(ctx, "c", func(ctx context.Context) (int, error) {
				n.c.Add(1)
				if failC.Load() {
					return 0, runtime.NonRetriable(errors.New("c is broken"))
				}
				return b + 1, nil
			})
		})
}

// TestRerunFromStep: a rerun keeps the results of the steps before its
// FromStep (the sleep too: it does not sleep again) and executes the rest.
func TestRerunFromStep(t *testing.T) {
	for _, tc := range []struct {
		from string
		// want counts executions of a, b and c after the failed run (1,1,1)
		// and its rerun.
		want     [3]int32
		wantKey  string
		wantOut  string
		mustWake bool
	}{
		{from: "", want: [3]int32{2, 2, 2}, wantOut: "202", mustWake: true},
		{from: "b", want: [3]int32{1, 2, 2}, wantKey: `"b"/0`, wantOut: "102"},
		{from: `"c"/0`, want: [3]int32{1, 1, 2}, wantKey: `"c"/0`, wantOut: "102"},
	} {
		t.Run("from "+tc.from, func(t *testing.T) {
			var n stepCounts
			var failC atomic.Bool
			failC.Store(true)
			te := newEngine(t, rerunnable("rerun", &n, &failC))
			te.send(t, "shop/order.created", order{OrderID: "o1"})
			old := te.onlyRun(t, "rerun")
			te.advanceUntil(t, old, time.Hour, runtime.RunFailed)
			failC.Store(false)

			id, err := te.Rerun(context.Background(), old, runtime.RerunOpts{FromStep: tc.from})
			if err != nil {
				t.Fatal(err)
			}
			var info runtime.RunInfo
			if tc.mustWake {
				te.await(t, id, runtime.RunSleeping)
				info = te.advanceUntil(t, id, time.Hour, runtime.RunCompleted, runtime.RunFailed)
			} else {
				// The sleep was kept: no time needs to pass.
				info = te.await(t, id, runtime.RunCompleted, runtime.RunFailed)
			}
			if info.Status != runtime.RunCompleted || string(info.Output) != tc.wantOut {
				t.Fatalf("rerun: %s, output %s, error %q; want completed with %s", info.Status, info.Output, info.Error, tc.wantOut)
			}
			if got := n.get(); got != tc.want {
				t.Errorf("executions of a, b, c = %v, want %v", got, tc.want)
			}
			if info.RerunOf != old || info.RerunFromStep != tc.wantKey {
				t.Errorf("rerun lineage: RerunOf %q, RerunFromStep %q; want %q, %q", info.RerunOf, info.RerunFromStep, old, tc.wantKey)
			}
			if o, _ := te.Run(context.Background(), old); o.RerunBy != id || o.Status != runtime.RunFailed {
				t.Errorf("old run: RerunBy %q, status %s; want %q, failed", o.RerunBy, o.Status, id)
			}
		})
	}
}

func TestRerunErrors(t *testing.T) {
	var n stepCounts
	var failC atomic.Bool
	te := newEngine(t, rerunnable("rerun", &n, &failC))
	te.send(t, "shop/order.created", order{OrderID: "o1"})
	sleeping := te.onlyRun(t, "rerun")
	te.await(t, sleeping, runtime.RunSleeping)
	for _, tc := range []struct {
		name, run, from string
		want            error
		msg             string
	}{
		{"unknown run", "nope", "", runtime.ErrRunNotFound, "nope"},
		{"in progress", sleeping, "", runtime.ErrRunNotFinished, "sleeping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := te.Rerun(context.Background(), tc.run, runtime.RerunOpts{FromStep: tc.from})
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Rerun = %v, want %v naming %q", err, tc.want, tc.msg)
			}
		})
	}
	te.advanceUntil(t, sleeping, time.Hour, runtime.RunCompleted)
	for _, tc := range []struct {
		name, from string
		want       error
		msg        string
	}{
		{"unknown step", "zzz", runtime.ErrStepNotFound, `"zzz" is none of the run's steps (it has "a", "nap", "b", "c")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := te.Rerun(context.Background(), sleeping, runtime.RerunOpts{FromStep: tc.from})
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Rerun = %v, want %v with %q", err, tc.want, tc.msg)
			}
		})
	}
}

// TestPauseResume: a paused function starts no run; the runs of events
// sent meanwhile are held, and Resume starts them or skips them; a run
// that started before the pause goes on.
func TestPauseResume(t *testing.T) {
	for _, tc := range []struct {
		name       string
		skip       bool
		wantStatus runtime.RunStatus
		wantRuns   int32
	}{
		{"resume starts held runs", false, runtime.RunCompleted, 3},
		{"resume skips held runs", true, runtime.RunSkipped, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			var ran, napped atomic.Int32
			fn := runtime.NewFunction(runtime.FunctionOpts{ID: "pausable"}, orderCreated.Trigger(),
				func(ctx context.Context, in runtime.Input[order]) (any, error) {
					if in.Event.Data.OrderID == "before" {
						if err := step.Sleep(ctx, "nap", time.Hour); err != nil {
							return nil, err
						}
						return step.Run(ctx, "after-nap", func(ctx context.Context) (int32, error) { return napped.Add(1), nil })
					}
					return step.Run(ctx, "work", func(ctx context.Context) (int32, error) { return ran.Add(1), nil })
				})
			other := runtime.NewFunction(runtime.FunctionOpts{ID: "other"}, orderCreated.Trigger(),
				func(ctx context.Context, in runtime.Input[order]) (any, error) { return nil, nil })
			var announced atomic.Int32
			watcher := runtime.NewFunction(runtime.FunctionOpts{ID: "skips"}, runtime.FunctionSkipped.Trigger(),
				func(ctx context.Context, in runtime.Input[runtime.FunctionSkippedData]) (any, error) {
					if in.Event.Data.Reason == runtime.SkipPaused && in.Event.Data.FunctionID == "pausable" {
						announced.Add(1)
					}
					return nil, nil
				})
			te := newEngine(t, fn, other, watcher)
			te.send(t, "shop/order.created", order{OrderID: "before"})
			before := te.onlyRun(t, "pausable")
			te.await(t, before, runtime.RunSleeping)

			if err := te.Pause(ctx, "pausable"); err != nil {
				t.Fatal(err)
			}
			if err := te.Pause(ctx, "pausable"); err != nil {
				t.Fatalf("second pause: %v", err)
			}
			if p, err := te.Paused(ctx); err != nil || len(p) != 1 || p[0].FunctionID != "pausable" {
				t.Fatalf("Paused = %v, %v", p, err)
			}
			var sent []string
			for i := range 3 {
				sent = append(sent, te.send(t, "shop/order.created", order{OrderID: fmt.Sprint("during-", i)}))
			}
			held := func() []runtime.RunInfo {
				var out []runtime.RunInfo
				for _, ev := range sent {
					runs, err := runList(te.Runs(ctx, runtime.RunFilter{FunctionID: "pausable", EventID: ev}))
					if err != nil || len(runs) != 1 {
						t.Fatalf("runs of event %s: %v, %v", ev, runs, err)
					}
					out = append(out, runs[0])
				}
				return out
			}
			deadline := time.Now().Add(10 * time.Second)
			for _, r := range held() {
				for te.await(t, r.ID, runtime.RunPaused, runtime.RunQueued).Status != runtime.RunPaused && time.Now().Before(deadline) {
					time.Sleep(5 * time.Millisecond)
				}
			}
			// The run that started before the pause goes on.
			te.advanceUntil(t, before, time.Hour, runtime.RunCompleted)
			// Other functions of the same event are not paused.
			for _, ev := range sent {
				runs, _ := runList(te.Runs(ctx, runtime.RunFilter{FunctionID: "other", EventID: ev}))
				if len(runs) != 1 {
					t.Fatalf("other function's runs of %s: %v", ev, runs)
				}
				te.await(t, runs[0].ID, runtime.RunCompleted)
			}
			if ran.Load() != 0 || napped.Load() != 1 {
				t.Fatalf("while paused: %d new runs executed, the sleeping one finished %d times; want 0 and 1", ran.Load(), napped.Load())
			}

			n, err := te.Resume(ctx, "pausable", runtime.ResumeOpts{SkipHeld: tc.skip})
			if err != nil || n != 3 {
				t.Fatalf("Resume = %d, %v; want 3 runs", n, err)
			}
			for _, r := range held() {
				info := te.await(t, r.ID, tc.wantStatus)
				if tc.skip && !strings.Contains(info.Error, "paused") {
					t.Errorf("skipped run's error %q does not say why", info.Error)
				}
			}
			if ran.Load() != tc.wantRuns {
				t.Errorf("%d held runs executed, want %d", ran.Load(), tc.wantRuns)
			}
			if tc.skip {
				for deadline := time.Now().Add(10 * time.Second); announced.Load() < 3 && time.Now().Before(deadline); {
					time.Sleep(5 * time.Millisecond)
				}
			}
			if want := 3 - tc.wantRuns; announced.Load() != want {
				t.Errorf("%d skips announced, want %d", announced.Load(), want)
			}
			if p, _ := te.Paused(ctx); len(p) != 0 {
				t.Errorf("Paused after resume = %v", p)
			}
			if n, err := te.Resume(ctx, "pausable", runtime.ResumeOpts{}); n != 0 || err != nil {
				t.Errorf("second Resume = %d, %v; want 0, nil", n, err)
			}
		})
	}
}

func TestPauseUnknownFunction(t *testing.T) {
	te := newEngine(t)
	for _, tc := range []struct {
		name string
		op   func() error
	}{
		{"pause", func() error { return te.Pause(context.Background(), "nope") }},
		{"resume", func() error { _, err := te.Resume(context.Background(), "nope", runtime.ResumeOpts{}); return err }},
	} {
		if err := tc.op(); !errors.Is(err, runtime.ErrFunctionNotFound) || !strings.Contains(err.Error(), `"nope"`) {
			t.Errorf("%s of an unknown function: %v, want ErrFunctionNotFound naming it", tc.name, err)
		}
	}
}

// TestBulkCancelAndRerun: the bulk operations touch the runs the filter
// selects (a CEL expression over the event among them), count them, and
// touch none a second time.
func TestBulkCancelAndRerun(t *testing.T) {
	ctx := context.Background()
	var started atomic.Int32
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "waiter"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			started.Add(1)
			_, err := step.WaitForEvent(ctx, "paid", paymentReceived, step.WaitOpts{Timeout: 24 * time.Hour, If: "async.data.order_id == event.data.order_id"})
			return nil, err
		})
	te := newEngine(t, fn)
	var ids []string
	for i := 1; i <= 5; i++ {
		te.send(t, "shop/order.created", order{OrderID: fmt.Sprint("o", i), Amount: i})
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		runs, err := runList(te.Runs(ctx, runtime.RunFilter{FunctionID: "waiter", Statuses: []runtime.RunStatus{runtime.RunWaiting}}))
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == 5 {
			for _, r := range runs {
				ids = append(ids, r.ID)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d runs waiting after 10s, want 5", len(runs))
		}
		time.Sleep(5 * time.Millisecond)
	}

	for _, tc := range []struct {
		name string
		op   func() (int, error)
		want int
	}{
		{"cancel the large orders", func() (int, error) {
			return te.CancelRuns(ctx, runtime.BulkFilter{FunctionID: "waiter", If: "event.data.amount > 2"})
		}, 3},
		{"cancel again", func() (int, error) {
			return te.CancelRuns(ctx, runtime.BulkFilter{FunctionID: "waiter", If: "event.data.amount > 2"})
		}, 0},
		{"rerun the cancelled", func() (int, error) {
			return te.RerunRuns(ctx, runtime.BulkFilter{FunctionID: "waiter", Statuses: []runtime.RunStatus{runtime.RunCancelled}})
		}, 3},
		{"rerun again", func() (int, error) {
			return te.RerunRuns(ctx, runtime.BulkFilter{FunctionID: "waiter", Statuses: []runtime.RunStatus{runtime.RunCancelled}})
		}, 0},
		{"cancel in a time range that holds none", func() (int, error) {
			return te.CancelRuns(ctx, runtime.BulkFilter{FunctionID: "waiter", Until: epoch.Add(-time.Hour)})
		}, 0},
		{"cancel everything waiting", func() (int, error) {
			return te.CancelRuns(ctx, runtime.BulkFilter{Statuses: []runtime.RunStatus{runtime.RunWaiting, runtime.RunQueued, runtime.RunRunning}})
		}, 5},
	} {
		got, err := tc.op()
		if err != nil || got != tc.want {
			t.Fatalf("%s: %d, %v; want %d", tc.name, got, err, tc.want)
		}
		if tc.name == "rerun the cancelled" {
			// The reruns start and wait again.
			page, _ := te.Runs(ctx, runtime.RunFilter{FunctionID: "waiter"})
			for _, r := range page.Runs {
				if r.RerunOf != "" {
					te.await(t, r.ID, runtime.RunWaiting)
				}
			}
		}
	}
	if n := started.Load(); n != 8 {
		t.Errorf("function started %d times, want 8 (5 runs, 3 reruns)", n)
	}
	for _, tc := range []struct {
		name string
		f    runtime.BulkFilter
		msg  string
	}{
		{"empty", runtime.BulkFilter{}, "BulkFilter is empty"},
		{"bad CEL", runtime.BulkFilter{FunctionID: "waiter", If: "event.data.amount >"}, "BulkFilter.If"},
		{"finished status", runtime.BulkFilter{Statuses: []runtime.RunStatus{runtime.RunCompleted}}, `BulkFilter.Statuses: "completed"`},
	} {
		if _, err := te.CancelRuns(ctx, tc.f); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("CancelRuns(%s) = %v, want an error with %q", tc.name, err, tc.msg)
		}
	}
	if _, err := te.RerunRuns(ctx, runtime.BulkFilter{Statuses: []runtime.RunStatus{runtime.RunWaiting}}); err == nil || !strings.Contains(err.Error(), `"waiting"`) {
		t.Errorf("RerunRuns of waiting runs = %v, want an error naming the status", err)
	}
}

// TestDelayedEvent: an event with a future timestamp starts its run at
// that time, not before, also after the engine restarts.
func TestDelayedEvent(t *testing.T) {
	ctx := context.Background()
	var ran atomic.Int32
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "later"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) { ran.Add(1); return nil, nil })
	te := newEngine(t, fn)
	at := epoch.Add(2 * time.Hour)
	if _, err := te.Send(ctx, runtime.Event{Name: "shop/order.created", Data: order{OrderID: "o1"}, TS: at.UnixMilli()}); err != nil {
		t.Fatal(err)
	}
	id := te.onlyRun(t, "later")
	for _, step := range []time.Duration{0, time.Hour, time.Hour - time.Second} {
		te.clock.Advance(step)
		time.Sleep(60 * time.Millisecond) // a few poll intervals
		if info, _ := te.Run(ctx, id); info.Status != runtime.RunQueued || ran.Load() != 0 {
			t.Fatalf("at %v: status %s, executed %d times; want queued, not executed", te.clock.Now().Sub(epoch), info.Status, ran.Load())
		}
	}
	// A restart keeps the delay.
	te.close()
	te = startEngine(t, te.path, te.clock, fn)
	time.Sleep(60 * time.Millisecond)
	if ran.Load() != 0 {
		t.Fatal("executed before its time after a restart")
	}
	te.clock.Advance(time.Second)
	info := te.await(t, id, runtime.RunCompleted)
	if !info.StartedAt.Equal(at) || ran.Load() != 1 {
		t.Errorf("started at %v (executed %d times), want at %v", info.StartedAt, ran.Load(), at)
	}
}

// TestRunsPages: following Next lists every run the filter selects once,
// newest first; the filters and their errors.
func TestRunsPages(t *testing.T) {
	ctx := context.Background()
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "listed"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) { return nil, nil })
	te := newEngine(t, fn)
	var events []string
	for i := range 25 {
		events = append(events, te.send(t, "shop/order.created", order{OrderID: fmt.Sprint("o", i), Amount: i}))
		if i == 9 {
			te.clock.Advance(time.Minute)
		}
	}
	all := func(f runtime.RunFilter) []string {
		t.Helper()
		var out []string
		for pages := 0; ; pages++ {
			if pages > 30 {
				t.Fatal("more pages than runs")
			}
			page, err := te.Runs(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Runs {
				out = append(out, r.ID)
			}
			if page.Next == "" {
				return out
			}
			f.Cursor = page.Next
		}
	}
	everything := all(runtime.RunFilter{Limit: 100})
	if len(everything) != 25 {
		t.Fatalf("%d runs, want 25", len(everything))
	}
	for _, tc := range []struct {
		name string
		f    runtime.RunFilter
		want int
	}{
		{"pages of 7", runtime.RunFilter{Limit: 7}, 25},
		{"pages of 1", runtime.RunFilter{Limit: 1}, 25},
		{"pages of 25", runtime.RunFilter{Limit: 25}, 25},
		{"CEL, pages of 4", runtime.RunFilter{If: "int(event.data.amount) % 2 == 0", Limit: 4}, 13},
		{"CEL, missing field matches none", runtime.RunFilter{If: "event.data.nope == 1"}, 0},
		{"since", runtime.RunFilter{Since: epoch.Add(time.Minute), Limit: 4}, 15},
		{"until", runtime.RunFilter{Until: epoch.Add(time.Minute), Limit: 4}, 10},
		{"until beyond the stored range", runtime.RunFilter{Until: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), Limit: 9}, 25},
		{"since beyond the stored range", runtime.RunFilter{Since: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}, 0},
		{"since before the stored range", runtime.RunFilter{Since: time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), Limit: 9}, 25},
		{"until before the stored range", runtime.RunFilter{Until: time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)}, 0},
		{"event", runtime.RunFilter{EventID: events[3]}, 1},
		{"function and status", runtime.RunFilter{FunctionID: "listed", Statuses: []runtime.RunStatus{runtime.RunCompleted, runtime.RunQueued, runtime.RunRunning}, Limit: 6}, 25},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := all(tc.f)
			if len(got) != tc.want {
				t.Fatalf("%d runs, want %d", len(got), tc.want)
			}
			// Newest first, each once: a subsequence of the whole listing.
			i := 0
			for _, id := range got {
				j := slices.Index(everything[i:], id)
				if j < 0 {
					t.Fatalf("run %s out of order or repeated in %v", id, got)
				}
				i += j + 1
			}
		})
	}
	for _, tc := range []struct {
		name string
		f    runtime.RunFilter
		msg  string
	}{
		{"bad cursor", runtime.RunFilter{Cursor: "not-a-cursor"}, "RunFilter.Cursor"},
		{"bad CEL", runtime.RunFilter{If: "event.data.("}, "RunFilter.If"},
		{"unknown status", runtime.RunFilter{Statuses: []runtime.RunStatus{"done"}}, `unknown status "done"`},
	} {
		if _, err := te.Runs(ctx, tc.f); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: Runs = %v, want an error with %q", tc.name, err, tc.msg)
		}
	}
}

// TestRunLineageInvoked: Run lists the runs a run invoked.
func TestRunLineageInvoked(t *testing.T) {
	double := runtime.NewFunction(runtime.FunctionOpts{ID: "double"}, runtime.EventTrigger("math/double.requested", ""),
		func(ctx context.Context, in runtime.Input[struct{ N int }]) (any, error) {
			return in.Event.Data.N * 2, nil
		})
	parent := runtime.NewFunction(runtime.FunctionOpts{ID: "parent"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			a, err := step.Invoke[int](ctx, "one", double, step.InvokeOpts{Data: map[string]int{"N": 1}, Timeout: time.Hour})
			if err != nil {
				return nil, err
			}
			b, err := step.Invoke[int](ctx, "two", double, step.InvokeOpts{Data: map[string]int{"N": 2}, Timeout: time.Hour})
			return a + b, err
		})
	te := newEngine(t, parent, double)
	te.send(t, "shop/order.created", order{OrderID: "o1"})
	info := te.await(t, te.onlyRun(t, "parent"), runtime.RunCompleted)
	if len(info.Invoked) != 2 {
		t.Fatalf("Invoked = %v, want 2 runs", info.Invoked)
	}
	for i, id := range info.Invoked {
		child, err := te.Run(context.Background(), id)
		if err != nil || child.ParentRunID != info.ID || child.FunctionID != "double" {
			t.Errorf("invoked run %d: %+v, %v", i, child, err)
		}
	}
}

// TestRerunFromParallelStep: rerunning from a step of a parallel branch,
// or from the step after the Parallel, keeps the steps recorded before it
// in every branch and replays without a non-determinism error.
func TestRerunFromParallelStep(t *testing.T) {
	for _, tc := range []struct {
		from string
		// keptAtLeast lists steps that must not execute again; the others
		// recorded before from in the journal (branches race) must not
		// either.
		keptAtLeast []string
	}{
		{from: "z", keptAtLeast: []string{"a1", "a2", "b1", "b2"}},
		{from: "a2", keptAtLeast: []string{"a1"}},
		{from: "b1"},
	} {
		t.Run(tc.from, func(t *testing.T) {
			var mu sync.Mutex
			ran := map[string]int{}
			effect := func(ctx context.Context, id string) (int, error) {
				return step.Run(ctx, id, func(ctx context.Context) (int, error) {
					mu.Lock()
					defer mu.Unlock()
					ran[id]++
					return len(id), nil
				})
			}
			branch := func(name string) func(ctx context.Context) (int, error) {
				return func(ctx context.Context) (int, error) {
					x, err := effect(ctx, name+"1")
					if err != nil {
						return 0, err
					}
					y, err := effect(ctx, name+"2")
					return x + y, err
				}
			}
			fn := runtime.NewFunction(runtime.FunctionOpts{ID: "par"}, orderCreated.Trigger(),
				func(ctx context.Context, in runtime.Input[order]) (any, error) {
					sums, err := step.Parallel(ctx, branch("a"), branch("b"))
					if err != nil {
						return nil, err
					}
					z, err := effect(ctx, "z")
					return sums[0] + sums[1] + z, err
				})
			te := newEngine(t, fn)
			te.send(t, "shop/order.created", order{OrderID: "o1"})
			old := te.await(t, te.onlyRun(t, "par"), runtime.RunCompleted)
			kept := slices.Clone(tc.keptAtLeast)
			for _, s := range old.Steps {
				if s.ID == tc.from {
					break
				}
				kept = append(kept, s.ID)
			}
			id, err := te.Rerun(context.Background(), old.ID, runtime.RerunOpts{FromStep: tc.from})
			if err != nil {
				t.Fatal(err)
			}
			info := te.await(t, id, runtime.RunCompleted, runtime.RunFailed)
			if info.Status != runtime.RunCompleted || string(info.Output) != "9" {
				t.Fatalf("rerun: %s, output %s, error %q; want completed with 9", info.Status, info.Output, info.Error)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, s := range []string{"a1", "a2", "b1", "b2", "z"} {
				want := 2
				if slices.Contains(kept, s) {
					want = 1
				}
				if ran[s] != want {
					t.Errorf("step %s executed %d times, want %d", s, ran[s], want)
				}
			}
		})
	}
}
