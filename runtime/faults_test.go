package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

// errInjected is the failure faultyStore gives a commit it fails.
var errInjected = errors.New("injected store fault (disk full, database locked)")

// faultyStore is a real store whose commits fail when fail says so: the
// Update's function runs, then returns errInjected, so that everything it
// did is rolled back exactly as when a COMMIT fails. It logs the step
// writes of the Updates that did commit.
type faultyStore struct {
	store.Store
	// fail decides, from the step writes of an Update, whether it fails.
	fail      func(writes []store.Step) bool
	mu        sync.Mutex
	committed []store.Step
	locked    atomic.Int64 // UnixNano until which every Update and View fails
	// rerun makes every Update run its function twice, as a store that
	// retries a transaction does: the first run's commit fails (it is
	// rolled back) and the transaction is run again.
	rerun atomic.Bool
	// insertRun, if set, may fail an InsertRun (a unique-key violation).
	insertRun func(r store.Run) error
}

func (s *faultyStore) isLocked() bool { return time.Now().UnixNano() < s.locked.Load() }

func (s *faultyStore) lockFor(d time.Duration) { s.locked.Store(time.Now().Add(d).UnixNano()) }

func (s *faultyStore) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	if s.isLocked() {
		return errInjected
	}
	var writes []store.Step
	if s.rerun.Load() {
		err := s.Store.Update(ctx, func(tx store.Tx) error {
			if err := fn(&recordingTx{Tx: tx, writes: &writes, s: s}); err != nil {
				return err
			}
			return errInjected
		})
		if !errors.Is(err, errInjected) {
			return err
		}
	}
	failed := false
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		writes = writes[:0]
		if err := fn(&recordingTx{Tx: tx, writes: &writes, s: s}); err != nil {
			return err
		}
		// Decided once per Update: the store may call fn again.
		if !failed && s.fail != nil {
			failed = s.fail(writes)
		}
		if failed {
			return errInjected
		}
		return nil
	})
	if err == nil {
		s.mu.Lock()
		s.committed = append(s.committed, writes...)
		s.mu.Unlock()
	}
	return err
}

func (s *faultyStore) View(ctx context.Context, fn func(tx store.Tx) error) error {
	if s.isLocked() {
		return errInjected
	}
	return s.Store.View(ctx, fn)
}

// stopFaulty stops eng before its store's record of commits is read: a
// run is seen ended as soon as its last transaction commits, a moment
// before the Update that wrote it returns and the record is kept.
func stopFaulty(t *testing.T, eng *runtime.Engine) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := eng.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

// commitsOf counts the committed writes of step key of run with status.
func (s *faultyStore) commitsOf(run, key string, status store.StepStatus) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, w := range s.committed {
		if w.RunID == run && w.Key == key && w.Status == status {
			n++
		}
	}
	return n
}

// recordingTx notes the steps an Update writes.
type recordingTx struct {
	store.Tx
	writes *[]store.Step
	s      *faultyStore
}

func (t *recordingTx) InsertRun(ctx context.Context, r store.Run) error {
	if t.s.insertRun != nil {
		if err := t.s.insertRun(r); err != nil {
			return err
		}
	}
	return t.Tx.InsertRun(ctx, r)
}

func (t *recordingTx) PutStep(ctx context.Context, s store.Step) error {
	err := t.Tx.PutStep(ctx, s)
	if err == nil {
		*t.writes = append(*t.writes, s)
	}
	return err
}

func (t *recordingTx) PutOwnedStep(ctx context.Context, s store.Step, owner string) (bool, error) {
	ok, err := t.Tx.PutOwnedStep(ctx, s, owner)
	if ok && err == nil {
		*t.writes = append(*t.writes, s)
	}
	return ok, err
}

// faultWorkload is three runs of three steps under a concurrency limit of
// one: while a run is stuck, the others are blocked behind it. The steps
// run one after another (a, b, c) or, parallel, in two branches (a then b;
// c). It counts each step's effects and the most runs ever executing a
// step at once.
type faultWorkload struct {
	fn        *runtime.Function
	mu        sync.Mutex
	effects   map[string]int // "<run> <step>"
	active    map[string]int // steps executing, per run
	maxActive int            // the most runs ever executing steps at once
	onEffect  func(run, step string)
}

