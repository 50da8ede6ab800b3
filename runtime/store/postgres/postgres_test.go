package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
	"github.com/durable-go/durable/runtime/store/storetest"
	"github.com/jackc/pgx/v5"
)

// testDSN is the database of the tests; they skip without it.
func testDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("DURABLE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("DURABLE_TEST_POSTGRES is not set (a postgres:// URL of a database the tests may create schemas in)")
	}
	return dsn
}

// testSchema returns a fresh schema name, dropped with everything in it
// when the test ends.
func testSchema(t testing.TB) string {
	t.Helper()
	dsn := testDSN(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "durable_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// openSchema opens a store on schema; it is closed when the test ends
// (before the schema is dropped: cleanups run last first).
func openSchema(t testing.TB, schema string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), testDSN(t), append([]Option{Schema(schema), MaxConns(8)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openTest(t testing.TB, opts ...Option) *Store {
	t.Helper()
	return openSchema(t, testSchema(t), opts...)
}

func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"ExtendedProtocol", nil},
		{"SimpleProtocol", []Option{SimpleProtocol()}},
		{"NoGroupCommit", []Option{GroupCommit(1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testDSN(t)
			t.Parallel()
			storetest.Run(t, func(t *testing.T) store.Store { return openTest(t, tc.opts...) })
		})
	}
}

var ctx = context.Background()

func ptr[T any](v T) *T { return &v }

// TestTakeSlotsAcrossProcesses: several stores ("processes", each with its
// own pool) take and give back slots of one key with a limit of 5 as fast as
// they can; the runs holding a slot, counted by the test as each Update
// commits, never exceed 5, and the slots table agrees at the end.
func TestTakeSlotsAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	schema := testSchema(t)
	const processes, workers, rounds, limit = 3, 4, 40, 5
	stores := make([]*Store, processes)
	for i := range stores {
		stores[i] = openSchema(t, schema)
	}
	l := []store.Limit{{Key: "k", Limit: limit}}
	var holding, peak, taken, refused atomic.Int64
	var wg sync.WaitGroup
	for p := range processes {
		for w := range workers {
			s := stores[p]
			wg.Go(func() {
				for i := range rounds {
					id := fmt.Sprintf("p%d-w%d-%d", p, w, i)
					var ok bool
					err := s.Update(ctx, func(tx store.Tx) error {
						var err error
						ok = false
						if ok, err = tx.TakeSlots(ctx, id, l); err != nil || !ok {
							return err
						}
						r := store.Run{ID: id, FunctionID: "fn", Status: store.StatusRunning, Events: json.RawMessage(`[]`),
							CreatedAt: time.Now(), AvailableAt: time.Now(), LeaseOwner: "p", LeaseUntil: time.Now().Add(time.Hour), Limits: l}
						return tx.InsertRun(ctx, r)
					})
					if err != nil {
						t.Errorf("take: %v", err)
						return
					}
					if !ok {
						refused.Add(1)
						continue
					}
					taken.Add(1)
					// Counted after the commit that took the slot and before the
					// commit that gives it back: an over-count is impossible
					// unless the store over-admitted.
					n := holding.Add(1)
					for {
						old := peak.Load()
						if n <= old || peak.CompareAndSwap(old, n) {
							break
						}
					}
					time.Sleep(10 * time.Millisecond)
					holding.Add(-1)
					err = s.Update(ctx, func(tx store.Tx) error {
						_, err := tx.UpdateRun(ctx, id, store.RunCond{}, store.RunUpdate{Status: ptr(store.StatusCompleted), ClearLease: true})
						return err
					})
					if err != nil {
						t.Errorf("release: %v", err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	if p := peak.Load(); p > limit {
		t.Fatalf("%d runs held a slot at once, limit %d", p, limit)
	}
	// The test means something only if the key was full at times (the
	// peak seen here is a lower bound of the slots held: it may miss the
	// moments the key was full).
	if refused.Load() == 0 {
		t.Fatalf("no TakeSlots was refused (peak %d): the limit was never reached", peak.Load())
	}
	var left int
	if err := stores[0].pool.QueryRow(ctx, stores[0].sql(`SELECT COUNT(*) FROM $S.slots`)).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d slots left after every run completed", left)
	}
	t.Logf("%d taken, %d refused, peak %d", taken.Load(), refused.Load(), peak.Load())
}

// TestClaimLimitsAcrossProcesses: several stores claim and complete runs
// that share a concurrency key of limit 5; a checker reading the database
// throughout never sees more than 5 of them running, and every run
// completes (blocked runs are handed the slots freed).
func TestClaimLimitsAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	schema := testSchema(t)
	const processes, workers, runs, limit = 3, 3, 150, 5
	stores := make([]*Store, processes+1)
	for i := range stores {
		stores[i] = openSchema(t, schema)
	}
	checker := stores[processes]
	l := store.Limit{Key: "k", Limit: limit}
	start := time.Now()
	if err := checker.Update(ctx, func(tx store.Tx) error {
		for i := range runs {
			r := store.Run{ID: fmt.Sprintf("r%03d", i), FunctionID: "fn", Status: store.StatusQueued, Events: json.RawMessage(`[]`),
				CreatedAt: start, AvailableAt: start.Add(time.Duration(i)), Limits: []store.Limit{l}}
			if err := tx.InsertRun(ctx, r); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var peak atomic.Int64
	stop := make(chan struct{})
	checked := make(chan error, 1)
	go func() {
		for {
			var running int64
			err := checker.pool.QueryRow(ctx, checker.sql(`SELECT COUNT(*) FROM $S.runs WHERE status = 'running'`)).Scan(&running)
			if err != nil {
				checked <- err
				return
			}
			peak.Store(max(peak.Load(), running))
			select {
			case <-stop:
				checked <- nil
				return
			default:
			}
		}
	}()
	var completed atomic.Int64
	var wg sync.WaitGroup
	for p := range processes {
		for w := range workers {
			s, owner := stores[p], fmt.Sprintf("p%d-w%d", p, w)
			wg.Go(func() {
				deadline := time.Now().Add(2 * time.Minute)
				for completed.Load() < runs && time.Now().Before(deadline) {
					var got []store.Run
					err := s.Update(ctx, func(tx store.Tx) error {
						var err error
						got, err = tx.ClaimRuns(ctx, owner, time.Now(), time.Now().Add(time.Minute), 2)
						return err
					})
					if err != nil {
						t.Errorf("claim: %v", err)
						return
					}
					if len(got) == 0 {
						time.Sleep(time.Millisecond)
						continue
					}
					time.Sleep(2 * time.Millisecond)
					for _, r := range got {
						var ok bool
						err := s.Update(ctx, func(tx store.Tx) error {
							var err error
							ok, err = tx.UpdateRun(ctx, r.ID, store.RunCond{Owner: owner, Statuses: []store.Status{store.StatusRunning}},
								store.RunUpdate{Status: ptr(store.StatusCompleted), ClearLease: true})
							return err
						})
						if err != nil || !ok {
							t.Errorf("complete %s: %v, %v", r.ID, ok, err)
							return
						}
						completed.Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	close(stop)
	if err := <-checked; err != nil {
		t.Fatal(err)
	}
	if n := completed.Load(); n != runs {
		t.Fatalf("%d runs completed, want %d", n, runs)
	}
	if p := peak.Load(); p > limit {
		t.Fatalf("the checker saw %d runs of the key running at once, limit %d", p, limit)
	}
	t.Logf("peak %d running", peak.Load())
}

// TestStateReadModifyWriteAcrossProcesses: counters kept with GetState and
// PutState by several stores at once lose no increment (the flow-control
// windows are such read-modify-writes).
func TestStateReadModifyWriteAcrossProcesses(t *testing.T) {
	schema := testSchema(t)
	const processes, workers, rounds = 3, 4, 25
	stores := make([]*Store, processes)
	for i := range stores {
		stores[i] = openSchema(t, schema)
	}
	var wg sync.WaitGroup
	for p := range processes {
		for range workers {
			s := stores[p]
			wg.Go(func() {
				for range rounds {
					err := s.Update(ctx, func(tx store.Tx) error {
						v, err := tx.GetState(ctx, "counter")
						n := 0
						switch {
						case errors.Is(err, store.ErrNotFound):
						case err != nil:
							return err
						default:
							fmt.Sscan(string(v), &n)
						}
						return tx.PutState(ctx, "counter", []byte(fmt.Sprint(n+1)))
					})
					if err != nil {
						t.Errorf("Update: %v", err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	var v []byte
	if err := stores[0].View(ctx, func(tx store.Tx) error {
		var err error
		v, err = tx.GetState(ctx, "counter")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprint(processes * workers * rounds); string(v) != want {
		t.Errorf("counter = %s, want %s: increments were lost", v, want)
	}
}

// TestFencing: once a run is taken over (its lease expired and another
// process claimed it), the old owner's writes are refused, whether its check
// ran before or after the takeover committed.
func TestFencing(t *testing.T) {
	s := openTest(t)
	now := time.Now()
	r := store.Run{ID: "r", FunctionID: "fn", Status: store.StatusRunning, Events: json.RawMessage(`[]`),
		CreatedAt: now, AvailableAt: now, LeaseOwner: "old", LeaseUntil: now.Add(-time.Second)}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.InsertRun(ctx, r) }); err != nil {
		t.Fatal(err)
	}
	// The old owner's commit is under way (it checked its ownership, holding
	// the row) when the new owner tries to take the run over.
	oldChecked, takeoverDone := make(chan struct{}), make(chan error, 1)
	oldErr := make(chan error, 1)
	go func() {
		oldErr <- s.Update(ctx, func(tx store.Tx) error {
			ok, err := tx.PutOwnedStep(ctx, store.Step{RunID: "r", Key: "a", ID: "a", Kind: "run", Status: store.StepCompleted,
				StartedAt: now, UpdatedAt: now}, "old")
			if err != nil || !ok {
				return fmt.Errorf("PutOwnedStep by the owner = %v, %v", ok, err)
			}
			close(oldChecked)
			// Give the takeover every chance to slip in before this commit.
			time.Sleep(200 * time.Millisecond)
			select {
			case err := <-takeoverDone:
				return fmt.Errorf("the takeover committed (%v) while the owner's commit was under way", err)
			default:
				return nil
			}
		})
	}()
	<-oldChecked
	go func() {
		takeoverDone <- s.Update(ctx, func(tx store.Tx) error {
			if _, err := tx.ReleaseExpired(ctx, time.Now(), "new"); err != nil {
				return err
			}
			_, err := tx.ClaimRuns(ctx, "new", time.Now().Add(time.Hour), time.Now().Add(time.Hour), 10)
			return err
		})
	}()
	if err := <-oldErr; err != nil {
		t.Fatal(err)
	}
	if err := <-takeoverDone; err != nil {
		t.Fatal(err)
	}
	// Now the old owner is stale: every owner-conditioned write refuses it.
	err := s.Update(ctx, func(tx store.Tx) error {
		if ok, err := tx.OwnsRun(ctx, "r", "old"); err != nil || ok {
			return fmt.Errorf("OwnsRun(old) after takeover = %v, %v", ok, err)
		}
		if ok, err := tx.PutOwnedStep(ctx, store.Step{RunID: "r", Key: "b", ID: "b", Kind: "run", Status: store.StepCompleted,
			StartedAt: now, UpdatedAt: now}, "old"); err != nil || ok {
			return fmt.Errorf("PutOwnedStep(old) after takeover = %v, %v", ok, err)
		}
		if ok, err := tx.UpdateRun(ctx, "r", store.RunCond{Owner: "old"}, store.RunUpdate{Status: ptr(store.StatusCompleted)}); err != nil || ok {
			return fmt.Errorf("UpdateRun(owner old) after takeover = %v, %v", ok, err)
		}
		if ok, err := tx.OwnsRun(ctx, "r", "new"); err != nil || !ok {
			return fmt.Errorf("OwnsRun(new) = %v, %v", ok, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentCommitsOfOneRun: commits of one run by its owner that check
// ownership and then update the run (parallel steps going to sleep) take
// turns instead of deadlocking: each fn runs once.
func TestConcurrentCommitsOfOneRun(t *testing.T) {
	s := openTest(t)
	now := time.Now()
	r := store.Run{ID: "r", FunctionID: "fn", Status: store.StatusRunning, Events: json.RawMessage(`[]`),
		CreatedAt: now, AvailableAt: now, LeaseOwner: "me", LeaseUntil: now.Add(time.Hour)}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.InsertRun(ctx, r) }); err != nil {
		t.Fatal(err)
	}
	const n = 4
	var calls atomic.Int64
	var checked sync.WaitGroup
	checked.Add(n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			first := true
			err := s.Update(ctx, func(tx store.Tx) error {
				calls.Add(1)
				ok, err := tx.PutOwnedStep(ctx, store.Step{RunID: "r", Key: fmt.Sprint(i), ID: "s", Kind: "sleep", Status: store.StepSleeping,
					StartedAt: now, UpdatedAt: now}, "me")
				if err != nil || !ok {
					return fmt.Errorf("PutOwnedStep = %v, %v", ok, err)
				}
				if first {
					// Let the other commits reach their checks too, if they can.
					first = false
					checked.Done()
					waitTimeout(&checked, 200*time.Millisecond)
				}
				_, err = tx.UpdateRun(ctx, "r", store.RunCond{Owner: "me"}, store.RunUpdate{Error: ptr(fmt.Sprint("step ", i))})
				return err
			})
			if err != nil {
				t.Errorf("Update %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if got := calls.Load(); got != n {
		t.Errorf("fn ran %d times for %d Updates: commits of one run deadlocked and were retried", got, n)
	}
}

// waitTimeout waits for wg, or for d.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}

// TestUpdateRetriesDeadlock: two Updates that lock two runs in opposite
// orders deadlock; PostgreSQL aborts one, and Update runs its fn again, so
// both succeed. The two must be in different transactions, which two
// Updates of one store under group commit need not be (one group would run
// the first, which waits for the second, forever): they are Updates of one
// store without group commit, or of two stores (two processes) with it.
func TestUpdateRetriesDeadlock(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stores func(t *testing.T) [2]*Store
	}{
		{"one store without group commit", func(t *testing.T) [2]*Store {
			s := openTest(t, GroupCommit(1))
			return [2]*Store{s, s}
		}},
		{"two stores with group commit", func(t *testing.T) [2]*Store {
			schema := testSchema(t)
			return [2]*Store{openSchema(t, schema), openSchema(t, schema)}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stores := tc.stores(t)
			now := time.Now()
			if err := stores[0].Update(ctx, func(tx store.Tx) error {
				for _, id := range []string{"a", "b"} {
					if err := tx.InsertRun(ctx, store.Run{ID: id, FunctionID: "fn", Status: store.StatusQueued, Events: json.RawMessage(`[]`),
						CreatedAt: now, AvailableAt: now}); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			var calls atomic.Int64
			var bothLocked sync.WaitGroup
			bothLocked.Add(2)
			errs := make(chan error, 2)
			for i, order := range [][2]string{{"a", "b"}, {"b", "a"}} {
				go func() {
					attempt := 0
					errs <- stores[i].Update(ctx, func(tx store.Tx) error {
						calls.Add(1)
						attempt++
						if _, err := tx.UpdateRun(ctx, order[0], store.RunCond{}, store.RunUpdate{Error: ptr("by " + order[0])}); err != nil {
							return err
						}
						if attempt == 1 {
							// Both hold their first row before either asks for its second.
							bothLocked.Done()
							bothLocked.Wait()
						}
						_, err := tx.UpdateRun(ctx, order[1], store.RunCond{}, store.RunUpdate{Error: ptr("by " + order[0])})
						return err
					})
				}()
			}
			for range 2 {
				if err := <-errs; err != nil {
					t.Fatalf("Update: %v", err)
				}
			}
			if n := calls.Load(); n < 3 {
				t.Fatalf("fn ran %d times, want a retry after the deadlock (3)", n)
			}
		})
	}
}

// TestOpenConcurrently: processes starting together migrate once.
func TestOpenConcurrently(t *testing.T) {
	schema := testSchema(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			s, err := Open(ctx, testDSN(t), Schema(schema), MaxConns(2))
			if err != nil {
				errs[i] = err
				return
			}
			s.Close()
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s := openSchema(t, schema)
	var versions []int
	rows, err := s.pool.Query(ctx, s.sql(`SELECT version FROM $S.schema_migrations ORDER BY version`))
	if err != nil {
		t.Fatal(err)
	}
	versions, err = pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	files, err := migrationFiles()
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != len(files) || versions[len(versions)-1] != LatestVersion() {
		t.Fatalf("applied versions %v, want each of the %d files once, up to %d", versions, len(files), LatestVersion())
	}
	if v, err := s.Version(ctx); err != nil || v != LatestVersion() {
		t.Fatalf("Version = %d, %v; want %d", v, err, LatestVersion())
	}
	if v, err := Migrate(ctx, testDSN(t), Schema(schema)); err != nil || v != LatestVersion() {
		t.Fatalf("Migrate of a migrated schema = %d, %v; want %d", v, err, LatestVersion())
	}
}

// TestNewerSchemaRefused: a database migrated by a newer binary is refused,
// and the error names both versions.
func TestNewerSchemaRefused(t *testing.T) {
	schema := testSchema(t)
	s := openSchema(t, schema)
	newer := LatestVersion() + 7
	if _, err := s.pool.Exec(ctx, s.sql(`INSERT INTO $S.schema_migrations (version) VALUES ($1)`), newer); err != nil {
		t.Fatal(err)
	}
	_, err := Open(ctx, testDSN(t), Schema(schema))
	if err == nil {
		t.Fatal("Open of a database newer than the binary succeeded")
	}
	for _, want := range []string{fmt.Sprint(newer), fmt.Sprint(LatestVersion()), schema} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestBadOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []Option
		want string
	}{
		{"empty schema", []Option{Schema("")}, "empty"},
		{"attempts", []Option{MaxAttempts(0)}, "MaxAttempts"},
		{"conns", []Option{MaxConns(-1)}, "MaxConns"},
		{"group none", []Option{GroupCommit(0)}, "GroupCommit 0"},
		{"group over the subtransaction cache", []Option{GroupCommit(49)}, "GroupCommit 49: want 1 to 48"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(ctx, "postgres://127.0.0.1:1/none", tc.opts...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open = %v, want an error about %s", err, tc.want)
			}
		})
	}
}

// TestWakeups: a run made claimable in one process wakes another's
// listener; a transaction that makes nothing claimable does not.
func TestWakeups(t *testing.T) {
	schema := testSchema(t)
	sender, receiver := openSchema(t, schema), openSchema(t, schema)
	wake := receiver.Wakeups()
	// The first value says the listener is up (anything before went unheard).
	select {
	case <-wake:
	case <-time.After(10 * time.Second):
		t.Fatal("no wake-up when the listener connected")
	}
	quiet := func(what string) {
		t.Helper()
		select {
		case <-wake:
			t.Fatalf("woken after %s", what)
		case <-time.After(300 * time.Millisecond):
		}
	}
	woken := func(what string) {
		t.Helper()
		select {
		case <-wake:
		case <-time.After(10 * time.Second):
			t.Fatalf("not woken after %s", what)
		}
	}
	now := time.Now()
	put := func(fn func(tx store.Tx) error) {
		t.Helper()
		if err := sender.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	put(func(tx store.Tx) error { return tx.PutState(ctx, "k", []byte("v")) })
	quiet("a state write")
	put(func(tx store.Tx) error {
		return tx.InsertRun(ctx, store.Run{ID: "r", FunctionID: "fn", Status: store.StatusQueued, Events: json.RawMessage(`[]`), CreatedAt: now, AvailableAt: now})
	})
	woken("a queued run")
	put(func(tx store.Tx) error {
		_, err := tx.ClaimRuns(ctx, "w", now, now.Add(time.Minute), 1)
		return err
	})
	quiet("a claim")
	put(func(tx store.Tx) error {
		_, err := tx.UpdateRun(ctx, "r", store.RunCond{Owner: "w"}, store.RunUpdate{Status: ptr(store.StatusSleeping), AvailableAt: ptr(now), ClearLease: true})
		return err
	})
	woken("a run put to sleep")
	if err := sender.Update(ctx, func(tx store.Tx) error {
		if err := tx.InsertRun(ctx, store.Run{ID: "r2", FunctionID: "fn", Status: store.StatusQueued, Events: json.RawMessage(`[]`), CreatedAt: now, AvailableAt: now}); err != nil {
			return err
		}
		return errors.New("rolled back")
	}); err == nil {
		t.Fatal("Update did not fail")
	}
	quiet("a rolled-back insert")
}

// TestGroupCommit: Updates made at the same time share transactions, each
// isolated by its savepoint (the conformance suite checks the isolation),
// and GroupCommit(1) gives each its own.
func TestGroupCommit(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    []Option
		grouped bool
	}{
		{"default", nil, true},
		{"off", []Option{GroupCommit(1)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t, tc.opts...)
			largest := storetest.LargestCommit(s)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range 64 {
				wg.Go(func() {
					<-start
					if err := s.Update(ctx, func(tx store.Tx) error {
						return tx.PutState(ctx, fmt.Sprint("k", i), []byte("v"))
					}); err != nil {
						t.Error(err)
					}
				})
			}
			close(start)
			wg.Wait()
			most := largest()
			if tc.grouped && most < 2 {
				t.Errorf("64 concurrent Updates: no transaction held more than %d", most)
			}
			if !tc.grouped && most != 1 {
				t.Errorf("GroupCommit(1): a transaction held %d Updates", most)
			}
		})
	}
}
