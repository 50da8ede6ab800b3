package gclplugin

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// gclVersion is the golangci-lint the plugin is tested with.
const gclVersion = "v2.15.0"

// requireEnv is the single switch of the tests that build golangci-lint
// (minutes of CPU): unset, they skip; set (.ci/run sets it), they run, and
// golangci-lint failing to download or build is a failure.
const requireEnv = "DURABLE_GCL_REQUIRED"

// stubAPI is this module's runtime and step packages as the analyzers'
// tests stub them; the fixture module replaces github.com/durable-go/durable
// with them.
const stubAPI = "../internal/testdata/src/github.com/durable-go/durable"

// requireGCL skips the test unless requireEnv asks for the tests that
// build golangci-lint.
func requireGCL(t *testing.T) {
	t.Helper()
	if os.Getenv(requireEnv) == "" {
		t.Skipf("builds golangci-lint %s with the plugin, which takes minutes; set %s=1 to run it", gclVersion, requireEnv)
	}
}

func goCmd(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	return cmd
}

// golangciLint returns a golangci-lint binary built with this plugin, as
// `golangci-lint custom` would build it but from the module cache: the
// golangci-lint module is downloaded, copied, given a plugins.go importing
// this package and a replace of this module with the checkout, and built.
// The binary is cached under $GOCACHE/durable-gcl/<hash of the inputs>.
func golangciLint(t *testing.T) string {
	t.Helper()
	requireGCL(t)
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	out, err := goCmd(t.TempDir(), "mod", "download", "-json", "github.com/golangci/golangci-lint/v2@"+gclVersion).Output()
	var mod struct{ Dir, Sum, Error string }
	if err == nil {
		err = json.Unmarshal(out, &mod)
	}
	if err != nil || mod.Dir == "" {
		t.Fatalf("go mod download of golangci-lint %s failed (%s is set): %v %s", gclVersion, requireEnv, err, mod.Error)
	}

	// The inputs: golangci-lint, Go, and this module's go.mod, go.sum and
	// the non-test Go files of analyzers/ (all the plugin compiles).
	h := sha256.New()
	fmt.Fprintf(h, "%s %s %s\n", gclVersion, mod.Sum, runtime.Version())
	files := []string{filepath.Join(repo, "go.mod"), filepath.Join(repo, "go.sum")}
	filepath.WalkDir(filepath.Join(repo, "analyzers"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			files = append(files, p)
		}
		return nil
	})
	slices.Sort(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(repo, f)
		fmt.Fprintf(h, "%s %d\n", rel, len(data))
		h.Write(data)
	}
	gocache, err := goCmd(".", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	cacheDir := filepath.Join(strings.TrimSpace(string(gocache)), "durable-gcl", hex.EncodeToString(h.Sum(nil))[:20])
	bin := filepath.Join(cacheDir, "golangci-lint")
	if _, err := os.Stat(bin); err == nil {
		t.Logf("golangci-lint %s with the durable plugin: cached %s", gclVersion, bin)
		return bin
	}

	src := filepath.Join(t.TempDir(), "golangci-lint")
	if err := os.CopyFS(src, os.DirFS(mod.Dir)); err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			mode := os.FileMode(0o644)
			if d.IsDir() {
				mode = 0o755
			}
			os.Chmod(p, mode)
		}
		return nil
	})
	plugins := "package main\n\n// This file is used to declare module plugins.\n\nimport _ \"github.com/durable-go/durable/analyzers/gclplugin\"\n"
	if err := os.WriteFile(filepath.Join(src, "cmd", "golangci-lint", "plugins.go"), []byte(plugins), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := goCmd(src, "mod", "edit", "-require=github.com/durable-go/durable@v0.0.0", "-replace=github.com/durable-go/durable="+repo).CombinedOutput(); err != nil {
		t.Fatalf("go mod edit: %v\n%s", err, out)
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(cacheDir, fmt.Sprintf("golangci-lint.%d.tmp", os.Getpid()))
	if out, err := goCmd(src, "build", "-o", tmp, "./cmd/golangci-lint").CombinedOutput(); err != nil {
		os.Remove(tmp)
		t.Fatalf("building golangci-lint %s with the plugin failed (%s is set): %v\n%s", gclVersion, requireEnv, err, out)
	}
	if err := os.Rename(tmp, bin); err != nil {
		t.Fatal(err)
	}
	t.Logf("built golangci-lint %s with the durable plugin: %s", gclVersion, bin)
	return bin
}

const gclFixture = `package app

import (
	"context"
	"log"
	"time"

	"example.com/app/clock"
	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

type Order struct {
	ID string ` + "`json:\"id\"`" + `
}

var (
	OrderCreated    = runtime.NewEventType[Order]("shop/order.created", "1", nil)
	PaymentReceived = runtime.NewEventType[Order]("shop/payment.received", "1", nil)
)

var Stamp = runtime.NewFunction(runtime.FunctionOpts{ID: "stamp", Idempotency: "event.data.id"}, OrderCreated.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		log.Printf("stamping %s", in.Event.Data.ID)
		t := time.Now()
		s := clock.Stamp()
		_, err := step.Run(ctx, "record-stamp", func(ctx context.Context) (bool, error) {
			return clock.Record(s), nil
		})
		return t.String() + s, err
	})

var Wait = runtime.NewFunction(runtime.FunctionOpts{ID: "wait", Idempotency: "event.data.id"}, OrderCreated.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		p, err := step.WaitForEvent(ctx, "wait-payment", PaymentReceived, step.WaitOpts{})
		if err != nil {
			return nil, err
		}
		return p.Data.ID, nil
	})

var Audit = runtime.NewFunction(runtime.FunctionOpts{ID: "audit"}, OrderCreated.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.Run(ctx, "record-audit", func(ctx context.Context) (bool, error) {
			return clock.Record(in.Event.Data.ID), nil
		})
	})
`

const gclClock = `package clock

import "time"

func Stamp() string { return time.Now().Format(time.RFC3339) }

func Record(id string) bool { return id != "" }
`

// gclModule lays out the stub API and the fixture module with the given
// .golangci.yml and extra files (path → content); it returns the module's
// directory.
func gclModule(t *testing.T, golangciYML string, extra map[string]string) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"durable/go.mod":     "module github.com/durable-go/durable\n\ngo 1.26\n",
		"app/go.mod":         "module example.com/app\n\ngo 1.26\n\nrequire github.com/durable-go/durable v0.0.0\n\nreplace github.com/durable-go/durable => ../durable\n",
		"app/app/app.go":     gclFixture,
		"app/clock/clock.go": gclClock,
		"app/.golangci.yml":  golangciYML,
	}
	for name, content := range extra {
		files["app/"+name] = content
	}
	if err := os.CopyFS(filepath.Join(root, "durable"), os.DirFS(stubAPI)); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.Chmod(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(root, "app")
}

