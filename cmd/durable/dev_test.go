package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDevSnapshot(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"go.mod", "main.go", "durable.yaml", "pkg/a.go", "pkg/a_test.go", "pkg/notes.txt",
		".durable/bin/x.go", ".git/x.go", "testdata/x.go", "vendor/x.go", "node_modules/x.go", "_tmp/x.go", "nested/go.mod", "nested/x.go"} {
		writeFile(t, filepath.Join(root, f), "package x\n")
	}
	snap := snapshot(root, filepath.Join(root, ".durable"))
	var got []string
	for p := range snap {
		rel, _ := filepath.Rel(root, p)
		got = append(got, filepath.ToSlash(rel))
	}
	slices.Sort(got)
	want := []string{"durable.yaml", "main.go", "pkg/a.go", "pkg/a_test.go"}
	if !slices.Equal(got, want) {
		t.Errorf("snapshot = %v, want %v", got, want)
	}

	later := time.Now().Add(time.Hour)
	tests := []struct {
		name   string
		change func()
		want   []string
	}{
		{"nothing", func() {}, nil},
		{"modified", func() { _ = os.Chtimes(filepath.Join(root, "main.go"), later, later) }, []string{"main.go"}},
		{"added", func() { writeFile(t, filepath.Join(root, "pkg/b.go"), "package pkg\n") }, []string{"pkg/b.go"}},
		{"removed", func() { _ = os.Remove(filepath.Join(root, "pkg/a_test.go")) }, []string{"pkg/a_test.go"}},
		{"catalog", func() { _ = os.Chtimes(filepath.Join(root, "durable.yaml"), later, later) }, []string{"durable.yaml"}},
		{"ignored", func() { writeFile(t, filepath.Join(root, "testdata/y.go"), "x") }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(root, filepath.Join(root, ".durable"))
			tc.change()
			var rel []string
			for _, p := range diffSnapshots(before, snapshot(root, filepath.Join(root, ".durable"))) {
				r, _ := filepath.Rel(root, p)
				rel = append(rel, filepath.ToSlash(r))
			}
			if !slices.Equal(rel, tc.want) {
				t.Errorf("changed = %v, want %v", rel, tc.want)
			}
		})
	}
}

func TestDevChangedPackages(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"main.go", "a/x.go", "a/y.go", "b/c/z.go"} {
		writeFile(t, filepath.Join(root, f), "package x\n")
	}
	t.Chdir(root)
	got := changedPackages([]string{
		filepath.Join(root, "a/x.go"), filepath.Join(root, "a/y.go"), filepath.Join(root, "b/c/z.go"),
		filepath.Join(root, "main.go"), filepath.Join(root, "durable.yaml"), filepath.Join(root, "gone/g.go"),
		filepath.Join(filepath.Dir(root), "outside.go"),
	})
	want := []string{"./a", "./b/c", "."}
	if !slices.Equal(got, want) {
		t.Errorf("changedPackages = %v, want %v", got, want)
	}
}

// TestDevWaitForChange: a burst of writes makes one rebuild, after the
// files stayed unchanged for the debounce time. The debounce is far above
// the writes' spacing, so a busy machine does not split the burst.
func TestDevWaitForChange(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "main.go"), "package main\n")
	c := &devConfig{root: root, dataDir: filepath.Join(root, ".durable"), poll: 10 * time.Millisecond, debounce: 600 * time.Millisecond}
	before := snapshot(root, c.dataDir)
	lastWrite := make(chan time.Time, 1)
	go func() {
		var last time.Time
		for i := range 5 {
			at := time.Now().Add(time.Duration(i+1) * time.Second)
			_ = os.Chtimes(filepath.Join(root, "main.go"), at, at)
			if i == 2 {
				_ = os.WriteFile(filepath.Join(root, "x.go"), []byte("package main\n"), 0o644)
			}
			last = time.Now()
			time.Sleep(30 * time.Millisecond)
		}
		lastWrite <- last
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	changed, after := c.waitForChange(ctx, before)
	returned := time.Now()
	want := []string{filepath.Join(root, "main.go"), filepath.Join(root, "x.go")}
	if !slices.Equal(changed, want) {
		t.Errorf("changed = %v, want %v", changed, want)
	}
	if len(after) != 2 {
		t.Errorf("new snapshot has %d files, want 2", len(after))
	}
	if quiet := returned.Sub(<-lastWrite); quiet < c.debounce {
		t.Errorf("returned %v after the last write, before the debounce time (%v)", quiet, c.debounce)
	}
	cancel()
	if changed, _ := c.waitForChange(ctx, after); changed != nil {
		t.Errorf("after cancel: %v", changed)
	}
}

func TestDevFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"./nope"}, "./nope is not a package directory"},
		{[]string{"-poll", "0s", "."}, "-poll must be positive"},
	} {
		var out, errb bytes.Buffer
		if code := runDev(context.Background(), tc.args, &out, &errb); code != 2 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("durable dev %v = %d, stderr %q; want 2 and %q", tc.args, code, errb.String(), tc.want)
		}
	}
}

