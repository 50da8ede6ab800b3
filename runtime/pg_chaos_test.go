package runtime_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store"
	"github.com/durable-go/durable/runtime/store/postgres"
	"github.com/jackc/pgx/v5"
)

// The PostgreSQL chaos test runs three engine processes (this test binary,
// re-executed with -test.run=TestPGChaosChild, as the SQLite crash test
// does) on one schema, SIGKILLs one at random again and again and starts a
// new one in its place, and checks the database against a ledger the steps
// write: when each execution of a step began and ended, in which process.
const (
	pgChaosEnv     = "DURABLE_PGCHAOS_CHILD" // "<dsn>\n<schema>\n<ledger path>\n<process>"
	pgChaosEvent   = "pgchaos/run.requested"
	pgChaosGoEvent = "pgchaos/go" // resolves every wait
	pgChaosLimit   = 5            // runs executing at once, across processes
	pgChaosProcs   = 3
	pgChaosLease   = 2 * time.Second
)

var pgChaosSteps = []string{"s1", "s2", "s3", "s4", "s5"}

var pgChaosGo = runtime.NewEventType[struct{}](pgChaosGoEvent, "", nil)

// pgChaosFunction: s1, s2, a sleep, a wait for pgchaos/go, s3, s4, s5,
// under one concurrency key with limit pgChaosLimit. Each step's effect
// appends "B <run> <step> <process> <unix ns>" to the ledger before it
// lingers and "E ..." after.
func pgChaosFunction(ledger *os.File, proc string) *runtime.Function {
	return runtime.NewFunction(runtime.FunctionOpts{ID: "pgchaos", Retries: runtime.Retries(0),
		Concurrency: []runtime.Concurrency{{Limit: pgChaosLimit, Key: "event.data.key"}}},
		runtime.EventTrigger(pgChaosEvent, ""),
		func(ctx context.Context, in runtime.Input[crashData]) (any, error) {
			effect := func(id string) error {
				_, err := step.Run(ctx, id, func(ctx context.Context) (int, error) {
					mark := func(kind string) error {
						// One write of one short line with O_APPEND: lines of
						// concurrent processes do not interleave.
						_, err := fmt.Fprintf(ledger, "%s %s %s %s %d\n", kind, in.RunID, id, proc, time.Now().UnixNano())
						return err
					}
					if err := mark("B"); err != nil {
						return 0, err
					}
					time.Sleep(time.Duration(2+rand.IntN(15)) * time.Millisecond)
					return 0, mark("E")
				})
				return err
			}
			for i, id := range pgChaosSteps {
				if err := effect(id); err != nil {
					return nil, err
				}
				if i == 1 {
					if err := step.Sleep(ctx, "nap", 50*time.Millisecond); err != nil {
						return nil, err
					}
					if _, err := step.WaitForEvent(ctx, "go", pgChaosGo, step.WaitOpts{Timeout: time.Hour}); err != nil {
						return nil, err
					}
				}
			}
			return in.Event.Data.N, nil
		})
}

