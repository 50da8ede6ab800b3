package main

import (
	"bytes"
	"context"
	"os"
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
