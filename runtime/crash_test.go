package runtime_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

// The crash test runs the engine in a child process (this test binary,
// re-executed with -test.run=TestCrashChild), kills it with SIGKILL at
// random moments, restarts it, and finally checks the database against a
// ledger of side effects the child's steps wrote.
const (
	crashRuns    = 200
	crashSteps   = 5
	crashKills   = 20
	crashEvent   = "crash/run.requested"
	crashEnv     = "DURABLE_CRASH_CHILD" // "<db path>\n<ledger path>\n<generation>\n<final: 0|1>"
	crashWorkers = 10
)

type crashData struct {
	N int `json:"n"`
}

// crashFunction is the workload: five steps, each of which appends
// "<run ID> <step ID> <generation>" to the ledger (O_APPEND, fsynced before
// the step returns: the side effect), then lingers a little before returning
// so that a kill often falls between an effect and its commit.
func crashFunction(ledger *os.File, gen string) *runtime.Function {
	return runtime.NewFunction(runtime.FunctionOpts{ID: "crash-five-steps", Retries: runtime.Retries(0)},
		runtime.EventTrigger(crashEvent, ""),
		func(ctx context.Context, in runtime.Input[crashData]) (any, error) {
			sum := 0
			for i := 1; i <= crashSteps; i++ {
				id := "s" + strconv.Itoa(i)
				v, err := step.Run(ctx, id, func(ctx context.Context) (int, error) {
					time.Sleep(time.Duration(rand.IntN(10)) * time.Millisecond)
					if _, err := fmt.Fprintf(ledger, "%s %s %s\n", in.RunID, id, gen); err != nil {
						return 0, err
					}
					if err := ledger.Sync(); err != nil {
						return 0, err
					}
					time.Sleep(time.Duration(10+rand.IntN(40)) * time.Millisecond)
					return in.Event.Data.N*10 + i, nil
				})
				if err != nil {
					return nil, err
				}
				sum += v
			}
			return sum, nil
		})
}

func crashEventID(i int) string { return fmt.Sprintf("crash-event-%03d", i) }

