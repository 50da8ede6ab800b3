package runtime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

// The operations crash test runs bulk reruns and bulk cancels in a child
// process that is SIGKILLed at random moments and restarted, as the crash
// test does: a run is rerun once and only once, no rerun is lost, every
// run selected is cancelled, and the side effects of reruns keep the
// crash test's bounds.
const (
	opsCrashEnv       = "DURABLE_OPS_CRASH_CHILD" // "<db path>\n<ledger path>\n<generation>\n<final: 0|1>"
	opsCrashRunEvent  = "opscrash/run.requested"
	opsCrashHoldEvent = "opscrash/hold.requested"
	opsCrashRuns      = 60 // runs of the rerun workload
	opsCrashHolds     = 30 // runs of the cancel workload
	opsCrashKills     = 10
	opsCrashSteps     = 3
)

var opsCrashNever = runtime.NewEventType[struct{}]("opscrash/never", "", nil)

// opsCrashFunctions: "ops-rerun" runs s1..s3, each with an effect; s3
// fails the first run of an event and succeeds in its rerun. "ops-hold"
// runs h1, then waits for an event that never comes: CancelRuns ends it.
// isRerun tells s3 whether its run is a rerun.
func opsCrashFunctions(ledger *os.File, gen string, isRerun func(ctx context.Context, runID string) (bool, error)) []*runtime.Function {
	rerun := runtime.NewFunction(runtime.FunctionOpts{ID: "ops-rerun", Retries: runtime.Retries(0)},
		runtime.EventTrigger(opsCrashRunEvent, ""),
		func(ctx context.Context, in runtime.Input[crashData]) (any, error) {
			sum := 0
			for i := 1; i <= opsCrashSteps; i++ {
				id := "s" + strconv.Itoa(i)
				v, err := step.Run(ctx, id, func(ctx context.Context) (int, error) {
					if err := crashEffect(ledger, gen, in.RunID, id); err != nil {
						return 0, err
					}
					if i == opsCrashSteps {
						again, err := isRerun(ctx, in.RunID)
						if err != nil {
							return 0, err
						}
						if !again {
							return 0, runtime.NonRetriable(errors.New("the first run of an event fails"))
						}
					}
					return in.Event.Data.N*10 + i, nil
				})
				if err != nil {
					return nil, err
				}
				sum += v
			}
			return sum, nil
		})
	hold := runtime.NewFunction(runtime.FunctionOpts{ID: "ops-hold", Retries: runtime.Retries(0)},
		runtime.EventTrigger(opsCrashHoldEvent, ""),
		func(ctx context.Context, in runtime.Input[crashData]) (any, error) {
			if _, err := step.Run(ctx, "h1", func(ctx context.Context) (int, error) {
				return in.Event.Data.N, crashEffect(ledger, gen, in.RunID, "h1")
			}); err != nil {
				return nil, err
			}
			_, err := step.WaitForEvent(ctx, "never", opsCrashNever, step.WaitOpts{Timeout: 24 * time.Hour})
			return nil, err
		})
	return []*runtime.Function{rerun, hold}
}

