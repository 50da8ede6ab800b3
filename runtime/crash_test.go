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
// ledger of side effects the child's steps wrote. Two workloads run side by
// side: five steps in a row, and two parallel branches of two steps each,
// then a wait for an event, then a last step, under a concurrency limit.
const (
	crashSteps    = 5
	crashEvent    = "crash/run.requested"
	crashParEvent = "crash/parallel.requested"
	crashGoEvent  = "crash/go"            // resolves every wait of the parallel workload
	crashEnv      = "DURABLE_CRASH_CHILD" // "<db path>\n<ledger path>\n<generation>\n<final: 0|1>\n<runs>\n<parallel runs>"
	crashWorkers  = 10
	// crashParLimit runs of one key of the parallel workload execute at
	// once; the keys are n mod crashParKeys.
	crashParLimit = 2
	crashParKeys  = 4
)

// crashSize is how much work a crash test does: the runs of each workload
// and the kills. DURABLE_SLOW_TESTS=1 asks for the larger one.
type crashSize struct{ runs, parRuns, kills int }

func crashSizeFor() crashSize {
	if os.Getenv("DURABLE_SLOW_TESTS") == "1" {
		return crashSize{runs: 400, parRuns: 150, kills: 60}
	}
	return crashSize{runs: 200, parRuns: 60, kills: 20}
}

type crashData struct {
	N   int    `json:"n"`
	Key string `json:"key,omitempty"`
}

// crashEffect is a step's side effect: it appends "<run ID> <step ID>
// <generation>" to the ledger (O_APPEND, fsynced before the step returns),
// then lingers a little before returning so that a kill often falls between
// an effect and its commit.
func crashEffect(ledger *os.File, gen, runID, stepID string) error {
	time.Sleep(time.Duration(rand.IntN(10)) * time.Millisecond)
	if _, err := fmt.Fprintf(ledger, "%s %s %s\n", runID, stepID, gen); err != nil {
		return err
	}
	if err := ledger.Sync(); err != nil {
		return err
	}
	time.Sleep(time.Duration(10+rand.IntN(40)) * time.Millisecond)
	return nil
}

