package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const cliCatalog = `version: "1"
package: events
output: {go: events/events_gen.go, schemas: schemas}
events:
  - name: app/user.created
    v: "1"
    fields:
      id: {type: string, required: true}
`

func runCLI(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	var out, errb bytes.Buffer
	code = dispatch(context.Background(), append([]string{"generate"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestGenerateCheck(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "durable.yaml")
	if err := os.WriteFile(cfg, []byte(cliCatalog), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/cli\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gen := filepath.Join(dir, "events", "events_gen.go")

	// --check before anything exists: stale, nothing written.
	code, stdout, stderr := runCLI(t, dir, "--check")
	if code != 1 || !strings.Contains(stdout, "+++ b/events/events_gen.go") || !strings.Contains(stderr, "2 generated file(s) are stale") {
		t.Errorf("check on empty dir: code %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(gen); !os.IsNotExist(err) {
		t.Fatalf("--check wrote %s", gen)
	}

	// generate, found from a subdirectory (as go generate runs it).
	sub := filepath.Join(dir, "events")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCLI(t, sub)
	if code != 0 || !strings.Contains(stdout, "wrote ../events/events_gen.go") {
		t.Fatalf("generate: code %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, dir, "--check")
	if code != 0 || stdout != "" {
		t.Errorf("check after generate: code %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	// Running again writes nothing.
	code, stdout, _ = runCLI(t, dir)
	if code != 0 || stdout != "" {
		t.Errorf("second generate: code %d, stdout %q", code, stdout)
	}

	// Edit the generated file: --check reports a diff and leaves it alone.
	edited := []byte("// hand edit\n")
	if err := os.WriteFile(gen, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = runCLI(t, dir, "--config", "durable.yaml", "--check")
	if code != 1 || !strings.Contains(stdout, "--- a/events/events_gen.go") || !strings.Contains(stdout, "-// hand edit") {
		t.Errorf("check after edit: code %d\nstdout:\n%s", code, stdout)
	}
	if data, _ := os.ReadFile(gen); !bytes.Equal(data, edited) {
		t.Error("--check rewrote the stale file")
	}
}

func TestGenerateErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		catalog string
		args    []string
		want    []string
	}{
		{
			name:    "catalog errors, all at once",
			catalog: "version: \"1\"\noutput: {go: e.go, schemas: s}\npackage: events\nevents:\n  - {name: Bad, v: \"1\"}\n  - {name: a/b.c}\n",
			want: []string{
				`durable.yaml:5:12: events[0]: event name "Bad" is not domain/noun.verb (lowercase, such as shop/order.created)`,
				`durable.yaml:6:5: events[1]: missing required key "v"`,
				"durable generate: 2 error(s) in durable.yaml; nothing was written",
			},
		},
		{name: "missing config", args: []string{"--config", "nope.yaml"}, want: []string{"nope.yaml: no such file or directory"}},
		{name: "bad flag", args: []string{"--chek"}, want: []string{"flag provided but not defined: -chek"}},
		{name: "extra argument", args: []string{"x"}, want: []string{`unexpected argument "x"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.catalog != "" {
				if err := os.WriteFile(filepath.Join(dir, "durable.yaml"), []byte(tt.catalog), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			code, _, stderr := runCLI(t, dir, tt.args...)
			if code != 2 {
				t.Errorf("code = %d, want 2", code)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "e.go")); !os.IsNotExist(err) {
		t.Error("a failed generate wrote output")
	}
}

// TestGenerateCheckAgainst runs --check --against on a real git repository
// whose module (and catalog) lives in a subdirectory.
func TestGenerateCheckAgainst(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := t.TempDir()
	dir := filepath.Join(repo, "app")
	write := func(name, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write("go.mod", "module example.com/cli\n\ngo 1.26\n")
	write("durable.yaml", cliCatalog)
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "v1")
	if code, _, stderr := runCLI(t, dir); code != 0 {
		t.Fatalf("generate: %d\n%s", code, stderr)
	}

	const added = "      email: {type: string, required: true}\n"
	bumped := strings.Replace(cliCatalog, `v: "1"`, `v: "2"`, 1)
	tests := []struct {
		name    string
		catalog string
		args    []string
		// regenerate first, so that only the comparison decides the code.
		regenerate bool
		code       int
		want       []string
	}{
		{
			name:       "unchanged",
			catalog:    cliCatalog,
			args:       []string{"--against", "HEAD"},
			regenerate: true,
		},
		{
			name:       "required field added without a new v",
			catalog:    cliCatalog + added,
			args:       []string{"--against", "HEAD"},
			regenerate: true,
			code:       1,
			want: []string{
				`durable.yaml:9:7: app/user.created: email: field added as required (breaks producers; v is still "1": declare a new v)`,
				"1 breaking change(s) against HEAD to events whose v did not change",
			},
		},
		{
			name:    "stale files and a breaking change: both reported",
			catalog: cliCatalog + added + "      age: {type: integer}\n",
			args:    []string{"--against", "HEAD"},
			code:    1,
			want:    []string{"field added as required", "generated file(s) are stale"},
		},
		{
			name:       "with a new v, allowed with a warning",
			catalog:    bumped + added,
			args:       []string{"--against", "HEAD"},
			regenerate: true,
			want: []string{
				`email: field added as required (breaks producers; allowed by the new v "2", was "1")`,
				"warning: app/user.created: breaking changes with a new v (1 -> 2)",
			},
		},
		{
			name:       "compatible change",
			catalog:    cliCatalog + "      name: {type: string}\n",
			args:       []string{"--against", "HEAD"},
			regenerate: true,
			want:       []string{"app/user.created: name: optional field added (compatible)"},
		},
		{
			name:       "against a file",
			catalog:    cliCatalog + added,
			args:       []string{"--against", "old.yaml"},
			regenerate: true,
			code:       1,
			want:       []string{"email: field added as required"},
		},
		{
			name:       "against a revision and path",
			catalog:    cliCatalog + added,
			args:       []string{"--against", "HEAD:app/durable.yaml"},
			regenerate: true,
			code:       1,
			want:       []string{"email: field added as required"},
		},
		{
			name:    "unknown revision",
			catalog: cliCatalog,
			args:    []string{"--against", "nope"},
			code:    2,
			want:    []string{"--against nope: no file of that name, and no commit nope in the git repository " + filepath.ToSlash(repo)},
		},
		{
			name:    "no catalog at the revision",
			catalog: cliCatalog,
			args:    []string{"--against", "HEAD:durable.yaml"},
			code:    2,
			want:    []string{"--against HEAD:durable.yaml: durable.yaml does not exist at HEAD (path from the root of the git repository " + filepath.ToSlash(repo) + ")"},
		},
		{
			name:    "previous catalog with errors",
			catalog: cliCatalog,
			args:    []string{"--against", "bad.yaml"},
			code:    2,
			want:    []string{"bad.yaml:1:1: missing required key", "error(s) in the previous catalog (--against bad.yaml)"},
		},
	}
	write("old.yaml", cliCatalog)
	write("bad.yaml", "package: events\n")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			write("durable.yaml", tt.catalog)
			if tt.regenerate {
				if code, _, stderr := runCLI(t, dir); code != 0 {
					t.Fatalf("generate: %d\n%s", code, stderr)
				}
			}
			code, _, stderr := runCLI(t, dir, append([]string{"--check"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("code = %d, want %d\n%s", code, tt.code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if tt.code == 0 && strings.Contains(stderr, "breaking change(s)") {
				t.Errorf("stderr reports breaking changes:\n%s", stderr)
			}
		})
	}
	if code, _, stderr := runCLI(t, dir, "--against", "HEAD"); code != 2 || !strings.Contains(stderr, "--against needs --check") {
		t.Errorf("--against without --check: code %d\n%s", code, stderr)
	}
}

// TestGenerateTypeScript: the .d.ts file is written with the rest, and
// --check reports it stale when edited.
func TestGenerateTypeScript(t *testing.T) {
	dir := t.TempDir()
	catalog := cliCatalog + "typescript: {output: web/events.d.ts}\n"
	if err := os.WriteFile(filepath.Join(dir, "durable.yaml"), []byte(catalog), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, dir)
	if code != 0 || !strings.Contains(stdout, "wrote web/events.d.ts") {
		t.Fatalf("generate: code %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	ts := filepath.Join(dir, "web", "events.d.ts")
	data, err := os.ReadFile(ts)
	if err != nil || !strings.Contains(string(data), "export interface UserCreatedData {\n  id: string;\n}") {
		t.Fatalf("events.d.ts (%v):\n%s", err, data)
	}
	if err := os.WriteFile(ts, append(data, "// edit\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = runCLI(t, dir, "--check")
	if code != 1 || !strings.Contains(stdout, "--- a/web/events.d.ts") || !strings.Contains(stdout, "-// edit") {
		t.Errorf("check after edit: code %d\nstdout:\n%s", code, stdout)
	}
}