// TestPGChaosChild is one engine process of TestPGChaos; it skips unless
// started by it, and runs until killed.
func TestPGChaosChild(t *testing.T) {
	spec := os.Getenv(pgChaosEnv)
	if spec == "" {
		t.Skip("a child process of TestPGChaos")
	}
	parts := strings.Split(spec, "\n")
	if len(parts) != 4 {
		t.Fatalf("%s = %q", pgChaosEnv, spec)
	}
	dsn, schema, ledgerPath, proc := parts[0], parts[1], parts[2], parts[3]
	ctx := context.Background()
	st, err := postgres.Open(ctx, dsn, postgres.Schema(schema), postgres.MaxConns(8))
	if err != nil {
		t.Fatal(err)
	}
	ledger, err := os.OpenFile(ledgerPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := runtime.New(runtime.Options{
		Store: st, Functions: []*runtime.Function{pgChaosFunction(ledger, proc)},
		Workers: 8, LeaseDuration: pgChaosLease, PollInterval: 200 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// The parent kills every child; this bound only frees a forgotten one.
	time.Sleep(10 * time.Minute)
	t.Fatal("not killed within 10 minutes")
}

func TestPGChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the chaos test kills and restarts engine processes")
	}
	if os.Getenv(pgChaosEnv) != "" {
		t.Skip("in a child")
	}
	dsn := pgDSN(t)
	runs, kills := 300, 15
	if os.Getenv("DURABLE_SLOW_TESTS") == "1" {
		runs, kills = 1000, 40
	}
	schema := pgSchema(t)
	st := openPG(t, schema)
	ledgerPath := filepath.Join(t.TempDir(), "ledger")

	type child struct {
		cmd  *exec.Cmd
		out  *bytes.Buffer
		proc string
	}
	// killedAt is when each killed process was killed: its executions
	// without an end ended then at the latest.
	killedAt := map[string]int64{}
	var outMu sync.Mutex
	var logs []string
	nextProc := 0
	start := func() *child {
		proc := "p" + strconv.Itoa(nextProc)
		nextProc++
		cmd := exec.Command(os.Args[0], "-test.run=^TestPGChaosChild$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), pgChaosEnv+"="+strings.Join([]string{dsn, schema, ledgerPath, proc}, "\n"))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return &child{cmd, &out, proc}
	}
	kill := func(c *child) {
		killedAt[c.proc] = time.Now().UnixNano()
		if err := c.cmd.Process.Kill(); err != nil {
			t.Fatalf("kill %s: %v", c.proc, err)
		}
		err := c.cmd.Wait()
		if ws, ok := c.cmd.ProcessState.Sys().(interface{ Signaled() bool }); !ok || !ws.Signaled() {
			t.Fatalf("process %s ended before it was killed (%v):\n%s", c.proc, err, c.out)
		}
		outMu.Lock()
		logs = append(logs, c.proc+":\n"+c.out.String())
		outMu.Unlock()
	}
	children := make([]*child, pgChaosProcs)
	for i := range children {
		children[i] = start()
	}
	defer func() {
		for _, c := range children {
			if c.cmd.ProcessState == nil {
				kill(c)
			}
		}
		if t.Failed() {
			for _, l := range logs {
				t.Log(l)
			}
		}
	}()

	// The sender is not started: it stores the events and queues the runs,
	// which only the children execute.
	sender, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{pgChaosFunction(nil, "")}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < runs; i += 50 {
		var evs []runtime.Event
		for j := i; j < min(i+50, runs); j++ {
			evs = append(evs, runtime.Event{Name: pgChaosEvent, ID: fmt.Sprintf("pgchaos-%04d", j), Data: crashData{N: j, Key: "all"}})
		}
		if _, err := sender.Send(ctx, evs...); err != nil {
			t.Fatal(err)
		}
	}
	goCtx, stopGo := context.WithCancel(ctx)
	defer stopGo()
	go func() {
		for goCtx.Err() == nil {
			if _, err := sender.Send(goCtx, pgChaosGo.New(struct{}{})); err != nil && goCtx.Err() == nil {
				t.Errorf("send %s: %v", pgChaosGoEvent, err)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()

	ended := func() int {
		var n int
		err := st.View(ctx, func(tx store.Tx) error {
			rs, err := tx.ListRuns(ctx, store.RunFilter{FunctionID: "pgchaos", Statuses: []store.Status{store.StatusCompleted, store.StatusFailed, store.StatusCancelled, store.StatusSkipped}, Limit: 10 * runs})
			n = len(rs)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	midWork := 0
	for k := range kills {
		time.Sleep(time.Duration(300+rand.IntN(900)) * time.Millisecond)
		i := rand.IntN(len(children))
		kill(children[i])
		children[i] = start()
		if n := ended(); n < runs {
			midWork++
		}
		t.Logf("kill %d: %d of %d runs ended", k+1, ended(), runs)
	}
	if midWork < kills {
		t.Logf("warning: %d of %d kills fell after every run had ended", kills-midWork, kills)
	}
	deadline := time.Now().Add(4 * time.Minute)
	for ended() < runs {
		if time.Now().After(deadline) {
			dumpPGUnended(t, st)
			t.Fatalf("%d of %d runs ended within 4 minutes of the last kill", ended(), runs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	stopGo()
	for _, c := range children {
		kill(c)
	}
	checkPGChaos(t, st, ledgerPath, runs, killedAt)
}

// pgExecution is one execution of a step, from the ledger.
type pgExecution struct {
	run, step, proc string
	begin, end      int64
}

// checkPGChaos asserts what the chaos test promises:
//
//  1. Every run completed: one run per event, each with output n.
//  2. Each run has its five steps completed once, and each step's effect
//     ran at least once and at most once per recorded attempt; no
//     execution of a step began after the step was committed (UpdatedAt).
//  3. No run was executed by two processes at once: executions of one
//     run in different processes do not overlap (an execution cut short
//     by a kill ends at the kill).
//  4. No limit was exceeded: at no moment did more than pgChaosLimit runs
//     execute a step.
func checkPGChaos(t *testing.T, st *postgres.Store, ledgerPath string, runs int, killedAt map[string]int64) {
	ctx := context.Background()
	execs := readPGLedger(t, ledgerPath, killedAt)
	byStep := map[[2]string][]pgExecution{}
	byRun := map[string][]pgExecution{}
	for _, x := range execs {
		byStep[[2]string{x.run, x.step}] = append(byStep[[2]string{x.run, x.step}], x)
		byRun[x.run] = append(byRun[x.run], x)
	}
	var all []store.Run
	steps := map[string][]store.Step{}
	err := st.View(ctx, func(tx store.Tx) error {
		var err error
		all, err = tx.ListRuns(ctx, store.RunFilter{FunctionID: "pgchaos", Limit: 10 * runs})
		if err != nil {
			return err
		}
		for _, r := range all {
			if steps[r.ID], err = tx.ListSteps(ctx, r.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != runs {
		t.Errorf("%d runs, want %d (one per event)", len(all), runs)
	}
	outputs := map[string]bool{}
	retried := 0
	for _, r := range all {
		if r.Status != store.StatusCompleted {
			t.Errorf("run %s: %s (%s), want completed", r.ID, r.Status, r.Error)
			continue
		}
		outputs[string(r.Output)] = true
		for _, id := range pgChaosSteps {
			i := slices.IndexFunc(steps[r.ID], func(s store.Step) bool { return s.ID == id })
			if i < 0 {
				t.Errorf("run %s: no step %s", r.ID, id)
				continue
			}
			s := steps[r.ID][i]
			xs := byStep[[2]string{r.ID, id}]
			switch {
			case s.Status != store.StepCompleted:
				t.Errorf("run %s step %s: %s, want completed", r.ID, id, s.Status)
			case len(xs) == 0:
				t.Errorf("run %s step %s: completed, but its effect never ran", r.ID, id)
			case len(xs) > s.Attempts:
				t.Errorf("run %s step %s: effect ran %d times, more than its %d recorded attempts", r.ID, id, len(xs), s.Attempts)
			}
			if len(xs) > 1 {
				retried++
			}
			for _, x := range xs {
				if x.begin > s.UpdatedAt.UnixNano() {
					t.Errorf("run %s step %s: executed again in %s after it was committed", r.ID, id, x.proc)
				}
			}
		}
	}
	for n := range runs {
		if !outputs[strconv.Itoa(n)] {
			t.Errorf("no run completed with output %d", n)
		}
	}
	for run, xs := range byRun {
		for i, a := range xs {
			for _, b := range xs[i+1:] {
				if a.proc != b.proc && a.begin < b.end && b.begin < a.end {
					t.Errorf("run %s: executed by %s (step %s) and %s (step %s) at once", run, a.proc, a.step, b.proc, b.step)
				}
			}
		}
	}
	// Sweep the executions' beginnings and ends in time order; an end
	// sorts before a beginning at the same instant.
	type edge struct {
		at    int64
		delta int
	}
	var edges []edge
	for _, x := range execs {
		edges = append(edges, edge{x.begin, 1}, edge{x.end, -1})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		if a.at != b.at {
			return int(a.at - b.at)
		}
		return a.delta - b.delta
	})
	executing, most := 0, 0
	for _, e := range edges {
		executing += e.delta
		most = max(most, executing)
	}
	if most > pgChaosLimit {
		t.Errorf("%d runs executed a step at once, over the limit of %d", most, pgChaosLimit)
	}
	t.Logf("%d executions of %d steps (%d steps executed more than once); at most %d at once", len(execs), runs*len(pgChaosSteps), retried, most)
}

// readPGLedger pairs each "B" line with the "E" line of the same run, step
// and process; an execution without one ended when its process was killed.
func readPGLedger(t *testing.T, path string, killedAt map[string]int64) []pgExecution {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	open := map[[3]string]int{}
	var out []pgExecution
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		f := strings.Fields(line)
		if len(f) != 5 {
			t.Fatalf("ledger line %q: want \"B|E run step process ns\"", line)
		}
		at, err := strconv.ParseInt(f[4], 10, 64)
		if err != nil {
			t.Fatalf("ledger line %q: %v", line, err)
		}
		k := [3]string{f[1], f[2], f[3]}
		switch f[0] {
		case "B":
			if _, dup := open[k]; dup {
				t.Errorf("ledger: %s began step %s of run %s twice at once", f[3], f[2], f[1])
			}
			open[k] = len(out)
			out = append(out, pgExecution{run: f[1], step: f[2], proc: f[3], begin: at, end: -1})
		case "E":
			i, ok := open[k]
			if !ok {
				t.Fatalf("ledger line %q: an end without a beginning", line)
			}
			out[i].end = at
			delete(open, k)
		default:
			t.Fatalf("ledger line %q: want B or E first", line)
		}
	}
	for k, i := range open {
		end, ok := killedAt[k[2]]
		if !ok {
			t.Fatalf("ledger: %s began step %s of run %s and never ended it, yet was not killed", k[2], k[1], k[0])
		}
		out[i].end = end
	}
	return out
}

// dumpPGUnended logs the runs not over, their steps and the slots held:
// what a failure needs explained.
func dumpPGUnended(t *testing.T, st *postgres.Store) {
	ctx := context.Background()
	st.View(ctx, func(tx store.Tx) error {
		rs, err := tx.ListRuns(ctx, store.RunFilter{FunctionID: "pgchaos", Statuses: []store.Status{store.StatusQueued, store.StatusRunning, store.StatusSleeping, store.StatusWaiting, store.StatusBlocked}, Limit: 100})
		if err != nil {
			return err
		}
		for _, r := range rs {
			t.Logf("run %s: %s blocked_on=%q owner=%q lease_until=%v available_at=%v interrupted=%d", r.ID, r.Status, r.BlockedOn, r.LeaseOwner, r.LeaseUntil, r.AvailableAt, r.Interrupted)
			steps, _ := tx.ListSteps(ctx, r.ID)
			for _, s := range steps {
				t.Logf("  step %s %s %s attempts=%d", s.Key, s.Kind, s.Status, s.Attempts)
			}
		}
		return nil
	})
	rows, err := st.Pool().Query(ctx, "SELECT key, run_id FROM "+pgx.Identifier{st.SchemaName()}.Sanitize()+".slots")
	if err != nil {
		t.Log(err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var k, r string
		rows.Scan(&k, &r)
		t.Logf("slot %s held by %s", k, r)
	}
}
