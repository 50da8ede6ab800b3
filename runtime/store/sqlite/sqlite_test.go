package sqlite

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
	"github.com/durable-go/durable/runtime/store/storetest"
)

func openTemp(t testing.TB, opts ...Option) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "test.db"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

// TestConformanceMaxBatch1 runs the suite with group commit off: every
// Update in its own transaction.
func TestConformanceMaxBatch1(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t, MaxBatch(1)) })
}

// rawDB opens the file with database/sql directly, bypassing the store.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

type migration struct {
	version   int
	appliedAt string
}

func appliedMigrations(t *testing.T, path string) []migration {
	t.Helper()
	rows, err := rawDB(t, path).Query(`SELECT version, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []migration
	for rows.Next() {
		var m migration
		if err := rows.Scan(&m.version, &m.appliedAt); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMigrationsVersionedAndIdempotent(t *testing.T) {
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("embedded migrations: %v, %v", files, err)
	}
	var want []int
	for _, f := range files {
		v, err := strconv.Atoi(strings.SplitN(filepath.Base(f), "_", 2)[0])
		if err != nil {
			t.Fatalf("migration %s has no version prefix", f)
		}
		want = append(want, v)
	}
	path := filepath.Join(t.TempDir(), "m.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.PutState(context.Background(), "k", []byte("kept")) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	first := appliedMigrations(t, path)
	if len(first) != len(want) {
		t.Fatalf("applied migrations %v, want versions %v", first, want)
	}
	for i, m := range first {
		if m.version != want[i] {
			t.Errorf("migration %d applied as version %d, want %d", i, m.version, want[i])
		}
	}
	for range 2 {
		s, err := Open(path)
		if err != nil {
			t.Fatalf("re-open: %v", err)
		}
		var v []byte
		err = s.View(context.Background(), func(tx store.Tx) error {
			var err error
			v, err = tx.GetState(context.Background(), "k")
			return err
		})
		s.Close()
		if err != nil || string(v) != "kept" {
			t.Errorf("after re-open: GetState = %q, %v; want the data kept", v, err)
		}
		again := appliedMigrations(t, path)
		if fmt.Sprint(again) != fmt.Sprint(first) {
			t.Errorf("re-open changed the applied migrations: %v, was %v", again, first)
		}
	}
}

func TestMigrationFromNewerSchemaIsLeftAlone(t *testing.T) {
	// A file migrated by a newer version of durable (a version above every
	// embedded one) is not migrated again.
	path := filepath.Join(t.TempDir(), "m.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := rawDB(t, path).Exec(`INSERT INTO schema_migrations (version) VALUES (9999)`); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatalf("open a file with a newer schema: %v", err)
	}
	s.Close()
	files, _ := fs.Glob(migrations, "migrations/*.sql")
	if got := appliedMigrations(t, path); len(got) != len(files)+1 || got[len(got)-1].version != 9999 {
		t.Errorf("applied migrations = %v", got)
	}
}

// TestZeroTimesAreNull checks the storage behind the contract "zero times
// are stored as NULL": other tools reading the file see no 1970 dates.
func TestZeroTimesAreNull(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	now := time.Now()
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.InsertRun(ctx, store.Run{ID: "r", FunctionID: "fn", Status: store.StatusQueued, Events: json.RawMessage(`[]`), CreatedAt: now, AvailableAt: now}); err != nil {
			return err
		}
		var zero time.Time
		if _, err := tx.UpdateRun(ctx, "r", store.RunCond{}, store.RunUpdate{EndedAt: &zero, Deadline: &zero}); err != nil {
			return err
		}
		return tx.PutStep(ctx, store.Step{RunID: "r", Key: "k", ID: "k", Kind: "run", Status: store.StepCompleted, StartedAt: now, UpdatedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	path := s.Path()
	s.Close()
	var nulls int
	var created int64
	err = rawDB(t, path).QueryRow(`SELECT (started_at IS NULL) + (ended_at IS NULL) + (lease_until IS NULL) + (deadline IS NULL)
		+ (SELECT wake_at IS NULL FROM steps WHERE run_id = 'r'), created_at FROM runs WHERE id = 'r'`).Scan(&nulls, &created)
	if err != nil {
		t.Fatal(err)
	}
	if nulls != 5 {
		t.Errorf("%d of 5 zero times are NULL", nulls)
	}
	if created != now.UnixNano() {
		t.Errorf("created_at = %d, want %d (nanoseconds since the epoch)", created, now.UnixNano())
	}
}

func TestSecondOpenFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path)
	if err == nil {
		s2.Close()
		t.Fatal("second Open of a file in use succeeded")
	}
	if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "in use") {
		t.Errorf("second Open error %q should name the file and say it is in use", msg)
	}
	// The first store is unaffected, and once it is closed the file opens.
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.PutState(context.Background(), "k", []byte("v")) }); err != nil {
		t.Errorf("first store after a failed second Open: %v", err)
	}
	s.Close()
	s3, err := Open(path)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	s3.Close()
}

func TestBadOptions(t *testing.T) {
	cases := []struct {
		name string
		opt  Option
		want string
	}{
		{"synchronous", Synchronous("bogus"), "bogus"},
		{"synchronous empty", Synchronous(""), "synchronous"},
		{"max batch zero", MaxBatch(0), "MaxBatch 0"},
		{"max batch negative", MaxBatch(-3), "MaxBatch -3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.db")
			s, err := Open(path, tc.opt)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tc.want)) {
				t.Errorf("error %q should mention %q", err, tc.want)
			}
			// Nothing is left locked.
			s, err = Open(path)
			if err != nil {
				t.Fatalf("Open with good options after a bad one: %v", err)
			}
			s.Close()
		})
	}
	for _, mode := range []string{"full", "NORMAL", "Off", "extra"} {
		s := openTemp(t, Synchronous(mode))
		if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.PutState(context.Background(), "k", nil) }); err != nil {
			t.Errorf("Synchronous(%q): %v", mode, err)
		}
	}
}

const childEnv = "DURABLE_SQLITE_TEST_CHILD"

// TestDeadOwnerChild is the process TestOpenRequeuesRunsOfDeadProcess kills:
// it leases runs in the database and waits to be killed.
func TestDeadOwnerChild(t *testing.T) {
	path := os.Getenv(childEnv)
	if path == "" {
		t.Skip("runs as the child of TestOpenRequeuesRunsOfDeadProcess")
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now()
	err = s.Update(ctx, func(tx store.Tx) error {
		runs, err := tx.ClaimRuns(ctx, "dead-process", now, now.Add(time.Hour), 10)
		if err == nil && len(runs) != 2 {
			err = fmt.Errorf("claimed %d runs, want 2", len(runs))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("claimed")
	time.Sleep(time.Minute)
	t.Fatal("not killed")
}

func TestOpenRequeuesRunsOfDeadProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dead.db")
	ctx := context.Background()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Minute)
	mk := func(id string, st store.Status) store.Run {
		return store.Run{ID: id, FunctionID: "fn", Status: st, Events: json.RawMessage(`[]`), CreatedAt: past, AvailableAt: past}
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		for _, r := range []store.Run{mk("q1", store.StatusQueued), mk("q2", store.StatusQueued), mk("done", store.StatusCompleted)} {
			if err := tx.InsertRun(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestDeadOwnerChild$", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	claimed := false
	sc := bufio.NewScanner(out)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if sc.Text() == "claimed" {
			claimed = true
			break
		}
	}
	if !claimed {
		cmd.Wait()
		t.Fatalf("child did not claim the runs; output:\n%s", strings.Join(lines, "\n"))
	}
	// While the child lives, the file is its own.
	if s, err := Open(path); err == nil {
		s.Close()
		t.Error("Open succeeded while another process has the file open")
	}
	cmd.Process.Kill()
	cmd.Wait()

	s, err = Open(path)
	if err != nil {
		t.Fatalf("Open after the owner died: %v", err)
	}
	defer s.Close()
	err = s.View(ctx, func(tx store.Tx) error {
		for id, want := range map[string]store.Status{"q1": store.StatusQueued, "q2": store.StatusQueued, "done": store.StatusCompleted} {
			r, err := tx.GetRun(ctx, id)
			if err != nil {
				return err
			}
			if r.Status != want || r.LeaseOwner != "" || !r.LeaseUntil.IsZero() {
				t.Errorf("run %s after re-open: %s owned by %q until %v; want %s with no lease", id, r.Status, r.LeaseOwner, r.LeaseUntil, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// They are claimable at once, although their leases ran for an hour.
	err = s.Update(ctx, func(tx store.Tx) error {
		runs, err := tx.ClaimRuns(ctx, "new", time.Now(), time.Now().Add(time.Minute), 10)
		if err == nil && len(runs) != 2 {
			t.Errorf("claimed %d runs after re-open, want 2", len(runs))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestUpdatePanicKeepsNothing(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutState(ctx, "k", []byte("v")); err != nil {
			return err
		}
		panic("boom")
	})
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("Update with a panicking fn returned %v", err)
	}
	err = s.View(ctx, func(tx store.Tx) error { _, err := tx.GetState(ctx, "k"); return err })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a panicking Update kept its write (err = %v)", err)
	}
}

func TestCloseWaitsForQueuedUpdates(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = s.Update(ctx, func(tx store.Tx) error { return tx.PutState(ctx, fmt.Sprint(i), []byte("v")) })
		})
	}
	time.Sleep(time.Millisecond)
	s.Close()
	wg.Wait()
	// Each Update either committed (nil) or never ran (ErrClosed); reopen and
	// check that the answers match the file.
	s2, err := Open(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	for i, uerr := range errs {
		err := s2.View(ctx, func(tx store.Tx) error { _, err := tx.GetState(ctx, fmt.Sprint(i)); return err })
		switch {
		case uerr == nil && err != nil:
			t.Errorf("Update %d reported success but its write is missing: %v", i, err)
		case errors.Is(uerr, store.ErrClosed) && !errors.Is(err, store.ErrNotFound):
			t.Errorf("Update %d reported ErrClosed but its write is there (%v)", i, err)
		case uerr != nil && !errors.Is(uerr, store.ErrClosed):
			t.Errorf("Update %d: %v", i, uerr)
		}
	}
}

// BenchmarkGroupCommit measures Updates per second with synchronous=FULL
// (every commit fsynced) and 1, 8 or 64 concurrent writers, each Update
// writing one event and one state row. With one writer, every Update pays
// an fsync; with more, Updates that arrive during a commit share the next.
func BenchmarkGroupCommit(b *testing.B) {
	for _, writers := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			s := openTemp(b, Synchronous("FULL"))
			ctx := context.Background()
			var next sync.Mutex
			i := 0
			take := func() (int, bool) {
				next.Lock()
				defer next.Unlock()
				if i >= b.N {
					return 0, false
				}
				i++
				return i, true
			}
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for range writers {
				wg.Go(func() {
					for {
						n, ok := take()
						if !ok {
							return
						}
						id := "ev-" + strconv.Itoa(n)
						err := s.Update(ctx, func(tx store.Tx) error {
							if _, err := tx.InsertEvent(ctx, store.Event{ID: id, Name: "bench", Envelope: json.RawMessage(`{}`), ReceivedAt: time.Now()}); err != nil {
								return err
							}
							return tx.PutState(ctx, id, []byte("v"))
						})
						if err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "updates/s")
		})
	}
}
