package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

// TestPGPauseAndDelayAcrossEngines: on PostgreSQL, a pause made by one
// engine holds the runs of events another engine receives, a resume by
// that one starts them, and a delayed event starts its run at its time
// whichever engine claims it.
func TestPGPauseAndDelayAcrossEngines(t *testing.T) {
	schema := pgSchema(t)
	ctx := context.Background()
	var ran atomic.Int32
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "pg-ops"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			return step.Run(ctx, "work", func(ctx context.Context) (int32, error) { return ran.Add(1), nil })
		})
	var engines []*runtime.Engine
	for range 2 {
		eng, err := runtime.New(runtime.Options{Store: openPG(t, schema), Functions: []*runtime.Function{fn}, PollInterval: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := eng.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { eng.Stop(ctx) })
		engines = append(engines, eng)
	}
	a, b := engines[0], engines[1]
	statuses := func() map[runtime.RunStatus]int {
		page, err := b.Runs(ctx, runtime.RunFilter{FunctionID: "pg-ops"})
		if err != nil {
			t.Fatal(err)
		}
		out := map[runtime.RunStatus]int{}
		for _, r := range page.Runs {
			out[r.Status]++
		}
		return out
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !ok(); {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not after 10s (runs %v, %d executed)", what, statuses(), ran.Load())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	if err := a.Pause(ctx, "pg-ops"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := b.Send(ctx, runtime.Event{Name: "shop/order.created", Data: order{OrderID: "o"}}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor("3 runs held", func() bool { return statuses()[runtime.RunPaused] == 3 })
	if n := ran.Load(); n != 0 {
		t.Fatalf("%d runs executed while paused", n)
	}
	if n, err := b.Resume(ctx, "pg-ops", runtime.ResumeOpts{}); err != nil || n != 3 {
		t.Fatalf("Resume = %d, %v; want 3", n, err)
	}
	waitFor("3 runs completed", func() bool { return statuses()[runtime.RunCompleted] == 3 })

	at := time.Now().Add(1500 * time.Millisecond)
	ids, err := a.Send(ctx, runtime.Event{Name: "shop/order.created", Data: order{OrderID: "later"}, TS: at.UnixMilli()})
	if err != nil {
		t.Fatal(err)
	}
	page, err := b.Runs(ctx, runtime.RunFilter{EventID: ids[0]})
	if err != nil || len(page.Runs) != 1 {
		t.Fatalf("runs of the delayed event: %v, %v", page.Runs, err)
	}
	id := page.Runs[0].ID
	time.Sleep(700 * time.Millisecond)
	if info, _ := b.Run(ctx, id); info.Status != runtime.RunQueued {
		t.Fatalf("delayed run before its time: %s, want queued", info.Status)
	}
	waitFor("the delayed run completed", func() bool { info, _ := b.Run(ctx, id); return info.Status == runtime.RunCompleted })
	if info, _ := b.Run(ctx, id); info.StartedAt.Before(at.Truncate(time.Millisecond)) {
		t.Errorf("delayed run started at %v, before its time %v", info.StartedAt, at)
	}
}

// TestPGConcurrentBulkRerun: two engines rerunning the same failed runs at
// once rerun each exactly once between them.
func TestPGConcurrentBulkRerun(t *testing.T) {
	schema := pgSchema(t)
	ctx := context.Background()
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "pg-fails", Retries: runtime.Retries(0)}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			return nil, runtime.NonRetriable(errors.New("broken"))
		})
	var engines []*runtime.Engine
	for range 2 {
		// Not started: the reruns stay queued, so that nothing but the
		// bulk operations changes the runs.
		eng, err := runtime.New(runtime.Options{Store: openPG(t, schema), Functions: []*runtime.Function{fn}})
		if err != nil {
			t.Fatal(err)
		}
		engines = append(engines, eng)
	}
	worker, err := runtime.New(runtime.Options{Store: openPG(t, schema), Functions: []*runtime.Function{fn}, PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := worker.Start(ctx); err != nil {
		t.Fatal(err)
	}
	const n = 40
	for i := range n {
		if _, err := worker.Send(ctx, runtime.Event{Name: "shop/order.created", Data: order{OrderID: fmt.Sprint(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	failed := func() int {
		page, err := worker.Runs(ctx, runtime.RunFilter{FunctionID: "pg-fails", Statuses: []runtime.RunStatus{runtime.RunFailed}, Limit: 2 * n})
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Runs)
	}
	for deadline := time.Now().Add(10 * time.Second); failed() < n; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d runs failed after 10s", failed(), n)
		}
	}
	if err := worker.Stop(ctx); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	counts := make([]int, len(engines))
	for i, eng := range engines {
		wg.Go(func() {
			var err error
			counts[i], err = eng.RerunRuns(ctx, runtime.BulkFilter{FunctionID: "pg-fails", Statuses: []runtime.RunStatus{runtime.RunFailed}})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if counts[0]+counts[1] != n {
		t.Errorf("the two bulk reruns reran %d and %d runs, want %d in all", counts[0], counts[1], n)
	}
	page, err := engines[0].Runs(ctx, runtime.RunFilter{FunctionID: "pg-fails", Limit: 3 * n})
	if err != nil {
		t.Fatal(err)
	}
	reruns := map[string]int{}
	for _, r := range page.Runs {
		if r.RerunOf != "" {
			reruns[r.RerunOf]++
		}
	}
	if len(page.Runs) != 2*n || len(reruns) != n {
		t.Errorf("%d runs, %d of them rerun; want %d runs, each of the %d failed ones rerun", len(page.Runs), len(reruns), 2*n, n)
	}
	for id, k := range reruns {
		if k != 1 {
			t.Errorf("run %s rerun %d times", id, k)
		}
	}
	t.Logf("the bulk reruns reran %d and %d runs", counts[0], counts[1])
}
