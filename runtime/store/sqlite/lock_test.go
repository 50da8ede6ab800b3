package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/durable-go/durable/runtime/store"
)

// TestOneOwnerPerFile opens a database that is held, by another Store of
// this process or by another process, under each name it can have, and
// after the files beside it are deleted: every Open must be refused with an
// error naming the file and the holder.
func TestOneOwnerPerFile(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the lock on the database file itself is Linux's; other systems lock a side file")
	}
	names := []struct {
		name string
		// alias makes another name for the database at path, or deletes
		// files beside it, and returns the name to open.
		alias func(t *testing.T, path string) string
		// hardLink: the name has its own -wal file, so after the holder
		// crashes it must be refused until the database is opened under
		// the name the holder used.
		hardLink bool
	}{
		{"same name", func(t *testing.T, path string) string { return path }, false},
		{"symlink", func(t *testing.T, path string) string {
			alias := filepath.Join(filepath.Dir(path), "alias.db")
			if err := os.Symlink(filepath.Base(path), alias); err != nil {
				t.Fatal(err)
			}
			return alias
		}, false},
		{"symlinked directory", func(t *testing.T, path string) string {
			dir := filepath.Join(t.TempDir(), "link")
			if err := os.Symlink(filepath.Dir(path), dir); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(dir, filepath.Base(path))
		}, false},
		{"hard link", func(t *testing.T, path string) string {
			hard := filepath.Join(filepath.Dir(path), "hard.db")
			if err := os.Link(path, hard); err != nil {
				t.Fatal(err)
			}
			return hard
		}, true},
		{"side files deleted", func(t *testing.T, path string) string {
			for _, suffix := range []string{"-lock", historySuffix} {
				if err := os.Remove(path + suffix); err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
			}
			return path
		}, false},
	}
	for _, n := range names {
		t.Run(n.name+"/same process", func(t *testing.T) {
			path := tempDB(t)
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			name := n.alias(t, path)
			checkRefused(t, name, func(e *InUseError) {
				if e.OpenedAs != path {
					t.Errorf("OpenedAs = %q, want %q", e.OpenedAs, path)
				}
			})
			// The refused Open must not have disturbed the holder.
			ctx := context.Background()
			if err := s.Update(ctx, func(tx store.Tx) error { return tx.PutState(ctx, "after", []byte("v")) }); err != nil {
				t.Fatalf("the holder after a refused Open: %v", err)
			}
			s.Close()
			s2, err := Open(name)
			if err != nil {
				t.Fatalf("Open %s after the holder closed: %v", name, err)
			}
			s2.Close()
		})
		t.Run(n.name+"/other process", func(t *testing.T) {
			path := tempDB(t)
			fill(t, path, 1, 1)
			h := startHolder(t, path, 1)
			name := n.alias(t, path)
			checkRefused(t, name, func(e *InUseError) {
				if e.PID != h.pid {
					t.Errorf("PID = %d, want the holder's %d", e.PID, h.pid)
				}
				if !strings.Contains(e.Error(), fmt.Sprintf("pid %d", h.pid)) {
					t.Errorf("error %q should name the holder's pid %d", e, h.pid)
				}
			})
			h.kill()
			if n.hardLink {
				s, err := Open(name)
				if err == nil {
					s.Close()
					t.Fatalf("Open %s after the holder crashed succeeded without the holder's -wal file", name)
				}
				if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), path+"-wal") {
					t.Fatalf("Open %s after the holder crashed: %v; want ErrDamaged naming %s-wal", name, err, path)
				}
				name = path
			}
			s, err := Open(name)
			if err != nil {
				t.Fatalf("Open %s after the holder died: %v", name, err)
			}
			defer s.Close()
			if got := countState(t, s, "c", 1); got != 1 {
				t.Errorf("the holder's commit is missing when opened as %s", name)
			}
		})
	}
}

func checkRefused(t *testing.T, name string, check func(*InUseError)) {
	t.Helper()
	s, err := Open(name)
	if err == nil {
		s.Close()
		t.Fatalf("Open %s succeeded while the database is held", name)
	}
	var inUse *InUseError
	if !errors.As(err, &inUse) {
		t.Fatalf("Open %s: %v; want an *InUseError", name, err)
	}
	if msg := err.Error(); !strings.Contains(msg, name) || !strings.Contains(msg, "in use") {
		t.Errorf("error %q should name %s and say it is in use", msg, name)
	}
	check(inUse)
}

// TestLastOwnerFromHistory: when the lock does not name its holder, the
// error names the process the history records as the last to open it.
func TestLastOwnerFromHistory(t *testing.T) {
	e := &InUseError{Path: "a.db", File: "/d/a.db", LastOwnerPID: 42}
	if msg := e.Error(); !strings.Contains(msg, "pid 42") || !strings.Contains(msg, "a.db (file /d/a.db)") {
		t.Errorf("error %q should name the last owner's pid and both names", msg)
	}
}