func newFaultWorkload(parallel bool) *faultWorkload {
	w := &faultWorkload{effects: map[string]int{}, active: map[string]int{}}
	w.fn = runtime.NewFunction(runtime.FunctionOpts{ID: "faulted", Retries: runtime.Retries(0),
		Concurrency: []runtime.Concurrency{{Limit: 1, Key: `"one"`}}},
		orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			steps := func(ids ...string) func(ctx context.Context) (string, error) {
				return func(ctx context.Context) (string, error) {
					return "", w.steps(ctx, in.RunID, ids...)
				}
			}
			if parallel {
				_, err := step.Parallel(ctx, steps("a", "b"), steps("c"))
				return "done", err
			}
			_, err := steps("a", "b", "c")(ctx)
			return "done", err
		})
	return w
}

func (w *faultWorkload) steps(ctx context.Context, runID string, ids ...string) error {
	for _, id := range ids {
		if _, err := step.Run(ctx, id, func(ctx context.Context) (string, error) {
			w.mu.Lock()
			w.effects[runID+" "+id]++
			w.active[runID]++
			w.maxActive = max(w.maxActive, len(w.active))
			w.mu.Unlock()
			defer func() {
				w.mu.Lock()
				if w.active[runID]--; w.active[runID] == 0 {
					delete(w.active, runID)
				}
				w.mu.Unlock()
			}()
			if w.onEffect != nil {
				w.onEffect(runID, id)
			}
			time.Sleep(5 * time.Millisecond)
			return id, nil
		}); err != nil {
			return err
		}
	}
	return nil
}

func (w *faultWorkload) effectsOf(run, step string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.effects[run+" "+step]
}

// startFaulty starts an engine on a faultyStore with a short lease and the
// wall clock (leases and heartbeats are what is tested).
func startFaulty(t *testing.T, fs *faultyStore, lease time.Duration, fns ...*runtime.Function) *runtime.Engine {
	t.Helper()
	return startFaultyWith(t, fs, runtime.Options{Functions: fns, LeaseDuration: lease, PollInterval: 20 * time.Millisecond})
}

// startFaultyWith starts an engine with opts on a faultyStore over a new
// SQLite store.
func startFaultyWith(t *testing.T, fs *faultyStore, opts runtime.Options) *runtime.Engine {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "faults.db"), sqlite.Synchronous("OFF"))
	if err != nil {
		t.Fatal(err)
	}
	fs.Store = st
	opts.Store = fs
	eng, err := runtime.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := eng.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
		st.Close()
	})
	return eng
}

