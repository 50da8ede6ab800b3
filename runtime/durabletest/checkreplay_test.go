package durabletest_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/durabletest"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

// shipping is the function "ship" with its first step named first.
func shipping(first string) *runtime.Function {
	return runtime.NewFunction(runtime.FunctionOpts{ID: "ship"}, runtime.EventTrigger("shop/order.created", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			if _, err := step.Run(ctx, first, func(context.Context) (int, error) { return 1, nil }); err != nil {
				return nil, err
			}
			return nil, step.Sleep(ctx, "pause", time.Hour)
		})
}

func TestCheckReplay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prod.db")
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{shipping("reserve")}, PollInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	ids, err := eng.Send(ctx, runtime.Event{Name: "shop/order.created", Data: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		page, err := eng.Runs(ctx, runtime.RunFilter{Statuses: []runtime.RunStatus{runtime.RunSleeping}})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Runs) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run of event %s does not sleep", ids[0])
		}
	}
	if err := eng.Stop(ctx); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		first string
		want  []string
	}{
		{"same code", "reserve", nil},
		{"renamed first step", "reserve-stock", []string{`of function "ship" (sleeping) would fail on this code: its journal has step "reserve" where the code now reaches step "reserve-stock"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var report runtime.ReplayReport
			r := capture(t, func(tb testing.TB) {
				report = durabletest.CheckReplay(tb, runtime.Options{Store: st, Functions: []*runtime.Function{shipping(tt.first)}})
			})
			if report.Checked != 1 {
				t.Errorf("checked %d runs, want 1", report.Checked)
			}
			if tt.want == nil {
				if r.Failed() {
					t.Errorf("unchanged code failed: %s", r.all())
				}
				return
			}
			r.want(t, tt.want...)
		})
	}
}