// TestOpsCrashChild is the child process of TestOpsCrashRecovery.
func TestOpsCrashChild(t *testing.T) {
	spec := os.Getenv(opsCrashEnv)
	if spec == "" {
		t.Skip("the child process of TestOpsCrashRecovery")
	}
	parts := strings.Split(spec, "\n")
	if len(parts) != 4 {
		t.Fatalf("%s = %q", opsCrashEnv, spec)
	}
	dbPath, ledgerPath, gen, final := parts[0], parts[1], parts[2], parts[3] == "1"
	st, err := sqlite.Open(dbPath, sqlite.Synchronous("FULL"))
	if err != nil {
		t.Fatal(err)
	}
	ledger, err := os.OpenFile(ledgerPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	var eng *runtime.Engine
	isRerun := func(ctx context.Context, runID string) (bool, error) {
		info, err := eng.Run(ctx, runID)
		return info.RerunOf != "", err
	}
	eng, err = runtime.New(runtime.Options{
		Store: st, Functions: opsCrashFunctions(ledger, gen, isRerun), Workers: crashWorkers, PollInterval: 50 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// Every start sends every event; fixed IDs make the resent ones start nothing.
	var evs []runtime.Event
	for j := range opsCrashRuns {
		evs = append(evs, runtime.Event{Name: opsCrashRunEvent, ID: fmt.Sprintf("ops-run-%03d", j), Data: crashData{N: j}})
		if j < opsCrashHolds {
			evs = append(evs, runtime.Event{Name: opsCrashHoldEvent, ID: fmt.Sprintf("ops-hold-%03d", j), Data: crashData{N: j}})
		}
	}
	for len(evs) > 0 {
		n := min(10, len(evs))
		if _, err := eng.Send(ctx, evs[:n]...); err != nil {
			t.Fatal(err)
		}
		evs = evs[n:]
	}
	count := func(fn string, status runtime.RunStatus) int {
		runs, err := runList(eng.Runs(ctx, runtime.RunFilter{FunctionID: fn, Statuses: []runtime.RunStatus{status}, Limit: 10 * opsCrashRuns}))
		if err != nil {
			t.Fatal(err)
		}
		return len(runs)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if _, err := eng.RerunRuns(ctx, runtime.BulkFilter{FunctionID: "ops-rerun", Statuses: []runtime.RunStatus{runtime.RunFailed}}); err != nil {
			t.Fatal(err)
		}
		if _, err := eng.CancelRuns(ctx, runtime.BulkFilter{FunctionID: "ops-hold", Statuses: []runtime.RunStatus{runtime.RunWaiting}}); err != nil {
			t.Fatal(err)
		}
		if final && count("ops-rerun", runtime.RunCompleted) >= opsCrashRuns && count("ops-hold", runtime.RunCancelled) >= opsCrashHolds {
			stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := eng.Stop(stopCtx); err != nil {
				t.Fatal(err)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			return
		}
		time.Sleep(time.Duration(10+rand.IntN(40)) * time.Millisecond)
	}
	t.Fatal("the reruns and cancels did not all end within 2 minutes")
}

func TestOpsCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the operations crash test restarts a child process 10 times")
	}
	if os.Getenv(opsCrashEnv) != "" || os.Getenv(crashEnv) != "" {
		t.Skip("in a child")
	}
	dir := t.TempDir()
	dbPath, ledgerPath := filepath.Join(dir, "ops.db"), filepath.Join(dir, "ledger")
	child := func(gen int, final bool) (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestOpsCrashChild$", "-test.count=1", "-test.v")
		f := "0"
		if final {
			f = "1"
		}
		cmd.Env = append(os.Environ(), opsCrashEnv+"="+strings.Join([]string{dbPath, ledgerPath, strconv.Itoa(gen), f}, "\n"))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out
	}
	for gen := range opsCrashKills {
		cmd, out := child(gen, false)
		time.Sleep(time.Duration(100+rand.IntN(401)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatalf("kill child %d: %v", gen, err)
		}
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(interface{ Signaled() bool }); !ok || !ws.Signaled() {
			t.Fatalf("child %d ended before it was killed (%v):\n%s", gen, err, out)
		}
	}
	cmd, out := child(opsCrashKills, true)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("final child: %v\n%s", err, out)
		}
	case <-time.After(3 * time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatalf("final child did not finish in 3 minutes:\n%s", out)
	}
	checkOpsCrashOutcome(t, dbPath, ledgerPath)
}

// checkOpsCrashOutcome: each event of ops-rerun has exactly two runs, the
// first failed at s3 and rerun once, its rerun completed and not rerun;
// each event of ops-hold has one run, cancelled by the bulk cancel after
// h1; the effects of every run keep the crash test's bounds (at least
// one and at most one per recorded attempt, no committed step again).
func checkOpsCrashOutcome(t *testing.T, dbPath, ledgerPath string) {
	st, err := sqlite.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	never := func(context.Context, string) (bool, error) { return false, nil }
	eng, err := runtime.New(runtime.Options{Store: st, Functions: opsCrashFunctions(nil, "", never)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	page, err := eng.Runs(ctx, runtime.RunFilter{Limit: 10 * opsCrashRuns})
	if err != nil {
		t.Fatal(err)
	}
	infos := map[string]runtime.RunInfo{}
	byEvent := map[string][]runtime.RunInfo{}
	for _, r := range page.Runs {
		info, err := eng.Run(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		infos[r.ID] = info
		var ev struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(info.Events[0], &ev); err != nil {
			t.Fatal(err)
		}
		byEvent[ev.ID] = append(byEvent[ev.ID], info)
	}
	for j := range opsCrashRuns {
		id := fmt.Sprintf("ops-run-%03d", j)
		runs := byEvent[id]
		if len(runs) != 2 {
			t.Errorf("event %s: %d runs, want 2 (the run and its one rerun)", id, len(runs))
			continue
		}
		first, again := runs[1], runs[0] // newest first
		if first.RerunOf != "" {
			first, again = again, first
		}
		switch {
		case first.Status != runtime.RunFailed || first.RerunBy != again.ID || first.RerunOf != "":
			t.Errorf("event %s: first run %s: status %s, RerunBy %q, RerunOf %q; want failed, rerun by %s", id, first.ID, first.Status, first.RerunBy, first.RerunOf, again.ID)
		case again.Status != runtime.RunCompleted || again.RerunOf != first.ID || again.RerunBy != "":
			t.Errorf("event %s: rerun %s: status %s (%q), RerunOf %q, RerunBy %q; want completed, of %s, not rerun", id, again.ID, again.Status, again.Error, again.RerunOf, again.RerunBy, first.ID)
		case string(again.Output) != strconv.Itoa(30*j+6):
			t.Errorf("event %s: rerun output %s, want %d", id, again.Output, 30*j+6)
		}
	}
	for j := range opsCrashHolds {
		id := fmt.Sprintf("ops-hold-%03d", j)
		runs := byEvent[id]
		if len(runs) != 1 || runs[0].Status != runtime.RunCancelled || !strings.Contains(runs[0].Error, "CancelRuns") {
			t.Errorf("event %s: runs %+v, want one cancelled by CancelRuns", id, runs)
			continue
		}
		if s := runs[0].Steps; len(s) != 2 || s[0].ID != "h1" || s[0].Status != "completed" {
			t.Errorf("event %s: steps %+v, want h1 completed, then the wait", id, s)
		}
	}
	if want := 2*opsCrashRuns + opsCrashHolds; len(infos) != want {
		t.Errorf("%d runs, want %d", len(infos), want)
	}

	lines := readLedger(t, ledgerPath)
	perRun := map[string][]ledgerLine{}
	for _, l := range lines {
		if _, ok := infos[l.run]; !ok {
			t.Errorf("ledger names run %s, which does not exist", l.run)
			continue
		}
		perRun[l.run] = append(perRun[l.run], l)
	}
	unrecorded, steps := 0, 0
	for id, info := range infos {
		count := map[string]int{}
		for _, l := range perRun[id] {
			count[l.step]++
		}
		for _, s := range info.Steps {
			if s.Kind == "wait" {
				continue
			}
			steps++
			if count[s.ID] < 1 || count[s.ID] > s.Attempts {
				t.Errorf("run %s step %s: effect ran %d times, %d attempts recorded; want 1 to attempts", id, s.ID, count[s.ID], s.Attempts)
			}
		}
		n := opsCrashSteps
		if info.FunctionID == "ops-hold" {
			n = 1
		}
		unrecorded += walkCrashLane(t, id, perRun[id], n, opsCrashKills)
	}
	t.Logf("%d runs, %d effects of %d steps, %d re-executed after a kill lost their commit", len(infos), len(lines), steps, unrecorded)
	if len(lines) != steps+unrecorded {
		t.Errorf("%d effects = %d steps + %d re-executions expected", len(lines), steps, unrecorded)
	}
}
