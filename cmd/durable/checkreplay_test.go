package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/durable-go/durable/internal/testmod"
	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

// checkReplayApp is an app whose function's code has several shapes, chosen
// by a flag, so that one build stands for the code before and after a change.
const checkReplayApp = `package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

func named(ctx context.Context, id string) (string, error) {
	return step.Run(ctx, id, func(context.Context) (string, error) { return id, nil })
}

func main() {
	db := flag.String("db", "", "SQLite file")
	shape := flag.String("shape", "old", "old, changed, gated, serve or nostart")
	flag.Parse()
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "ship-order"}, runtime.EventTrigger("shop/order.created", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			v := 0
			switch *shape {
			case "changed":
				if _, err := named(ctx, "z"); err != nil {
					return nil, err
				}
			case "gated", "serve":
				var err error
				if v, err = step.Version(ctx, "add-z", 1); err != nil {
					return nil, err
				}
				if v >= 1 {
					if _, err := named(ctx, "z"); err != nil {
						return nil, err
					}
				}
			}
			if _, err := named(ctx, "a"); err != nil {
				return nil, err
			}
			if err := step.Sleep(ctx, "pause", time.Hour); err != nil {
				return nil, err
			}
			return named(ctx, "b")
		})
	st, err := sqlite.Open(*db)
	if err != nil {
		fmt.Fprintln(os.Stderr, "app:", err)
		os.Exit(1)
	}
	defer st.Close()
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{fn}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "app:", err)
		os.Exit(1)
	}
	if *shape == "nostart" {
		fmt.Println("app: serving without an engine")
		return
	}
	if err := eng.Start(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "app:", err)
		if *shape == "serve" {
			select {} // an app that goes on serving whatever Start said
		}
		os.Exit(1)
	}
	eng.Stop(context.Background())
}
`

// seedSleepingRuns leaves two runs of ship-order, in its old shape,
// sleeping in a new SQLite file.
func seedSleepingRuns(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app.db")
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	named := func(ctx context.Context, id string) (string, error) {
		return step.Run(ctx, id, func(context.Context) (string, error) { return id, nil })
	}
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "ship-order"}, runtime.EventTrigger("shop/order.created", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			if _, err := named(ctx, "a"); err != nil {
				return nil, err
			}
			if err := step.Sleep(ctx, "pause", time.Hour); err != nil {
				return nil, err
			}
			return named(ctx, "b")
		})
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{fn}, PollInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer eng.Stop(ctx)
	if _, err := eng.Send(ctx, runtime.Event{Name: "shop/order.created", Data: map[string]any{"n": 1}}, runtime.Event{Name: "shop/order.created", Data: map[string]any{"n": 2}}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		page, err := eng.Runs(ctx, runtime.RunFilter{Statuses: []runtime.RunStatus{runtime.RunSleeping}})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Runs) == 2 {
			return path
		}
		if time.Now().After(deadline) {
			t.Fatalf("runs not sleeping after 10s: %+v", page.Runs)
		}
	}
}

// TestCheckReplayEndToEnd builds an app in a temporary module and checks
// the runs a previous shape of its code left sleeping.
func TestCheckReplayEndToEnd(t *testing.T) {
	if os.Getenv("DURABLE_SLOW_TESTS") != "1" {
		t.Skip("builds an app: set DURABLE_SLOW_TESTS=1")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := testmod.Write(t, root, "example.com/app", map[string]string{"cmd/app/main.go": checkReplayApp})
	db := seedSleepingRuns(t)
	t.Chdir(dir)
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOWORK", "off")

	tests := []struct {
		shape    string
		args     []string
		wantCode int
		want     []string // in stdout (stderr for code 2)
	}{
		{shape: "old", wantCode: 0, want: []string{"2 run(s) in flight checked: every one replays on this code"}},
		{shape: "gated", wantCode: 0, want: []string{"2 run(s) in flight checked: every one replays on this code"}},
		{shape: "changed", wantCode: 1, want: []string{
			"2 run(s) in flight checked: 2 would fail on this code",
			`ship-order  RUNID  sleeping  its journal has step "a" where the code now reaches step "z"`,
			"Gate the change with step.Version"}},
		{shape: "changed", args: []string{"--json"}, wantCode: 1, want: []string{`"expected": "\"a\""`, `"actual": "\"z\""`, `"checked": 2`}},
		{shape: "serve", wantCode: 0, want: []string{"2 run(s) in flight checked: every one replays on this code"}},
		{shape: "nostart", wantCode: 2, want: []string{"./cmd/app exited (status 0) without checking", "app: serving without an engine"}},
	}
	runID := regexp.MustCompile(`[0-9A-Z]{26}`)
	for _, tt := range tests {
		t.Run(tt.shape+strings.Join(tt.args, ""), func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append(append([]string{"check-replay"}, tt.args...), "./cmd/app", "--", "-db", db, "-shape", tt.shape)
			code := dispatch(context.Background(), args, &out, &errb)
			text := runID.ReplaceAllString(out.String(), "RUNID")
			if code == 2 {
				text = errb.String()
			}
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out.String(), errb.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("output lacks %q:\n%s", w, text)
				}
			}
			if len(tt.args) > 0 {
				var r runtime.ReplayReport
				if err := json.Unmarshal(out.Bytes(), &r); err != nil || len(r.Failures) != 2 || r.Failures[0].FunctionID != "ship-order" {
					t.Errorf("JSON report %+v, %v", r, err)
				}
			}
		})
	}
}

func TestCheckReplayUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "the app's main package is required"},
		{[]string{"./cmd/app", "-db"}, `unexpected argument "-db"; give the app's arguments after --`},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		if code := dispatch(context.Background(), append([]string{"check-replay"}, tt.args...), &out, &errb); code != 2 || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2, %q", tt.args, code, errb.String(), tt.want)
		}
	}
}
