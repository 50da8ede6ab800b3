package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// stubAPI is this module's runtime and step packages as the analyzers'
// tests stub them; the fixture module replaces github.com/durable-go/durable
// with them, so the test does not depend on the real runtime building.
const stubAPI = "../../analyzers/internal/testdata/src/github.com/durable-go/durable"

const fixture = `package app

import (
	"context"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"example.com/app/clock"
)

type Order struct {
	ID string ` + "`json:\"id\"`" + `
}

var OrderCreated = runtime.NewEventType[Order]("shop/order.created", "1", nil)

var Stamp = runtime.NewFunction(runtime.FunctionOpts{ID: "stamp"}, OrderCreated.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		if err := step.Sleep(ctx, "pause", time.Minute); err != nil {
			return nil, err
		}
		return clock.Stamp(), nil
	})

var Audit = runtime.NewFunction(runtime.FunctionOpts{ID: "audit"}, OrderCreated.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "record-audit", func(ctx context.Context) (bool, error) {
			return clock.Record(in.Event.Data.ID), nil
		})
	})
`

// clock is another package: its side effect reaches app through a fact.
const clockSrc = `package clock

import "time"

func Stamp() string { return time.Now().Format(time.RFC3339) }

func Record(id string) bool { return id != "" }
`

// build builds durable-vet into a temporary directory.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "durable-vet")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// module lays out the stub API and the fixture module, and returns the
// fixture's directory.
func module(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	stub := filepath.Join(root, "durable")
	if err := os.CopyFS(stub, os.DirFS(stubAPI)); err != nil {
		t.Fatal(err)
	}
	app := filepath.Join(root, "app")
	files["go.mod"] = "module example.com/app\n\ngo 1.26\n\nrequire github.com/durable-go/durable v0.0.0\n\nreplace github.com/durable-go/durable => ../durable\n"
	files["../durable/go.mod"] = "module github.com/durable-go/durable\n\ngo 1.26\n"
	for name, content := range files {
		p := filepath.Join(app, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// os.CopyFS keeps read-only modes from a read-only checkout; make the
	// tree removable.
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			os.Chmod(p, 0o755)
		}
		return nil
	})
	return app
}

func goVet(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"vet"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String()
}

// TestGoVet runs durable-vet through go vet itself.
func TestGoVet(t *testing.T) {
	bin := build(t)
	dir := module(t, map[string]string{"app/app.go": fixture, "clock/clock.go": clockSrc})

	code, out := goVet(t, dir, "-vettool="+bin, "./...")
	want := `app/app.go:23:10: wall-clock read time.Now outside a step in durable function "stamp" via clock.Stamp → time.Now: it runs again on every replay; move it into step.Run`
	if code != 1 || !strings.Contains(out, want) || strings.Count(out, ": wall-clock read") != 1 || strings.Contains(out, "audit") {
		t.Errorf("go vet -vettool: exit %d\n%s\nwant a line with:\n%s", code, out, want)
	}

	// Analyzer flags pass through go vet.
	code, out = goVet(t, dir, "-vettool="+bin, "-idempotency.calls=example.com/app/clock.Record", "./...")
	if code != 1 || !strings.Contains(out, `durable function "audit" makes the non-idempotent call clock.Record`) {
		t.Errorf("-idempotency.calls: exit %d\n%s", code, out)
	}
	// Analyzers can be turned off by name.
	code, out = goVet(t, dir, "-vettool="+bin, "-sideeffect=false", "./...")
	if code != 0 || strings.TrimSpace(out) != "" {
		t.Errorf("-sideeffect=false: exit %d\n%s", code, out)
	}
}

// TestGoVetClean: a module that never imports a durable API passes.
func TestGoVetClean(t *testing.T) {
	bin := build(t)
	dir := module(t, map[string]string{"clock/clock.go": clockSrc, "main.go": "package main\n\nimport \"example.com/app/clock\"\n\nfunc main() { println(clock.Stamp()) }\n"})
	if code, out := goVet(t, dir, "-vettool="+bin, "./..."); code != 0 || strings.TrimSpace(out) != "" {
		t.Errorf("exit %d\n%s", code, out)
	}
}