type gclIssue struct {
	FromLinter string
	Text       string
	Pos        struct {
		Filename     string
		Line, Column int
	}
}

// runGCL runs golangci-lint on dir and returns its exit code, its issues
// (JSON output) as "file:line:col: linter: analyzer" (what these tests
// check; TestParity checks the messages) and its standard error.
func runGCL(t *testing.T, bin, dir string) (int, []string, string) {
	t.Helper()
	cmd := exec.Command(bin, "run", "--output.json.path=stdout", "--show-stats=false", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOLANGCI_LINT_CACHE="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var res struct{ Issues []gclIssue }
	if code <= 1 {
		if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
			t.Fatalf("golangci-lint output: %v\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
		}
	}
	var issues []string
	for _, is := range res.Issues {
		analyzer, _, _ := strings.Cut(is.Text, ": ")
		issues = append(issues, fmt.Sprintf("%s:%d:%d: %s: %s", filepath.ToSlash(is.Pos.Filename), is.Pos.Line, is.Pos.Column, is.FromLinter, analyzer))
	}
	slices.Sort(issues)
	return code, issues, stderr.String()
}

const gclConfig = `version: "2"
linters:
  default: none
  enable: [durable]
  settings:
    custom:
      durable:
        type: module
        description: durable functions that survive replays, retries and crashes
%s
issues:
  max-issues-per-linter: 0
  max-same-issues: 0
`

// TestGolangciLint runs a real golangci-lint v2 built with the plugin:
// the analyzers it runs with its settings and durable.yaml's, notes left
// out, and its errors.
func TestGolangciLint(t *testing.T) {
	bin := golangciLint(t)
	const (
		logAdvice = "app/app.go:24:3: durable: sideeffect"
		now       = "app/app.go:25:8: durable: sideeffect"
		stamp     = "app/app.go:26:8: durable: sideeffect"
		wait      = "app/app.go:35:69: durable: waittimeout"
		audit     = "app/app.go:42:33: durable: idempotency"
		auditCall = "app/app.go:45:11: durable: idempotency(related information)"
	)
	for _, tt := range []struct {
		name     string
		settings string
		extra    map[string]string
		want     []string
	}{
		// sideeffect's advice on logging outside steps (a note) is asked for.
		{"defaults: notes left out", "        settings:\n          settings: {sideeffect: {logging: true}}", nil, []string{now, stamp, wait}},
		{"notes", "        settings:\n          notes: true\n          settings: {sideeffect: {logging: true}}", nil, []string{logAdvice, now, stamp, wait}},
		{"settings", "        settings:\n          disable: [sideeffect, waittimeout]\n          settings:\n            idempotency:\n              calls: [example.com/app/clock.Record]",
			nil, []string{audit, auditCall}},
		{"durable.yaml", "",
			map[string]string{"durable.yaml": "lint:\n  disable: [waittimeout]\n  settings:\n    idempotency:\n      calls: [example.com/app/clock.Record]\n"},
			[]string{audit, auditCall, now, stamp}},
		{"plugin settings override durable.yaml", "        settings:\n          enable: [waittimeout]\n          settings:\n            idempotency:\n              calls: [example.com/app/clock.Stamp]",
			map[string]string{"durable.yaml": "lint:\n  disable: [waittimeout]\n  settings:\n    idempotency:\n      calls: [example.com/app/clock.Record]\n"},
			[]string{wait}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := gclModule(t, fmt.Sprintf(gclConfig, tt.settings), tt.extra)
			code, issues, stderr := runGCL(t, bin, dir)
			slices.Sort(tt.want)
			if code != 1 || !slices.Equal(issues, tt.want) {
				t.Errorf("exit %d\nissues:\n%s\nwant:\n%s\nstderr:\n%s", code, strings.Join(issues, "\n"), strings.Join(tt.want, "\n"), stderr)
			}
		})
	}

	for _, tt := range []struct {
		name, settings string
		extra          map[string]string
		want           string
	}{
		{"strict settings", "        settings:\n          disabel: [sideeffect]", nil, `unknown field "disabel"`},
		{"broken durable.yaml", "", map[string]string{"durable.yaml": "lint:\n  disable: [waittimeot]\n"}, `durable.yaml:2:13: lint.disable: unknown analyzer "waittimeot"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := gclModule(t, fmt.Sprintf(gclConfig, tt.settings), tt.extra)
			code, _, stderr := runGCL(t, bin, dir)
			if code == 0 || code == 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, want an error with %q\nstderr:\n%s", code, tt.want, stderr)
			}
		})
	}

	t.Run("clean", func(t *testing.T) {
		dir := gclModule(t, fmt.Sprintf(gclConfig, ""), nil)
		os.Remove(filepath.Join(dir, "app", "app.go"))
		code, issues, stderr := runGCL(t, bin, dir)
		if code != 0 || len(issues) != 0 {
			t.Errorf("exit %d\n%s\n%s", code, strings.Join(issues, "\n"), stderr)
		}
	})
}