// crashFunction is the sequential workload: five steps s1..s5, each with
// an effect.
func crashFunction(ledger *os.File, gen string) *runtime.Function {
	return runtime.NewFunction(runtime.FunctionOpts{ID: "crash-five-steps", Retries: runtime.Retries(0)},
		runtime.EventTrigger(crashEvent, ""),
		func(ctx context.Context, in runtime.Input[crashData]) (any, error) {
			sum := 0
			for i := 1; i <= crashSteps; i++ {
				id := "s" + strconv.Itoa(i)
				v, err := step.Run(ctx, id, func(ctx context.Context) (int, error) {
					if err := crashEffect(ledger, gen, in.RunID, id); err != nil {
						return 0, err
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
}

var crashGo = runtime.NewEventType[struct{}](crashGoEvent, "", nil)

// crashParallelFunction is the parallel workload: branches a (a1, a2) and b
// (b1, b2) at once, then a wait for crash/go, then z1; at most
// crashParLimit runs of a key at once. Its output is the sum of its steps'
// results, 10n+1 .. 10n+5.
func crashParallelFunction(ledger *os.File, gen string) *runtime.Function {
	return runtime.NewFunction(runtime.FunctionOpts{ID: "crash-parallel", Retries: runtime.Retries(0),
		Concurrency: []runtime.Concurrency{{Limit: crashParLimit, Key: "event.data.key"}}},
		runtime.EventTrigger(crashParEvent, ""),
		func(ctx context.Context, in runtime.Input[crashData]) (any, error) {
			effect := func(ctx context.Context, id string, v int) (int, error) {
				return step.Run(ctx, id, func(ctx context.Context) (int, error) {
					if err := crashEffect(ledger, gen, in.RunID, id); err != nil {
						return 0, err
					}
					return in.Event.Data.N*10 + v, nil
				})
			}
			branch := func(name string, first int) func(ctx context.Context) (int, error) {
				return func(ctx context.Context) (int, error) {
					x, err := effect(ctx, name+"1", first)
					if err != nil {
						return 0, err
					}
					y, err := effect(ctx, name+"2", first+1)
					return x + y, err
				}
			}
			sums, err := step.Parallel(ctx, branch("a", 1), branch("b", 3))
			if err != nil {
				return nil, err
			}
			if _, err := step.WaitForEvent(ctx, "w", crashGo, step.WaitOpts{Timeout: time.Hour}); err != nil {
				return nil, err
			}
			z, err := effect(ctx, "z1", 5)
			return sums[0] + sums[1] + z, err
		})
}

func crashEventID(i int) string    { return fmt.Sprintf("crash-event-%03d", i) }
func crashParEventID(i int) string { return fmt.Sprintf("crash-parallel-%03d", i) }

// TestCrashChild is the child process of TestCrashRecovery; it skips unless
// started by it.
func TestCrashChild(t *testing.T) {
	spec := os.Getenv(crashEnv)
	if spec == "" {
		t.Skip("the child process of TestCrashRecovery")
	}
	parts := strings.Split(spec, "\n")
	if len(parts) != 6 {
		t.Fatalf("%s = %q", crashEnv, spec)
	}
	dbPath, ledgerPath, gen, final := parts[0], parts[1], parts[2], parts[3] == "1"
	runs, err1 := strconv.Atoi(parts[4])
	parRuns, err2 := strconv.Atoi(parts[5])
	if err1 != nil || err2 != nil {
		t.Fatalf("%s = %q", crashEnv, spec)
	}
	st, err := sqlite.Open(dbPath, sqlite.Synchronous("FULL"))
	if err != nil {
		t.Fatal(err)
	}
	ledger, err := os.OpenFile(ledgerPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := runtime.New(runtime.Options{
		Store: st, Functions: []*runtime.Function{crashFunction(ledger, gen), crashParallelFunction(ledger, gen)},
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
	var evs []runtime.Event
	for j := range max(runs, parRuns) {
		if j < runs {
			evs = append(evs, runtime.Event{Name: crashEvent, ID: crashEventID(j), Data: crashData{N: j}})
		}
		if j < parRuns {
			evs = append(evs, runtime.Event{Name: crashParEvent, ID: crashParEventID(j), Data: crashData{N: j, Key: fmt.Sprintf("k%d", j%crashParKeys)}})
		}
		if len(evs) >= batch {
			if _, err := eng.Send(ctx, evs...); err != nil {
				t.Fatal(err)
			}
			evs = evs[:0]
		}
	}
	if _, err := eng.Send(ctx, evs...); err != nil && len(evs) > 0 {
		t.Fatal(err)
	}
	// Waiting runs resume on the next crash/go; one is sent every 30 ms.
	goCtx, stopGo := context.WithCancel(ctx)
	defer stopGo()
	go func() {
		for i := 0; goCtx.Err() == nil; i++ {
			if _, err := eng.Send(goCtx, runtime.Event{Name: crashGoEvent, ID: fmt.Sprintf("go-%s-%d", gen, i), Data: struct{}{}}); err != nil && goCtx.Err() == nil {
				t.Errorf("send %s: %v", crashGoEvent, err)
				return
			}
			time.Sleep(30 * time.Millisecond)
		}
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		ended, err := runList(eng.Runs(ctx, runtime.RunFilter{Statuses: []runtime.RunStatus{runtime.RunCompleted, runtime.RunFailed, runtime.RunCancelled}, Limit: 10 * (runs + parRuns)}))
		if err != nil {
			t.Fatal(err)
		}
		if final && len(ended) >= runs+parRuns {
			stopGo()
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
	size := crashSizeFor()
	dir := t.TempDir()
	dbPath, ledgerPath := filepath.Join(dir, "crash.db"), filepath.Join(dir, "ledger")
	child := func(gen int, final bool) (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.v")
		f := "0"
		if final {
			f = "1"
		}
		cmd.Env = append(os.Environ(), crashEnv+"="+strings.Join([]string{dbPath, ledgerPath, strconv.Itoa(gen), f,
			strconv.Itoa(size.runs), strconv.Itoa(size.parRuns)}, "\n"))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out
	}

	// Kill phase: each child lives a random 50-400 ms, then gets SIGKILL.
	kills, midWork := 0, 0
	for gen := 0; gen < size.kills; gen++ {
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
		if len(done) > 0 && len(done) < (size.runs+size.parRuns)*crashSteps {
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
	cmd, out := child(size.kills, true)
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

	checkCrashOutcome(t, dbPath, ledgerPath, size, kills)
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

// crashStepValue is what step id of the run for n returns: 10n+1 .. 10n+5
// for s1..s5, and for a1, a2, b1, b2, z1.
func crashStepValue(id string, n int) (int, bool) {
	v, ok := map[string]int{"s1": 1, "s2": 2, "s3": 3, "s4": 4, "s5": 5, "a1": 1, "a2": 2, "b1": 3, "b2": 4, "z1": 5}[id]
	return n*10 + v, ok
}

// checkCrashOutcome asserts what the crash test promises:
//
//  1. Every run completed: exactly one run per event (no run lost, none
//     started twice by a re-sent event), each completed with the output its
//     five steps add up to.
//  2. Each run has exactly its steps, each completed once with its own
//     result: s1..s5 in order; or a1, a2, b1, b2 (two parallel branches),
//     the wait w, then z1. No step here ever fails, so a step's Attempts
//     exceed 1 only by the executions a SIGKILL cut short: a top-level
//     step is charged the interruptions of its run (the store counts a run
//     requeued from a dead process), a branch step records each attempt
//     before its function runs.
//  3. Each step's side effect ran at least once and at most once per
//     recorded attempt (effects <= Attempts, the bound), and no
//     step committed ran again. The effects of a run are walked lane by
//     lane (s; a; b; z: the steps of a lane run one after another):
//     - within one child process, a lane's effects are x_i, x_i+1, ...,
//     x_j with no repeat: a step never executes twice in one process, and
//     a step after x_i only executes once x_i is committed;
//     - between the processes in which a lane executed, the next starts at
//     x_j (the commit of x_j was lost to the kill) or at x_j+1 (it was
//     committed), never earlier: a committed step never executes again;
//     - no effect of a branch follows the first effect of z1: the branches
//     are committed before the run goes on.
func checkCrashOutcome(t *testing.T, dbPath, ledgerPath string, size crashSize, kills int) {
	st, err := sqlite.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{crashFunction(nil, ""), crashParallelFunction(nil, "")}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	total := size.runs + size.parRuns
	runs, err := runList(eng.Runs(ctx, runtime.RunFilter{Limit: 10 * total}))
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != total {
		t.Errorf("%d runs, want %d (one per event)", len(runs), total)
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
		parallel := info.FunctionID == "crash-parallel"
		wantEvent, wantSteps := crashEventID(ev.Data.N), []string{"s1", "s2", "s3", "s4", "s5"}
		if parallel {
			wantEvent, wantSteps = crashParEventID(ev.Data.N), []string{"a1", "a2", "b1", "b2", "w", "z1"}
		}
		if ev.ID != wantEvent {
			t.Errorf("run %s of %s: event %s carries n=%d", r.ID, info.FunctionID, ev.ID, ev.Data.N)
		}
		if prev, dup := byEvent[ev.ID]; dup {
			t.Errorf("event %s started two runs: %s and %s", ev.ID, prev, r.ID)
		}
		byEvent[ev.ID] = r.ID
		if info.Status != runtime.RunCompleted {
			t.Errorf("run %s (event %s): status %s, error %q; want completed", r.ID, ev.ID, info.Status, info.Error)
			continue
		}
		if want := 50*ev.Data.N + 15; string(info.Output) != strconv.Itoa(want) {
			t.Errorf("run %s: output %s, want %d", r.ID, info.Output, want)
		}
		var ids []string
		for _, s := range info.Steps {
			ids = append(ids, s.ID)
			if s.Status != "completed" {
				t.Errorf("run %s step %s: status %s, want completed", r.ID, s.ID, s.Status)
			}
			if s.Kind == "wait" {
				continue
			}
			want, known := crashStepValue(s.ID, ev.Data.N)
			if !known || s.Attempts < 1 || s.Attempts > 1+kills || string(s.Output) != strconv.Itoa(want) {
				t.Errorf("run %s step %s: attempts %d, output %s; want 1 to %d attempts, %d", r.ID, s.ID, s.Attempts, s.Output, 1+kills, want)
			}
		}
		if parallel {
			// Branch steps are recorded in the order they started.
			slices.Sort(ids)
		}
		if !slices.Equal(ids, wantSteps) {
			t.Errorf("run %s: steps %v, want %v", r.ID, ids, wantSteps)
		}
	}
	for i := range size.runs {
		if _, ok := byEvent[crashEventID(i)]; !ok {
			t.Errorf("event %s started no run", crashEventID(i))
		}
	}
	for i := range size.parRuns {
		if _, ok := byEvent[crashParEventID(i)]; !ok {
			t.Errorf("event %s started no run", crashParEventID(i))
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
	unrecorded := 0
	for id, info := range infos {
		ls := perRun[id]
		count := map[string]int{}
		lanes := map[byte][]ledgerLine{}
		lastBranch, firstZ := -1, -1
		for k, l := range ls {
			count[l.step]++
			lanes[l.step[0]] = append(lanes[l.step[0]], l)
			switch l.step[0] {
			case 'a', 'b':
				lastBranch = k
			case 'z':
				if firstZ < 0 {
					firstZ = k
				}
			}
		}
		for _, s := range info.Steps {
			if s.Kind == "wait" {
				continue
			}
			if count[s.ID] < 1 {
				t.Errorf("run %s step %s: committed, but its effect never ran", id, s.ID)
			}
			if count[s.ID] > s.Attempts {
				t.Errorf("run %s step %s: effect ran %d times, more than its %d recorded attempts", id, s.ID, count[s.ID], s.Attempts)
			}
		}
		if firstZ >= 0 && lastBranch > firstZ {
			t.Errorf("run %s: a branch step executed (effect %d) after z1 did (effect %d)", id, lastBranch, firstZ)
		}
		for lane, lls := range lanes {
			steps := map[byte]int{'s': crashSteps, 'a': 2, 'b': 2, 'z': 1}[lane]
			unrecorded += walkCrashLane(t, id, lls, steps, kills)
		}
	}
	t.Logf("%d runs, %d effects, %d kills; %d effects re-executed because a kill lost their commit", len(infos), len(lines), kills, unrecorded)
	if len(lines) != total*crashSteps+unrecorded {
		t.Errorf("%d effects = %d steps + %d re-executions expected", len(lines), total*crashSteps, unrecorded)
	}
}

// walkCrashLane checks the effects of one lane of a run (steps x1..xN run
// one after another), process by process, and returns how many effects
// ran again because a kill lost their commit. The ledger is in write
// order: O_APPEND.
func walkCrashLane(t *testing.T, run string, ls []ledgerLine, steps, kills int) int {
	t.Helper()
	stepNum := func(s string) int { n, _ := strconv.Atoi(s[1:]); return n }
	unrecorded := 0
	prevGen, last := -1, 0
	for k, l := range ls {
		n := stepNum(l.step)
		switch {
		case l.gen < prevGen:
			t.Errorf("run %s: ledger out of order at %s", run, l.step)
		case l.gen == prevGen:
			if n != last+1 {
				t.Errorf("run %s: in process %d, %s executed after %c%d (want %c%d)", run, l.gen, l.step, l.step[0], last, l.step[0], last+1)
			}
		default: // a later process
			switch {
			case k == 0 && n != 1:
				t.Errorf("run %s: first effect of its lane is %s", run, l.step)
			case k > 0 && n == last:
				// The previous process executed it and was killed before
				// committing it.
				unrecorded++
				if prevGen >= kills {
					t.Errorf("run %s: %s executed again after process %d, which was not killed", run, l.step, prevGen)
				}
			case k > 0 && n != last+1:
				t.Errorf("run %s: process %d started at %s after process %d ended at %c%d: a committed step executed again, or a step was skipped", run, l.gen, l.step, prevGen, l.step[0], last)
			}
		}
		prevGen, last = l.gen, n
	}
	if len(ls) > 0 && last != steps {
		t.Errorf("run %s: last effect of its lane is %c%d, want %c%d", run, ls[0].step[0], last, ls[0].step[0], steps)
	}
	return unrecorded
}
