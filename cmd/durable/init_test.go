package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// runInitIn runs durable init with args and returns its exit code and output.
func runInitIn(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runInit(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

var initWritten = []string{"durable.yaml", "cmd/worker/main.go", "internal/greet/greet.go", "internal/greet/greet_test.go"}

func TestInit(t *testing.T) {
	for _, tc := range []struct {
		name string
		// setup lays out the directory (root) and returns where init runs.
		setup func(t *testing.T, root string) string
		args  []string
		code  int
		// module is the import path of the files written (code 0), or
		// errs are the parts of the error (code 2).
		module string
		gomod  bool
		errs   []string
	}{
		{name: "empty directory", setup: func(t *testing.T, root string) string { return root },
			args: []string{"--module", "example.com/hello"}, module: "example.com/hello", gomod: true},
		{name: "empty directory, module from its name", setup: func(t *testing.T, root string) string {
			dir := filepath.Join(root, "hello")
			os.Mkdir(dir, 0o755)
			return dir
		}, module: "hello", gomod: true},
		{name: "existing module, subdirectory", setup: func(t *testing.T, root string) string {
			write(t, filepath.Join(root, "go.mod"), "module example.com/shop\n\ngo 1.26\n")
			write(t, filepath.Join(root, "main.go"), "package main\n\nfunc main() {}\n")
			dir := filepath.Join(root, "jobs")
			os.Mkdir(dir, 0o755)
			return dir
		}, module: "example.com/shop/jobs"},
		{name: "existing module, root with a main.go", setup: func(t *testing.T, root string) string {
			write(t, filepath.Join(root, "go.mod"), "module example.com/shop\n\ngo 1.26\n")
			write(t, filepath.Join(root, "main.go"), "package main\n\nfunc main() {}\n")
			return root
		}, module: "example.com/shop"},
		{name: "catalog exists", setup: func(t *testing.T, root string) string {
			write(t, filepath.Join(root, "go.mod"), "module example.com/shop\n\ngo 1.26\n")
			write(t, filepath.Join(root, "durable.yaml"), "version: \"1\"\n")
			write(t, filepath.Join(root, "internal/greet/greet.go"), "package greet\n")
			return root
		}, code: 2, errs: []string{"nothing written", "2 file(s) exist", "durable.yaml", filepath.Join("internal", "greet", "greet.go")}},
		{name: "generated file exists", setup: func(t *testing.T, root string) string {
			write(t, filepath.Join(root, "go.mod"), "module example.com/shop\n\ngo 1.26\n")
			write(t, filepath.Join(root, "internal/registry/registry_gen.go"), "package registry\n")
			return root
		}, code: 2, errs: []string{"1 file(s) exist", filepath.Join("internal", "registry", "registry_gen.go")}},
		{name: "--module in a module", setup: func(t *testing.T, root string) string {
			write(t, filepath.Join(root, "go.mod"), "module example.com/shop\n\ngo 1.26\n")
			return root
		}, args: []string{"--module", "example.com/other"}, code: 2, errs: []string{`--module "example.com/other"`, "module example.com/shop already"}},
		{name: "bad module path", setup: func(t *testing.T, root string) string { return root },
			args: []string{"--module", "Bad Path"}, code: 2, errs: []string{`module path "Bad Path"`, "--module"}},
		{name: "not a directory", setup: func(t *testing.T, root string) string {
			write(t, filepath.Join(root, "file"), "x")
			return filepath.Join(root, "file")
		}, code: 2, errs: []string{"is not a directory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			dir := tc.setup(t, root)
			before := listFiles(t, root)
			code, stdout, stderr := runInitIn(t, append(tc.args, dir)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			if tc.code != 0 {
				for _, e := range tc.errs {
					if !strings.Contains(stderr, e) {
						t.Errorf("stderr %q does not say %q", stderr, e)
					}
				}
				if after := listFiles(t, root); !slices.Equal(before, after) {
					t.Errorf("files after a refusal %v, before %v: something was written", after, before)
				}
				return
			}
			want := slices.Clone(initWritten)
			if tc.gomod {
				want = append(want, "go.mod")
			}
			for _, f := range want {
				b, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				if strings.HasSuffix(f, ".go") && !strings.Contains(string(b), `"`+tc.module+`/internal/events"`) {
					t.Errorf("%s does not import %s/internal/events", f, tc.module)
				}
				if f == "go.mod" && !strings.HasPrefix(string(b), "module "+tc.module+"\n") {
					t.Errorf("go.mod: %q, want module %s", b, tc.module)
				}
			}
			// A second init refuses, naming every file.
			code, _, stderr = runInitIn(t, dir)
			if code != 2 {
				t.Fatalf("second init: exit %d, want 2", code)
			}
			for _, f := range initWritten {
				if !strings.Contains(stderr, filepath.Join(dir, f)) {
					t.Errorf("second init's error %q does not name %s", stderr, f)
				}
			}
		})
	}
}

func listFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// fromZeroModule is the module path of the README's From zero section.
const fromZeroModule = "example.com/hello"

// TestReadmeFromZero: every Go and YAML block of the README's "From zero"
// section is a file durable init writes for example.com/hello, byte for
// byte, so that TestInitModule compiles, lints and tests them.
func TestReadmeFromZero(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := regexp.MustCompile(`(?s)\n## From zero\n(.*?)\n## `).FindSubmatch(readme)
	if section == nil {
		t.Fatal(`README.md has no "## From zero" section`)
	}
	files, err := initFiles(t.TempDir(), fromZeroModule)
	if err != nil {
		t.Fatal(err)
	}
	rendered := map[string]string{}
	for _, f := range files {
		rendered[f.content] = f.path
	}
	blocks := regexp.MustCompile("(?s)```(go|yaml)\n(.*?)```").FindAllSubmatch(section[1], -1)
	if len(blocks) < 3 {
		t.Fatalf("the From zero section has %d Go or YAML blocks, want the catalog, the function and its test at least", len(blocks))
	}
	for _, b := range blocks {
		if _, ok := rendered[string(b[2])]; !ok {
			t.Errorf("a %s block of the From zero section is not a file durable init writes (edit the templates in init.go and the README together):\n%s", b[1], b[2])
		}
	}
}

// TestInitModule follows the README's From zero section: durable init in
// an empty module that requires this repository (through a replace), then
// go get -tool, go generate, go mod tidy, go vet, go tool durable lint, go
// test and the worker, which must print the greeting. It builds the module and its dependencies (SQLite):
// DURABLE_SLOW_TESTS=1 runs it.
func TestInitModule(t *testing.T) {
	if os.Getenv("DURABLE_SLOW_TESTS") != "1" {
		t.Skip("builds a new module with SQLite, which takes minutes; set DURABLE_SLOW_TESTS=1 to run it")
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "hello")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := runInitIn(t, "--module", fromZeroModule, dir); code != 0 {
		t.Fatalf("durable init: exit %d\n%s%s", code, stdout, stderr)
	}
	runIn := func(at, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = at
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run := func(name string, args ...string) string {
		t.Helper()
		return runIn(dir, name, args...)
	}
	// What the README's two go get commands do, from this repository
	// instead of a release (go get would ask the module proxy for it):
	// require, tool line, go.sum. Then its commands as written (no
	// -mod=mod: go.sum must have what each needs).
	run("go", "mod", "edit", "-require", "github.com/durable-go/durable@v0.0.0", "-replace", "github.com/durable-go/durable="+repo,
		"-tool", "github.com/durable-go/durable/cmd/durable")
	run("go", "list", "-mod=mod", "github.com/durable-go/durable/cmd/durable")
	run("go", "generate", "./...")
	for _, p := range initGenerated {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("durable generate did not write %s, which durable init refuses to overwrite: %v", p, err)
		}
	}
	run("go", "mod", "tidy")
	run("go", "vet", "./...")
	run("go", "tool", "durable", "lint", "./...")
	// From a package directory too: the catalog is found upwards.
	runIn(filepath.Join(dir, "cmd", "worker"), durableBin, "generate", "--check")
	run("go", "test", "./...")
	out := run("go", "run", "./cmd/worker", "-db", filepath.Join(t.TempDir(), "w.db"), "-name", "Ada")
	if !strings.Contains(out, `of send-greeting: "Hello, Ada!"`) {
		t.Errorf("the worker printed %q, want the run's output", out)
	}
}