// awaitAll waits until every run of fnID has ended, and returns them with
// their steps.
func awaitAll(t *testing.T, eng *runtime.Engine, fnID string, want int, within time.Duration) []runtime.RunInfo {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(within)
	for {
		runs, err := runList(eng.Runs(ctx, runtime.RunFilter{FunctionID: fnID}))
		if err != nil && !errors.Is(err, errInjected) {
			t.Fatal(err)
		}
		ended := 0
		for _, r := range runs {
			if r.Status.Terminal() {
				ended++
			}
		}
		if err == nil && len(runs) == want && ended == want {
			var out []runtime.RunInfo
			for _, r := range runs {
				info, err := eng.Run(ctx, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, info)
			}
			return out
		}
		if time.Now().After(deadline) {
			var states []string
			for _, r := range runs {
				states = append(states, fmt.Sprintf("%s %s", r.ID, r.Status))
			}
			t.Fatalf("after %v, %d of %d runs ended: %v (the engine is wedged)", within, ended, want, states)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkFaultOutcome asserts what must hold whatever failed: every run
// completed with each step completed once; no step's outcome committed
// twice; no step's function ran more often than its recorded attempts;
// the concurrency limit held.
func checkFaultOutcome(t *testing.T, fs *faultyStore, w *faultWorkload, runs []runtime.RunInfo) {
	t.Helper()
	for _, r := range runs {
		if r.Status != runtime.RunCompleted || string(r.Output) != `"done"` {
			t.Errorf("run %s: %s (%s), output %s; want completed, \"done\"", r.ID, r.Status, r.Error, r.Output)
			continue
		}
		if len(r.Steps) != 3 {
			t.Errorf("run %s: %d steps, want a, b, c", r.ID, len(r.Steps))
		}
		for _, s := range r.Steps {
			if s.Status != runtime.StepCompleted {
				t.Errorf("run %s step %s: %s, want completed", r.ID, s.ID, s.Status)
			}
			if n := fs.commitsOf(r.ID, s.Key, store.StepCompleted); n != 1 {
				t.Errorf("run %s step %s: completion committed %d times, want once", r.ID, s.ID, n)
			}
			if e := w.effectsOf(r.ID, s.ID); e < 1 || e > s.Attempts {
				t.Errorf("run %s step %s: function ran %d times, recorded attempts %d; want 1 <= runs <= attempts", r.ID, s.ID, e, s.Attempts)
			}
		}
	}
	w.mu.Lock()
	m := w.maxActive
	w.mu.Unlock()
	if m > 1 {
		t.Errorf("%d runs executed at once under a concurrency limit of 1", m)
	}
}

// A commit fails a few times, then works: the run is released by the
// process that abandoned it (its lease is not kept alive by the heartbeat),
// completes, and the runs blocked behind its concurrency slot proceed.
func TestFaultCommitFailsThenWorks(t *testing.T) {
	for _, tc := range []struct {
		parallel bool
		failures int
	}{{false, 1}, {false, 3}, {true, 1}, {true, 3}} {
		failures := tc.failures
		t.Run(fmt.Sprintf("parallel=%v/%d failures", tc.parallel, failures), func(t *testing.T) {
			w := newFaultWorkload(tc.parallel)
			var victim atomic.Value // the run whose completion of "b" fails
			var left atomic.Int32
			left.Store(int32(failures))
			fs := &faultyStore{fail: func(writes []store.Step) bool {
				for _, s := range writes {
					if s.ID != "b" || s.Status != store.StepCompleted {
						continue
					}
					victim.CompareAndSwap(nil, s.RunID)
					if victim.Load() == s.RunID && left.Add(-1) >= 0 {
						return true
					}
				}
				return false
			}}
			// A lease far longer than the test: only a release by this
			// process can free the run.
			eng := startFaulty(t, fs, time.Minute, w.fn)
			for i := range 3 {
				if _, err := eng.Send(context.Background(), runtime.Event{Name: "shop/order.created", ID: fmt.Sprintf("order-%d", i), Data: order{}}); err != nil {
					t.Fatal(err)
				}
			}
			runs := awaitAll(t, eng, "faulted", 3, 20*time.Second)
			stopFaulty(t, eng)
			checkFaultOutcome(t, fs, w, runs)
			v, _ := victim.Load().(string)
			if v == "" {
				t.Fatal("no commit was failed: the fault was not injected")
			}
			for _, r := range runs {
				if r.ID != v {
					continue
				}
				// Each failed commit lost an outcome of "b", which ran
				// again, and each attempt was counted. In a row, "c" never
				// started before "b" was committed; in parallel it may
				// have run again too (its outcome may have been in the
				// failed commit).
				for _, s := range r.Steps {
					want := 1
					if s.ID == "b" {
						want = failures + 1
					} else if tc.parallel && s.ID == "c" {
						continue
					}
					if s.Attempts != want || w.effectsOf(r.ID, s.ID) != want {
						t.Errorf("run %s step %s: %d attempts, ran %d times; want %d", r.ID, s.ID, s.Attempts, w.effectsOf(r.ID, s.ID), want)
					}
				}
			}
		})
	}
}

// The store is locked (every Update and View fails) for longer than the
// lease while a run executes: the engine recovers once it is unlocked,
// without a restart.
func TestFaultStoreLockedLongerThanLease(t *testing.T) {
	for _, parallel := range []bool{false, true} {
		t.Run(fmt.Sprintf("parallel=%v", parallel), func(t *testing.T) { testStoreLocked(t, parallel) })
	}
}

func testStoreLocked(t *testing.T, parallel bool) {
	const lease = 300 * time.Millisecond
	w := newFaultWorkload(parallel)
	fs := &faultyStore{}
	var once sync.Once
	var unlocked atomic.Int64
	w.onEffect = func(_, step string) {
		if step == "b" {
			once.Do(func() {
				fs.lockFor(3 * lease)
				unlocked.Store(time.Now().Add(3 * lease).UnixNano())
			})
		}
	}
	eng := startFaulty(t, fs, lease, w.fn)
	for i := range 3 {
		// The first run may lock the store before the last event is sent:
		// the sender retries, as an application would.
		for deadline := time.Now().Add(10 * time.Second); ; {
			_, err := eng.Send(context.Background(), runtime.Event{Name: "shop/order.created", ID: fmt.Sprintf("order-%d", i), Data: order{}})
			if err == nil {
				break
			}
			if !errors.Is(err, errInjected) || time.Now().After(deadline) {
				t.Fatal(err)
			}
			time.Sleep(lease / 10)
		}
	}
	runs := awaitAll(t, eng, "faulted", 3, 20*time.Second)
	if unlocked.Load() == 0 {
		t.Fatal("the store was never locked")
	}
	stopFaulty(t, eng)
	checkFaultOutcome(t, fs, w, runs)
	var last time.Time
	for _, r := range runs {
		if r.EndedAt.After(last) {
			last = r.EndedAt
		}
	}
	if !last.After(time.Unix(0, unlocked.Load())) {
		t.Errorf("every run ended before the lock was lifted: the lock tested nothing")
	}
}
