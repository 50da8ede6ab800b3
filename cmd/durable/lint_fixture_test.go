package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// durableBin is the durable binary the lint tests run: durable lint runs
// go vet with its own executable as the analysis tool, which the test
// binary cannot be. TestMain builds it once.
var durableBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "durable-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	durableBin = filepath.Join(dir, "durable")
	if out, err := exec.Command("go", "build", "-o", durableBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// lint runs the durable binary's lint command in dir, with extra
// environment variables (NAME=value).
func lint(t *testing.T, dir string, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(durableBin, append([]string{"lint"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// stubAPI is this module's runtime and step packages as the analyzers'
// tests stub them: a fixture module replaces github.com/durable-go/durable
// with them, so the lint tests do not depend on the real runtime building.
const stubAPI = "../../analyzers/internal/testdata/src/github.com/durable-go/durable"

// lintFixture lays out, in a temporary directory, the stub module and a
// module example.com/app (go.mod, then files copied from testdata/lint and
// extra ones: path → content), and returns the app module's directory.
func lintFixture(t *testing.T, extra map[string]string) string {
	t.Helper()
	root := t.TempDir()
	stub := filepath.Join(root, "durable")
	copyDir(t, stubAPI, stub)
	// Without Engine.Handler the stub does not import net/http, whose
	// ~150 dependencies go vet would analyze (once per build of the
	// durable binary; its cache keeps them) before the first test passes.
	rt := filepath.Join(stub, "runtime", "runtime.go")
	src, err := os.ReadFile(rt)
	if err != nil {
		t.Fatal(err)
	}
	noHTTP := strings.Replace(strings.Replace(string(src), "\t\"net/http\"\n", "", 1),
		"func (e *Engine) Handler() http.Handler ", "func (e *Engine) Handler() any ", 1)
	if strings.Contains(noHTTP, "http.") {
		t.Fatalf("the stub runtime uses net/http beyond Engine.Handler; update lintFixture")
	}
	write(t, rt, noHTTP)
	write(t, filepath.Join(stub, "go.mod"), "module github.com/durable-go/durable\n\ngo 1.26\n")
	app := filepath.Join(root, "app")
	copyDir(t, "testdata/lint", app)
	write(t, filepath.Join(app, "go.mod"), "module example.com/app\n\ngo 1.26\n\nrequire github.com/durable-go/durable v0.0.0\n\nreplace github.com/durable-go/durable => ../durable\n")
	for name, content := range extra {
		write(t, filepath.Join(app, name), content)
	}
	return app
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
