package runtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/internal/vclock"
	"github.com/durable-go/durable/runtime/step"
)

// body is one shape of a function's code.
type body func(ctx context.Context) (any, error)

func stepNamed(ctx context.Context, id string) (string, error) {
	return step.Run(ctx, id, func(context.Context) (string, error) { return id, nil })
}

func sleepThen(ctx context.Context, ids ...string) (any, error) {
	if _, err := stepNamed(ctx, "a"); err != nil {
		return nil, err
	}
	if err := step.Sleep(ctx, "pause", time.Hour); err != nil {
		return nil, err
	}
	var last string
	for _, id := range ids {
		var err error
		if last, err = stepNamed(ctx, id); err != nil {
			return nil, err
		}
	}
	return last, nil
}

// gated branches on the change "use-c": c in its new shape, b in its old.
func gated(ctx context.Context, max int) (any, error) {
	v, err := step.Version(ctx, "use-c", max)
	if err != nil {
		return nil, err
	}
	if v >= 1 {
		return stepNamed(ctx, "c")
	}
	return stepNamed(ctx, "b")
}

var (
	// The code before the change: a, sleep, b.
	oldShape body = func(ctx context.Context) (any, error) { return sleepThen(ctx, "b") }
	// The change gated where the run in flight already passed: before a.
	gateFirst body = func(ctx context.Context) (any, error) {
		v, err := step.Version(ctx, "use-c", 1)
		if err != nil {
			return nil, err
		}
		if v >= 1 {
			return sleepThen(ctx, "c")
		}
		return sleepThen(ctx, "b")
	}
	// The change gated where the run in flight has not been yet.
	gateAfterSleep body = func(ctx context.Context) (any, error) {
		if _, err := stepNamed(ctx, "a"); err != nil {
			return nil, err
		}
		if err := step.Sleep(ctx, "pause", time.Hour); err != nil {
			return nil, err
		}
		return gated(ctx, 1)
	}
	// The change, its gate removed once no old run remained.
	newShape body = func(ctx context.Context) (any, error) { return sleepThen(ctx, "c") }
	// The change changed again, for version 2: the gate records 2.
	gateFirst2 body = func(ctx context.Context) (any, error) {
		v, err := step.Version(ctx, "use-c", 2)
		if err != nil {
			return nil, err
		}
		if v >= 1 {
			return sleepThen(ctx, "c")
		}
		return sleepThen(ctx, "b")
	}
	// A change to a step the run in flight passed, not gated.
	changed body = func(ctx context.Context) (any, error) {
		if _, err := stepNamed(ctx, "z"); err != nil {
			return nil, err
		}
		return sleepThen(ctx, "b")
	}
)

