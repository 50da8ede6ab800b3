package main

import (
	"bytes"
	"fmt"
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

// durableVet is the durable-vet binary the tests run, built once by TestMain.
var durableVet string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "durable-vet-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	durableVet = filepath.Join(dir, "durable-vet")
	if out, err := exec.Command("go", "build", "-o", durableVet, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
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

// stampFinding is the fixture's finding: time.Now through a helper in
// another package (a fact).
const stampFinding = `app/app.go:23:10: wall-clock read time.Now outside a step in durable function "stamp" via clock.Stamp → time.Now: `

// TestGoVet runs durable-vet through go vet itself.
func TestGoVet(t *testing.T) {
	dir := module(t, map[string]string{"app/app.go": fixture, "clock/clock.go": clockSrc})

	code, out := goVet(t, dir, "-vettool="+durableVet, "./...")
	if code != 1 || !hasLine(out, stampFinding) || strings.Count(out, ": wall-clock read") != 1 || strings.Contains(out, "audit") {
		t.Errorf("go vet -vettool: exit %d\n%s\nwant a line starting with:\n%s", code, out, stampFinding)
	}

	// Analyzer flags pass through go vet.
	code, out = goVet(t, dir, "-vettool="+durableVet, "-idempotency.calls=example.com/app/clock.Record", "./...")
	if code != 1 || !strings.Contains(out, `durable function "audit" makes the non-idempotent call clock.Record`) {
		t.Errorf("-idempotency.calls: exit %d\n%s", code, out)
	}
	// Analyzers can be turned off by name.
	code, out = goVet(t, dir, "-vettool="+durableVet, "-sideeffect=false", "./...")
	if code != 0 || strings.TrimSpace(out) != "" {
		t.Errorf("-sideeffect=false: exit %d\n%s", code, out)
	}
}

// TestGoVetConfig: durable-vet applies the lint section of durable.yaml
// before go vet's flags, and go vet's cache does not outlive an edit of it.
func TestGoVetConfig(t *testing.T) {
	dir := module(t, map[string]string{"app/app.go": fixture, "clock/clock.go": clockSrc,
		"durable.yaml": "lint:\n  disable: [sideeffect]\n  settings:\n    idempotency: {calls: [example.com/app/clock.Record]}\n"})
	code, out := goVet(t, dir, "-vettool="+durableVet, "./...")
	if code != 1 || strings.Contains(out, "wall-clock") || !strings.Contains(out, `durable function "audit" makes the non-idempotent call clock.Record`) {
		t.Errorf("with durable.yaml: exit %d\n%s", code, out)
	}
	// go vet's flags win.
	code, out = goVet(t, dir, "-vettool="+durableVet, "-idempotency.calls=", "./...")
	if code != 0 || strings.TrimSpace(out) != "" {
		t.Errorf("-idempotency.calls= over durable.yaml: exit %d\n%s", code, out)
	}
	// An edited durable.yaml is not answered from the cache of the old one.
	write(t, filepath.Join(dir, "durable.yaml"), "lint:\n  disable: [idempotency]\n")
	code, out = goVet(t, dir, "-vettool="+durableVet, "./...")
	if code != 1 || !hasLine(out, stampFinding) || strings.Contains(out, "audit") {
		t.Errorf("after editing durable.yaml: exit %d\n%s", code, out)
	}
	// A durable.yaml that does not load stops go vet, naming the place.
	write(t, filepath.Join(dir, "durable.yaml"), "lint:\n  disable: [sidefx]\n")
	code, out = goVet(t, dir, "-vettool="+durableVet, "./...")
	if code == 0 || !strings.Contains(out, `durable.yaml:2:13: lint.disable: unknown analyzer "sidefx"`) {
		t.Errorf("broken durable.yaml: exit %d\n%s", code, out)
	}
}

// TestGoVetClean: a module that never imports a durable API passes.
func TestGoVetClean(t *testing.T) {
	dir := module(t, map[string]string{"clock/clock.go": clockSrc, "main.go": "package main\n\nimport \"example.com/app/clock\"\n\nfunc main() { println(clock.Stamp()) }\n"})
	if code, out := goVet(t, dir, "-vettool="+durableVet, "./..."); code != 0 || strings.TrimSpace(out) != "" {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func hasLine(out, prefix string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
