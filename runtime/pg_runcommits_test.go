package runtime_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/storetest"
)

// TestPGRunCommitsBatched: on PostgreSQL, executions of many runs commit
// their step results, starts and ends together (store.RunCommitter); every
// run ends completed with each step recorded once, and some commits carry
// several runs.
func TestPGRunCommitsBatched(t *testing.T) {
	st := openPG(t, pgSchema(t))
	largest := storetest.LargestCommit(st)
	steps := []string{"reserve", "charge", "ship"}
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "order"}, runtime.EventTrigger("test/order", ""),
		func(ctx context.Context, in runtime.Input[map[string]int]) (any, error) {
			for _, id := range steps {
				if _, err := step.Run(ctx, id, func(ctx context.Context) (string, error) { return fmt.Sprint(id, in.Event.Data["i"]), nil }); err != nil {
					return nil, err
				}
			}
			return in.Event.Data["i"], nil
		})
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{fn}, Workers: 64})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer eng.Stop(ctx)
	const n = 200
	var sent sync.WaitGroup
	for i := range n {
		sent.Go(func() {
			if _, err := eng.Send(ctx, runtime.Event{Name: "test/order", Data: map[string]int{"i": i}}); err != nil {
				t.Error(err)
			}
		})
	}
	sent.Wait()
	deadline := time.Now().Add(60 * time.Second)
	var runs []runtime.RunInfo
	for {
		page, err := eng.Runs(ctx, runtime.RunFilter{FunctionID: "order", Statuses: []runtime.RunStatus{runtime.RunCompleted}, Limit: n + 1})
		if err != nil {
			t.Fatal(err)
		}
		if runs = page.Runs; len(runs) == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d runs completed within 60 s", len(runs), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, r := range runs {
		ri, err := eng.Run(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var i int
		fmt.Sscan(string(ri.Output), &i)
		if ri.StartedAt.IsZero() || ri.EndedAt.Before(ri.StartedAt) {
			t.Errorf("run %s: started %v, ended %v", r.ID, ri.StartedAt, ri.EndedAt)
		}
		if len(ri.Steps) != len(steps) {
			t.Fatalf("run %s has %d steps, want %d", r.ID, len(ri.Steps), len(steps))
		}
		for k, s := range ri.Steps {
			if want := fmt.Sprintf("%q", fmt.Sprint(steps[k], i)); s.ID != steps[k] || s.Status != runtime.StepCompleted || s.Attempts != 1 || string(s.Output) != want {
				t.Errorf("run %s step %d: %s %s attempts %d output %s; want %s completed attempts 1 output %s", r.ID, k, s.ID, s.Status, s.Attempts, s.Output, steps[k], want)
			}
		}
	}
	if most := largest(); most < 2 {
		t.Errorf("no commit carried more than one run (largest: %d) with 64 runs in flight", most)
	}
}

// TestPGRunCommitsFenced: a run cancelled between two steps commits
// nothing more through the batch: the next step never runs, the run stays
// cancelled, and the first step's result, which went with the commit that
// was refused, is not recorded.
func TestPGRunCommitsFenced(t *testing.T) {
	st := openPG(t, pgSchema(t))
	between := make(chan string, 1)
	resume := make(chan struct{})
	// handlerDone is closed when the function body returns or is stopped
	// (deferred functions run either way): by then the second step ran,
	// or never will in this execution.
	handlerDone := make(chan struct{})
	var secondRan atomic.Bool
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "fenced"}, runtime.EventTrigger("test/fenced", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			defer close(handlerDone)
			if _, err := step.Run(ctx, "first", func(ctx context.Context) (int, error) { return 1, nil }); err != nil {
				return nil, err
			}
			between <- in.RunID
			<-resume
			if _, err := step.Run(ctx, "second", func(ctx context.Context) (int, error) { secondRan.Store(true); return 2, nil }); err != nil {
				return nil, err
			}
			return nil, nil
		})
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{fn}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer eng.Stop(ctx)
	if _, err := eng.Send(ctx, runtime.Event{Name: "test/fenced", Data: map[string]any{}}); err != nil {
		t.Fatal(err)
	}
	runID := <-between
	if err := eng.Cancel(ctx, runID); err != nil {
		t.Fatal(err)
	}
	close(resume)
	select {
	case <-handlerDone:
	case <-time.After(30 * time.Second):
		t.Fatal("the function did not return within 30 s of the cancel")
	}
	if secondRan.Load() {
		t.Error("the step after the cancel ran")
	}
	ri, err := eng.Run(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	if ri.Status != runtime.RunCancelled {
		t.Errorf("run is %s, want cancelled", ri.Status)
	}
	for _, s := range ri.Steps {
		if s.Status == runtime.StepCompleted {
			t.Errorf("step %s recorded completed after the run was cancelled", s.ID)
		}
	}
}