// TestVersion starts a run under one shape of the code, lets it sleep,
// swaps the code, and checks which path the run takes when it resumes.
func TestVersion(t *testing.T) {
	tests := []struct {
		name           string
		before, after  body
		wantOutput     string
		wantSteps      string // ID:output of each step
		wantError      string // for a failed run
		wantReplayFail bool   // CheckReplayAll, with the code after, reports the sleeping run
	}{
		{name: "a run recorded before the change gets 0 and keeps the old path",
			before: oldShape, after: gateFirst, wantOutput: "b", wantSteps: "a:a pause: b:b"},
		{name: "a run reaching the gate past its journal records max and takes the new path",
			before: oldShape, after: gateAfterSleep, wantOutput: "c", wantSteps: "a:a pause: use-c:1 c:c"},
		{name: "a new run records max",
			before: gateFirst, after: gateFirst, wantOutput: "c", wantSteps: "use-c:1 a:a pause: c:c"},
		{name: "a recorded version below the new max keeps its value",
			before: gateFirst, after: gateFirst2, wantOutput: "c", wantSteps: "use-c:1 a:a pause: c:c"},
		{name: "a removed gate's recorded step is skipped",
			before: gateFirst, after: newShape, wantOutput: "c", wantSteps: "use-c:1 a:a pause: c:c"},
		{name: "a recorded version above max fails the run",
			before: gateFirst2, after: gateFirst, wantError: `replay expected step "use-c" at version 2 or above but the function reached step "use-c" with at most version 1`, wantReplayFail: true},
		{name: "an ungated change fails the run",
			before: oldShape, after: changed, wantError: `non-determinism: replay expected step "a" but the function reached step "z"`, wantReplayFail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var code atomic.Pointer[body]
			code.Store(&tt.before)
			fn := runtime.NewFunction(runtime.FunctionOpts{ID: "versioned", Retries: runtime.Retries(0)}, orderCreated.Trigger(),
				func(ctx context.Context, in runtime.Input[order]) (any, error) { return (*code.Load())(ctx) })
			te := newEngine(t, fn)
			te.send(t, "shop/order.created", order{OrderID: "o1"})
			id := te.onlyRun(t, "versioned")
			te.await(t, id, runtime.RunSleeping)
			code.Store(&tt.after)

			report, err := te.CheckReplayAll(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if report.Checked != 1 || (len(report.Failures) == 1) != tt.wantReplayFail {
				t.Errorf("CheckReplayAll = %+v; want 1 run checked, a failure: %v", report, tt.wantReplayFail)
			}

			info := te.advanceUntil(t, id, 30*time.Minute, runtime.RunCompleted, runtime.RunFailed)
			if tt.wantError != "" {
				if info.Status != runtime.RunFailed || !strings.Contains(info.Error, tt.wantError) {
					t.Errorf("status %s, error %q; want failed with %q", info.Status, info.Error, tt.wantError)
				}
				return
			}
			var steps []string
			for _, s := range info.Steps {
				steps = append(steps, s.ID+":"+strings.Trim(string(s.Output), `"`))
			}
			if info.Status != runtime.RunCompleted || string(info.Output) != `"`+tt.wantOutput+`"` || strings.Join(steps, " ") != tt.wantSteps {
				t.Errorf("status %s (%q), output %s, steps %q; want %q, %q", info.Status, info.Error, info.Output, strings.Join(steps, " "), tt.wantOutput, tt.wantSteps)
			}
		})
	}
}

func TestVersionNeedsAPositiveMax(t *testing.T) {
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "bad-version"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) { return step.Version(ctx, "change", 0) })
	te := newEngine(t, fn)
	te.send(t, "shop/order.created", order{})
	info := te.await(t, te.onlyRun(t, "bad-version"), runtime.RunFailed)
	if want := `step "change": Version max is 0; it must be 1 or more`; !strings.Contains(info.Error, want) {
		t.Errorf("error %q, want %q", info.Error, want)
	}
}

var orderShipped = runtime.NewEventType[order]("shop/order.shipped", "1", nil)

