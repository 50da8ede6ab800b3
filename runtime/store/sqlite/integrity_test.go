package sqlite

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// openDamaged opens path and checks that Open refuses it with a
// *DamageError on file whose message contains each of want.
func openDamaged(t *testing.T, path, file string, want []string, opts ...Option) {
	t.Helper()
	s, err := Open(path, opts...)
	if err == nil {
		s.Close()
		t.Fatalf("Open %s succeeded; want it refused as damaged", path)
	}
	var d *DamageError
	if !errors.As(err, &d) || !errors.Is(err, ErrDamaged) {
		t.Fatalf("Open %s: %v; want a *DamageError", path, err)
	}
	if d.File != file {
		t.Errorf("DamageError.File = %s, want %s", d.File, file)
	}
	if d.Advice == "" {
		t.Errorf("error %q says nothing about what to do", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q should contain %q", err, w)
		}
	}
}

// TestCrashedOwnerFiles kills a process that committed 20 transactions,
// which are then only in the -wal file, and opens what it left behind
// after deleting or cutting files beside the database.
func TestCrashedOwnerFiles(t *testing.T) {
	const committed = 20
	cases := []struct {
		name   string
		mutate func(t *testing.T, path string)
		// damaged names the file the refusal must name ("" if Open must
		// succeed) and want what the message must contain.
		damaged func(path string) string
		want    []string
		// kept is how many of the crashed owner's commits Open must find.
		kept int
	}{
		{name: "intact", mutate: func(*testing.T, string) {}, kept: committed},
		{name: "history deleted", mutate: remove(historySuffix), kept: committed},
		{name: "-wal deleted", mutate: remove("-wal"),
			damaged: suffix("-wal"), want: []string{"missing", "-shm says it held", "not yet copied"}},
		// A -shm file older than the boot is no evidence (it was never synced
		// to disk); the commit count still is.
		{name: "-wal deleted, -shm from before a reboot", mutate: func(t *testing.T, path string) {
			if bootTime().IsZero() {
				t.Skip("the boot time is unknown on this system")
			}
			remove("-wal")(t, path)
			old := bootTime().Add(-time.Hour)
			if err := os.Chtimes(path+"-shm", old, old); err != nil {
				t.Fatal(err)
			}
		}, damaged: suffix(""), want: []string{"the last 20 committed transactions are missing"}},
		{name: "-wal cut short", mutate: func(t *testing.T, path string) {
			fi, err := os.Stat(path + "-wal")
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path+"-wal", fi.Size()/2); err != nil {
				t.Fatal(err)
			}
		}, damaged: suffix("-wal"), want: []string{"cut off"}},
		{name: "-wal and -shm deleted", mutate: remove("-wal", "-shm"),
			damaged: suffix(""), want: []string{"the last 20 committed transactions are missing", historySuffix}},
		{name: "database moved without its -wal", mutate: func(t *testing.T, path string) {
			if err := os.Rename(path, moved(path)); err != nil {
				t.Fatal(err)
			}
		}, damaged: func(path string) string { return moved(path) }, want: []string{"last opened as", "-wal"}},
		// The documented limit: with the history and the -shm file gone too,
		// nothing is left that knew about the lost commits.
		{name: "-wal, -shm and history deleted", mutate: remove("-wal", "-shm", historySuffix), kept: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := tempDB(t)
			fill(t, path, 50, 100)
			startHolder(t, path, committed).kill()
			if _, err := os.Stat(path + "-wal"); err != nil {
				t.Fatalf("the crashed owner left no -wal file: %v", err)
			}
			tc.mutate(t, path)
			open := path
			if strings.Contains(tc.name, "moved") {
				open = moved(path)
			}
			if tc.damaged != nil {
				openDamaged(t, open, tc.damaged(path), tc.want)
				return
			}
			s, err := Open(open)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			if got := countState(t, s, "k", 50); got != 50 {
				t.Errorf("%d of the 50 rows committed before the crash are there", got)
			}
			if got := countState(t, s, "c", committed); got != tc.kept {
				t.Errorf("%d of the crashed owner's %d commits are there, want %d", got, committed, tc.kept)
			}
		})
	}
}

func moved(path string) string { return filepath.Join(filepath.Dir(path), "moved.db") }

func suffix(s string) func(string) string { return func(path string) string { return path + s } }