// TestCrashChild is the child process of TestCrashRecovery; it skips unless
// started by it.
func TestCrashChild(t *testing.T) {
	spec := os.Getenv(crashEnv)
	if spec == "" {
		t.Skip("the child process of TestCrashRecovery")
	}
	parts := strings.Split(spec, "\n")
	if len(parts) != 4 {
		t.Fatalf("%s = %q", crashEnv, spec)
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
	eng, err := runtime.New(runtime.Options{
		Store: st, Functions: []*runtime.Function{crashFunction(ledger, gen)},
		Workers: crashWorkers, PollInterval: 50 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// Send every event, in batches, on every start: the IDs are fixed, so
	// the events a previous child stored are deduplicated and start nothing.
	const batch = 10
	for i := 0; i < crashRuns; i += batch {
		evs := make([]runtime.Event, 0, batch)
		for j := i; j < i+batch; j++ {
			evs = append(evs, runtime.Event{Name: crashEvent, ID: crashEventID(j), Data: crashData{N: j}})
		}
		if _, err := eng.Send(ctx, evs...); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		runs, err := eng.Runs(ctx, runtime.RunFilter{Statuses: []runtime.RunStatus{runtime.RunCompleted, runtime.RunFailed, runtime.RunCancelled}, Limit: 10 * crashRuns})
		if err != nil {
			t.Fatal(err)
		}
		if final && len(runs) >= crashRuns {
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
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the runs did not all end within 2 minutes")
}

type ledgerLine struct {
	run, step string
	gen       int
}

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the crash test restarts a child process 20 times")
	}
	if os.Getenv(crashEnv) != "" {
		t.Skip("in the child")
	}
	dir := t.TempDir()
	dbPath, ledgerPath := filepath.Join(dir, "crash.db"), filepath.Join(dir, "ledger")
	child := func(gen int, final bool) (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.v")
		f := "0"
		if final {
			f = "1"
		}
		cmd.Env = append(os.Environ(), crashEnv+"="+strings.Join([]string{dbPath, ledgerPath, strconv.Itoa(gen), f}, "\n"))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out
	}

	// Kill phase: each child lives a random 50-400 ms, then gets SIGKILL.
	kills, midWork := 0, 0
	for gen := 0; gen < crashKills; gen++ {
		cmd, out := child(gen, false)
		time.Sleep(time.Duration(50+rand.IntN(351)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatalf("kill child %d: %v", gen, err)
		}
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(interface{ Signaled() bool }); !ok || !ws.Signaled() {
			t.Fatalf("child %d ended before it was killed (%v):\n%s", gen, err, out)
		}
		kills++
		lines := readLedger(t, ledgerPath)
		done := map[[2]string]bool{}
		for _, l := range lines {
			done[[2]string{l.run, l.step}] = true
		}
		if len(done) > 0 && len(done) < crashRuns*crashSteps {
			midWork++
		}
		t.Logf("kill %d: ledger has %d effects of %d distinct steps", gen+1, len(lines), len(done))
	}
	if midWork == 0 {
		// Not an assertion on speed: the workload is sized to outlast the
		// kill phase; if it did not, the kills tested little.
		t.Logf("warning: no kill fell while steps remained to execute")
	}

	// Final child: runs until every run has ended, then exits 0.
	cmd, out := child(crashKills, true)
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
		t.Fatalf("final child did not finish the runs in 3 minutes:\n%s", out)
	}

	checkCrashOutcome(t, dbPath, ledgerPath, kills)
}

func readLedger(t *testing.T, path string) []ledgerLine {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []ledgerLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 {
			t.Fatalf("ledger line %q: want \"run step generation\"", sc.Text())
		}
		gen, err := strconv.Atoi(fields[2])
		if err != nil {
			t.Fatalf("ledger line %q: %v", sc.Text(), err)
		}
		out = append(out, ledgerLine{fields[0], fields[1], gen})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkCrashOutcome asserts what the crash test promises:
//
//  1. Every run completed: exactly one run per event (no run lost, none
//     started twice by a re-sent event), each completed with the output its
//     five steps add up to.
//  2. No step was committed twice: each run has exactly the steps s1..s5,
//     in order, each completed with the result of its own run. No step here
//     ever fails, so a step's Attempts exceed 1 only by the executions a
//     SIGKILL cut short: the store counts a run requeued from a dead process
//     as interrupted, and the engine charges those lost attempts to the
//     first step the next execution runs (the one that was in flight).
//  3. Each step's side effect ran at least once and at most once per
//     recorded attempt (effects <= Attempts, exactly the bound):
//     - every effect line belongs to a known run and step, and every
//     completed step has at least one;
//     - within one child process, a run's effects are s_i, s_i+1, ..., s_j
//     with no repeat: a step never executes twice in one process, and a
//     step after s_i only executes once s_i is committed;
//     - between the processes in which a run executed, the next starts at
//     s_j (the commit of s_j was lost to the kill) or at s_j+1 (it was
//     committed), never earlier: a committed step never executes again.
func checkCrashOutcome(t *testing.T, dbPath, ledgerPath string, kills int) {
	st, err := sqlite.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{crashFunction(nil, "")}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	runs, err := eng.Runs(ctx, runtime.RunFilter{Limit: 10 * crashRuns})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != crashRuns {
		t.Errorf("%d runs, want %d (one per event)", len(runs), crashRuns)
	}
	infos := map[string]runtime.RunInfo{}
	byEvent := map[string]string{}
	for _, r := range runs {
		info, err := eng.Run(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		infos[r.ID] = info
		var ev runtime.TypedEvent[crashData]
		if len(info.Events) != 1 || json.Unmarshal(info.Events[0], &ev) != nil {
			t.Errorf("run %s: events %s", r.ID, info.Events)
			continue
		}
		if ev.ID != crashEventID(ev.Data.N) {
			t.Errorf("run %s: event %s carries n=%d", r.ID, ev.ID, ev.Data.N)
		}
		if prev, dup := byEvent[ev.ID]; dup {
			t.Errorf("event %s started two runs: %s and %s", ev.ID, prev, r.ID)
		}
		byEvent[ev.ID] = r.ID
		if info.Status != runtime.RunCompleted {
			t.Errorf("run %s (event %s): status %s, error %q; want completed", r.ID, ev.ID, info.Status, info.Error)
			continue
		}
		want := 0
		for i := 1; i <= crashSteps; i++ {
			want += ev.Data.N*10 + i
		}
		if string(info.Output) != strconv.Itoa(want) {
			t.Errorf("run %s: output %s, want %d", r.ID, info.Output, want)
		}
		var ids []string
		for i, s := range info.Steps {
			ids = append(ids, s.ID)
			if s.Status != "completed" || s.Attempts < 1 || s.Attempts > 1+kills || string(s.Output) != strconv.Itoa(ev.Data.N*10+i+1) {
				t.Errorf("run %s step %s: status %s, attempts %d, output %s; want completed, 1 to %d attempts, %d",
					r.ID, s.ID, s.Status, s.Attempts, s.Output, 1+kills, ev.Data.N*10+i+1)
			}
		}
		if !slices.Equal(ids, []string{"s1", "s2", "s3", "s4", "s5"}) {
			t.Errorf("run %s: steps %v, want s1..s5", r.ID, ids)
		}
	}
	for i := range crashRuns {
		if _, ok := byEvent[crashEventID(i)]; !ok {
			t.Errorf("event %s started no run", crashEventID(i))
		}
	}

	// The ledger.
	lines := readLedger(t, ledgerPath)
	perRun := map[string][]ledgerLine{}
	for _, l := range lines {
		if _, ok := infos[l.run]; !ok {
			t.Errorf("ledger names run %s, which does not exist", l.run)
			continue
		}
		perRun[l.run] = append(perRun[l.run], l)
	}
	stepNum := func(s string) int { n, _ := strconv.Atoi(strings.TrimPrefix(s, "s")); return n }
	unrecorded := 0
	for id, info := range infos {
		ls := perRun[id]
		count := map[string]int{}
		for _, l := range ls {
			count[l.step]++
		}
		for _, s := range info.Steps {
			if count[s.ID] < 1 {
				t.Errorf("run %s step %s: committed, but its effect never ran", id, s.ID)
			}
			if count[s.ID] > s.Attempts {
				t.Errorf("run %s step %s: effect ran %d times, more than its %d recorded attempts", id, s.ID, count[s.ID], s.Attempts)
			}
		}
		if len(ls) > crashSteps+kills {
			t.Errorf("run %s: %d effects, more than %d steps + %d kills", id, len(ls), crashSteps, kills)
		}
		// Walk the run's effects process by process (the ledger is in
		// write order: O_APPEND).
		prevGen, last := -1, 0
		for k, l := range ls {
			n := stepNum(l.step)
			switch {
			case l.gen < prevGen:
				t.Errorf("run %s: ledger out of order at effect %d", id, k)
			case l.gen == prevGen:
				if n != last+1 {
					t.Errorf("run %s: in process %d, %s executed after s%d (want s%d)", id, l.gen, l.step, last, last+1)
				}
			default: // a later process
				switch {
				case k == 0 && n != 1:
					t.Errorf("run %s: first effect is %s", id, l.step)
				case k > 0 && n == last:
					// The previous process executed s_last and was killed
					// before committing it.
					unrecorded++
					if prevGen >= kills {
						t.Errorf("run %s: %s executed again after process %d, which was not killed", id, l.step, prevGen)
					}
				case k > 0 && n != last+1:
					t.Errorf("run %s: process %d started at %s after process %d ended at s%d: a committed step executed again, or a step was skipped", id, l.gen, l.step, prevGen, last)
				}
			}
			prevGen, last = l.gen, n
		}
		if last != crashSteps && len(ls) > 0 {
			t.Errorf("run %s: last effect s%d, want s%d", id, last, crashSteps)
		}
	}
	t.Logf("%d runs, %d effects, %d kills; %d effects re-executed because a kill lost their commit", len(infos), len(lines), kills, unrecorded)
	if len(lines) != crashRuns*crashSteps+unrecorded {
		t.Errorf("%d effects = %d steps + %d re-executions expected", len(lines), crashRuns*crashSteps, unrecorded)
	}
}