// TestCheckReplayAll checks the runs in flight of a store against new code
// in an engine that never starts, as durable check-replay does.
func TestCheckReplayAll(t *testing.T) {
	path := t.TempDir() + "/app.db"
	var old atomic.Pointer[body]
	old.Store(&oldShape)
	v1 := runtime.NewFunction(runtime.FunctionOpts{ID: "versioned"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) { return (*old.Load())(ctx) })
	other := runtime.NewFunction(runtime.FunctionOpts{ID: "other"}, paymentReceived.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) { return sleepThen(ctx, "b") })
	quick := runtime.NewFunction(runtime.FunctionOpts{ID: "quick"}, orderShipped.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) { return stepNamed(ctx, "a") })
	te := startEngine(t, path, vclock.New(epoch), v1, other, quick)
	te.send(t, "shop/order.created", order{OrderID: "o1"})
	te.send(t, "shop/order.created", order{OrderID: "o2"})
	te.send(t, "shop/payment.received", order{OrderID: "o3"})
	sleeping, err := te.Runs(context.Background(), runtime.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sleeping.Runs {
		te.await(t, r.ID, runtime.RunSleeping)
	}
	// A finished run is not checked: it will not resume (and the checking
	// engine does not have its function).
	te.send(t, "shop/order.shipped", order{OrderID: "done"})
	te.await(t, newestRun(t, te, "quick"), runtime.RunCompleted)
	te.close()
	defer runtime.SetReplayPage(2)() // three runs to check: two pages

	tests := []struct {
		name    string
		code    body
		fns     []string
		want    []string // run statuses: function, expected, actual
		wantErr string
	}{
		{name: "gated change", code: gateFirst, fns: []string{"versioned", "other"}},
		{name: "ungated change", code: changed, fns: []string{"versioned", "other"},
			want: []string{`versioned "a" "z"`, `versioned "a" "z"`}},
		{name: "a function the code no longer has", code: oldShape, fns: []string{"versioned"},
			want: []string{`other  `}, wantErr: `function "other" is not registered with this engine`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fns []*runtime.Function
			for _, id := range tt.fns {
				trigger, code := orderCreated.Trigger(), tt.code
				if id == "other" {
					trigger, code = paymentReceived.Trigger(), oldShape
				}
				fns = append(fns, runtime.NewFunction(runtime.FunctionOpts{ID: id}, trigger,
					func(ctx context.Context, in runtime.Input[order]) (any, error) { return code(ctx) }))
			}
			st := openStore(t, path)
			defer st.Close()
			eng, err := runtime.New(runtime.Options{Store: st, Functions: fns})
			if err != nil {
				t.Fatal(err)
			}
			report, err := eng.CheckReplayAll(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range report.Failures {
				got = append(got, f.FunctionID+" "+f.Expected+" "+f.Actual)
				if f.Status != runtime.RunSleeping || f.RunID == "" || !strings.Contains(f.Error, tt.wantErr) {
					t.Errorf("failure %+v; want a sleeping run, error with %q", f, tt.wantErr)
				}
			}
			if report.Checked != 3 || strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("checked %d, failures %q; want 3, %q", report.Checked, got, tt.want)
			}
		})
	}
}

func newestRun(t *testing.T, te *testEngine, fnID string) string {
	t.Helper()
	page, err := te.Runs(context.Background(), runtime.RunFilter{FunctionID: fnID, Limit: 1})
	if err != nil || len(page.Runs) == 0 {
		t.Fatalf("runs of %s: %v, %v", fnID, page, err)
	}
	return page.Runs[0].ID
}

// TestStartChecksReplayWhenAsked: with CheckReplayEnv set, Start writes the
// report of CheckReplayAll there and starts nothing.
func TestStartChecksReplayWhenAsked(t *testing.T) {
	path := t.TempDir() + "/app.db"
	te := startEngine(t, path, vclock.New(epoch), runtime.NewFunction(runtime.FunctionOpts{ID: "versioned"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) { return oldShape(ctx) }))
	te.send(t, "shop/order.created", order{OrderID: "o1"})
	te.await(t, te.onlyRun(t, "versioned"), runtime.RunSleeping)
	te.close()

	report := filepath.Join(t.TempDir(), "report.json")
	t.Setenv(runtime.CheckReplayEnv, report)
	st := openStore(t, path)
	defer st.Close()
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{runtime.NewFunction(runtime.FunctionOpts{ID: "versioned"}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) { return changed(ctx) })}})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(context.Background()); !errors.Is(err, runtime.ErrReplayChecked) {
		t.Fatalf("Start = %v, want ErrReplayChecked", err)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var got runtime.ReplayReport
	if err := json.Unmarshal(data, &got); err != nil || got.Checked != 1 || len(got.Failures) != 1 || got.Failures[0].Expected != `"a"` || got.Failures[0].Actual != `"z"` {
		t.Errorf("report %s (%v)", data, err)
	}
	if err := eng.Stop(context.Background()); err != nil {
		t.Errorf("Stop after a replay check: %v", err)
	}
}