// TestDevEndToEnd runs durable dev on a temporary module: it builds and
// starts the app with the dev settings (the UI answers on the address
// given, without login), prints lint findings, and rebuilds and restarts
// the app when a file changes. It builds the durable binary and the app
// (the pure-Go SQLite), so it runs only with DURABLE_SLOW_TESTS=1.
func TestDevEndToEnd(t *testing.T) {
	if os.Getenv("DURABLE_SLOW_TESTS") != "1" {
		t.Skip("builds durable and an app: set DURABLE_SLOW_TESTS=1")
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	durable := filepath.Join(tmp, "durable")
	build := exec.Command("go", "build", "-o", durable, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building durable: %v\n%s", err, out)
	}
	mod := filepath.Join(tmp, "app")
	goSum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	goMod, err := os.ReadFile(filepath.Join(repo, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	// The app's module requires what this one does, and this module
	// from the working tree.
	requires := string(goMod[bytes.Index(goMod, []byte("require")):])
	writeFile(t, filepath.Join(mod, "go.mod"), "module example.com/app\n\ngo 1.26.0\n\nrequire github.com/durable-go/durable v0.0.0\n\nreplace github.com/durable-go/durable => "+repo+"\n\n"+requires)
	writeFile(t, filepath.Join(mod, "go.sum"), string(goSum))
	writeFile(t, filepath.Join(mod, "cmd/app/main.go"), devApp1)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	cmd := exec.Command(durable, "dev", "-addr", addr, "-poll", "100ms", "./cmd/app")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	// A file, not a pipe: Wait does not wait for the app (which shares
	// it) to close it.
	out := outputFile(filepath.Join(tmp, "dev.out"))
	f, err := os.Create(string(out))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, f
	// Its own process group, so that the cleanup ends the app too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Logf("durable dev's output:\n%s", out.String())
	}()
	waitFor := func(what string, d time.Duration, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(d)
		for time.Now().Before(deadline) {
			if ok() {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("timed out waiting for %s", what)
	}
	contains := func(s string) func() bool { return func() bool { return strings.Contains(out.String(), s) } }
	waitFor("the app's first version", 10*time.Minute, contains("app version 1 on "+addr))
	uiAnswers := func() bool {
		resp, err := http.Get("http://" + addr + "/ui/functions")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode == 200 && strings.Contains(string(b), "greet") && strings.Contains(string(b), "dev mode")
	}
	waitFor("the UI in dev mode", 30*time.Second, uiAnswers)
	waitFor("the first lint", 5*time.Minute, contains("durable lint ./cmd/app"))
	if _, err := os.Stat(filepath.Join(mod, ".durable", "dev.db")); err != nil {
		t.Errorf("the app did not open its database under .durable: %v", err)
	}

	// A change: the app is rebuilt and restarted, and the changed
	// package's lint finding (a step ID used twice) is printed.
	writeFile(t, filepath.Join(mod, "cmd/app/main.go"), strings.Replace(strings.Replace(devApp1, "app version 1", "app version 2", 1),
		devGreetBody, devGreetBody2, 1))
	waitFor("the rebuilt app", 5*time.Minute, contains("app version 2 on "+addr))
	waitFor("the lint finding", 5*time.Minute, func() bool {
		// Printed by the lint that follows the change (the first may have
		// read the new file too).
		_, after, ok := strings.Cut(out.String(), "changed: cmd/app/main.go")
		return ok && strings.Contains(after, `cmd/app/main.go:28:10: stepid: step ID "greet-user" is already used`)
	})
	waitFor("the UI again", 30*time.Second, uiAnswers)
	if n := strings.Count(out.String(), "app started"); n != 2 {
		t.Errorf("the app was started %d times, want 2 (one build per change)", n)
	}

	// Interrupt: durable dev stops the app and exits 0.
	_ = cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("durable dev after an interrupt: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("durable dev did not stop on interrupt")
	}
	if uiAnswers() {
		t.Error("the app still answers after durable dev stopped")
	}
}

// outputFile is a file that a process writes its output to.
type outputFile string

func (o outputFile) String() string {
	b, _ := os.ReadFile(string(o))
	return string(b)
}

// devApp1 is the app of TestDevEndToEnd: it honours runtime.Dev().
const devApp1 = `package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

type greetData struct {
	Name string ` + "`json:\"name\"`" + `
}

var greeted = runtime.NewEventType[greetData]("app/user.greeted", "1", nil)

var greet = runtime.NewFunction(runtime.FunctionOpts{ID: "greet"}, greeted.Trigger(),
	func(ctx context.Context, in runtime.Input[greetData]) (any, error) {
		return step.Run(ctx, "greet-user", func(ctx context.Context) (string, error) { return "hello " + in.Event.Data.Name, nil })
	})

var _ = time.Second

func main() {
	dev := runtime.Dev()
	if !dev.On {
		fmt.Println("run me with durable dev")
		os.Exit(1)
	}
	st, err := sqlite.Open(dev.DBPath)
	if err != nil {
		panic(err)
	}
	defer st.Close()
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{greet}, Events: []runtime.EventDescriptor{greeted}})
	if err != nil {
		panic(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := eng.Start(ctx); err != nil {
		panic(err)
	}
	srv := &http.Server{Addr: dev.Addr, Handler: http.StripPrefix("/ui", eng.UI())}
	go srv.ListenAndServe()
	fmt.Println("app version 1 on " + dev.Addr)
	<-ctx.Done()
	srv.Close()
	eng.Stop(context.Background())
}
`

const devGreetBody = `		return step.Run(ctx, "greet-user", func(ctx context.Context) (string, error) { return "hello " + in.Event.Data.Name, nil })
`

// devGreetBody2 uses the step ID twice: a finding of the stepid analyzer.
const devGreetBody2 = `		a, err := step.Run(ctx, "greet-user", func(ctx context.Context) (string, error) { return "hello ", nil })
		if err != nil {
			return nil, err
		}
		return step.Run(ctx, "greet-user", func(ctx context.Context) (string, error) { return a + in.Event.Data.Name, nil })
`