func remove(suffixes ...string) func(*testing.T, string) {
	return func(t *testing.T, path string) {
		for _, s := range suffixes {
			if err := os.Remove(path + s); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestDamagedDatabaseFile damages a database that was closed cleanly.
func TestDamagedDatabaseFile(t *testing.T) {
	const pageSize = 4096
	overwrite := func(off int64, b []byte) func(*testing.T, string) {
		return func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt(b, off); err != nil {
				t.Fatal(err)
			}
		}
	}
	garbage := make([]byte, pageSize)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(rng.Uint32())
	}
	cases := []struct {
		name   string
		mutate func(*testing.T, string)
		opts   []Option
		want   []string // nil: Open must succeed
	}{
		{name: "zero length", mutate: func(t *testing.T, path string) {
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
		}, want: []string{"empty (0 bytes)", historySuffix, "delete"}},
		{name: "missing", mutate: remove(""), want: []string{"missing", historySuffix}},
		{name: "zero length without history", mutate: func(t *testing.T, path string) {
			remove(historySuffix)(t, path)
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
		}}, // nothing says it held data: a new database
		{name: "header overwritten", mutate: overwrite(0, []byte("garbage garbage!")), want: []string{"does not start with the SQLite header"}},
		{name: "page size overwritten", mutate: overwrite(16, []byte{0x12, 0x34}), want: []string{"page size 4660"}},
		{name: "shorter than the header", mutate: func(t *testing.T, path string) {
			if err := os.Truncate(path, 50); err != nil {
				t.Fatal(err)
			}
		}, want: []string{"too short"}},
		{name: "last page cut off", mutate: func(t *testing.T, path string) {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, fi.Size()-pageSize); err != nil {
				t.Fatal(err)
			}
		}, want: []string{"cut short"}},
		{name: "ragged end", mutate: func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.Write([]byte("tail")); err != nil {
				t.Fatal(err)
			}
		}, want: []string{"not a whole number"}},
		{name: "garbage page, quick check always", mutate: overwrite(20*pageSize, garbage),
			opts: []Option{QuickCheck(QuickCheckAlways)}, want: []string{"quick_check"}},
		// After a clean Close the default skips quick_check: the page is
		// found bad when a query reads it (the documented limit).
		{name: "garbage page, default after clean close", mutate: overwrite(20*pageSize, garbage)},
		{name: "another store's database", mutate: func(t *testing.T, path string) {
			other := filepath.Join(t.TempDir(), "other.db")
			fill(t, other, 1, 1)
			b, err := os.ReadFile(other)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}, want: []string{"the file was replaced"}},
		{name: "older copy restored", mutate: func(t *testing.T, path string) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			fill(t, path, 200, 10) // two more commits
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}, want: []string{"the last 2 committed transactions are missing"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := tempDB(t)
			fill(t, path, 2000, 100) // about 60 pages
			tc.mutate(t, path)
			if tc.want != nil {
				openDamaged(t, path, path, tc.want, tc.opts...)
				return
			}
			s, err := Open(path, tc.opts...)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			s.Close()
		})
	}
}

// TestGarbagePageAfterCrash: after a crash the default checks every page.
func TestGarbagePageAfterCrash(t *testing.T) {
	path := tempDB(t)
	fill(t, path, 2000, 100)
	startHolder(t, path, 0).kill()
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(i*7 + 3)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(garbage, 20*4096); err != nil {
		t.Fatal(err)
	}
	f.Close()
	openDamaged(t, path, path, []string{"quick_check"})
	// QuickCheckNever leaves it to the queries.
	s, err := Open(path, QuickCheck(QuickCheckNever))
	if err != nil {
		t.Fatalf("Open with QuickCheckNever: %v", err)
	}
	s.Close()
}

func TestHistoryRecord(t *testing.T) {
	h := history{identity: "0123456789abcdef0123456789abcdef", commits: 1234567, pid: 42, open: true}
	rec := h.appendTo(nil)
	if len(rec) != historySize {
		t.Fatalf("record is %d bytes, want %d", len(rec), historySize)
	}
	if got, err := parseHistory(rec); err != nil || got != h {
		t.Fatalf("parseHistory(appendTo(%+v)) = %+v, %v", h, got, err)
	}
	flip := func(i int) []byte {
		b := append([]byte(nil), rec...)
		b[i] ^= 1
		return b
	}
	cases := []struct {
		name string
		rec  []byte
		want string
	}{
		{"count changed", flip(strings.Index(string(rec), "1234567")), "checksum"},
		{"torn", rec[:40], "no checksum"},
		{"checksum changed", flip(strings.Index(string(rec), "crc ") + 5), "checksum"},
		{"other format", history{}.appendTo([]byte("x")), "unknown format"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := parseHistory(tc.rec); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parseHistory: %v; want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestUnreadableHistory: a history that does not parse is reported, not
// ignored, and deleting it, as the error says, lets the database open.
func TestUnreadableHistory(t *testing.T) {
	path := tempDB(t)
	fill(t, path, 1, 1)
	if err := os.WriteFile(path+historySuffix, []byte("durable sqlite store history v1\nstore x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	openDamaged(t, path, path+historySuffix, []string{"unreadable", "Delete it"})
	remove(historySuffix)(t, path)
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open after deleting the history: %v", err)
	}
	s.Close()
	if h, err := readHistory(path + historySuffix); err != nil || h.identity == "" || h.open {
		t.Errorf("history after Open and Close = %+v, %v; want the store's identity, closed", h, err)
	}
}
