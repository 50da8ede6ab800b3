package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// helperEnv makes the test binary, run again as a child, open a database
// and hold it: "<commits>:<path>" opens path, commits that many state rows
// (keys c0, c1, ...), prints "ready <pid>" and waits to be killed.
const helperEnv = "DURABLE_SQLITE_TEST_HOLDER"

func TestHolderChild(t *testing.T) {
	spec := os.Getenv(helperEnv)
	if spec == "" {
		t.Skip("runs as the child of the tests that need a second process")
	}
	n, path, _ := strings.Cut(spec, ":")
	commits, err := strconv.Atoi(n)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range commits {
		err := s.Update(ctx, func(tx store.Tx) error { return tx.PutState(ctx, fmt.Sprint("c", i), []byte("committed")) })
		if err != nil {
			t.Fatal(err)
		}
	}
	fmt.Printf("ready %d\n", os.Getpid())
	time.Sleep(time.Minute)
	t.Fatal("not killed")
}

// holder is a child process holding a database.
type holder struct {
	cmd *exec.Cmd
	pid int
}

// startHolder runs TestHolderChild on path and waits until it holds the
// database and has committed commits state rows. The child is killed at
// the end of the test if it still runs.
func startHolder(t *testing.T, path string, commits int) *holder {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHolderChild$", "-test.v")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d:%s", helperEnv, commits, path))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &holder{cmd: cmd}
	t.Cleanup(h.kill)
	sc := bufio.NewScanner(out)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if rest, ok := strings.CutPrefix(sc.Text(), "ready "); ok {
			h.pid, _ = strconv.Atoi(rest)
			go io.Copy(io.Discard, out)
			return h
		}
	}
	cmd.Wait()
	t.Fatalf("the child did not get ready; its output:\n%s", strings.Join(lines, "\n"))
	return nil
}

// kill ends the child as a crash would: no Close, no checkpoint.
func (h *holder) kill() {
	if h.cmd.ProcessState == nil {
		h.cmd.Process.Kill()
		h.cmd.Wait()
	}
}

// fill opens path, commits n state rows (keys k0, k1, ...) of size bytes
// each in batches, and closes it.
func fill(t testing.TB, path string, n, size int) {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	value := []byte(strings.Repeat("v", size))
	for i := 0; i < n; i += 100 {
		err := s.Update(ctx, func(tx store.Tx) error {
			for j := i; j < min(i+100, n); j++ {
				if err := tx.PutState(ctx, fmt.Sprint("k", j), value); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// copyFiles copies the database at src and the files beside it to dst.
func copyFiles(t *testing.T, src, dst string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal", "-shm", historySuffix} {
		b, err := os.ReadFile(src + suffix)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst+suffix, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// countState counts the state rows whose key starts with prefix.
func countState(t *testing.T, s *Store, prefix string, n int) int {
	t.Helper()
	ctx := context.Background()
	found := 0
	err := s.View(ctx, func(tx store.Tx) error {
		for i := range n {
			_, err := tx.GetState(ctx, fmt.Sprint(prefix, i))
			switch {
			case err == nil:
				found++
			case err != store.ErrNotFound:
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func tempDB(t *testing.T) string { return filepath.Join(t.TempDir(), "app.db") }
