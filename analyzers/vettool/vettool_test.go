package vettool

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestIsInvocation(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{[]string{"-V=full"}, true},
		{[]string{"-flags"}, true},
		{[]string{"-json", "-sideeffect=false", "/tmp/b001/vet.cfg"}, true},
		{[]string{"lint", "./..."}, false},
		{nil, false},
	} {
		if got := IsInvocation(tt.args); got != tt.want {
			t.Errorf("IsInvocation(%q) = %v", tt.args, got)
		}
	}
}

// TestExecutableID: the ID is the Go build ID the linker wrote, read
// without hashing the executable.
func TestExecutableID(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	got, err := executableID(exe)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimSpace(string(out)); got != want {
		t.Errorf("executableID = %q, want go tool buildid's %q", got, want)
	}
}

func TestConfigFiles(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{
		"go.mod", "durable.yaml", "a/durable.yaml", "a/b/x.go",
		"testdata/durable.yaml", ".git/durable.yaml", "nested/go.mod", "nested/durable.yaml",
	} {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("lint:\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rel := func(files []string) []string {
		for i, f := range files {
			files[i], _ = filepath.Rel(root, f)
		}
		return files
	}
	if got, want := rel(configFiles(root)), []string{"durable.yaml", "a/durable.yaml"}; !slices.Equal(got, want) {
		t.Errorf("from the root: %q, want %q", got, want)
	}
	if got, want := rel(configFiles(filepath.Join(root, "a", "b"))), []string{"a/durable.yaml"}; !slices.Equal(got, want) {
		t.Errorf("from a/b: %q, want %q", got, want)
	}
}

// TestToolID: the ID go vet keys its cache by changes with durable.yaml's
// content, and only then.
func TestToolID(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("go.mod", []byte("module m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	id := func() string {
		t.Helper()
		s, err := toolID("durable-vet")
		if err != nil {
			t.Fatal(err)
		}
		if f := strings.Fields(s); len(f) < 4 || f[0] != "durable-vet" || f[1] != "version" || f[2] != "devel" || !strings.HasPrefix(f[len(f)-1], "buildID=") {
			t.Fatalf("-V=full output %q is not what go vet parses", s)
		}
		return s
	}
	none := id()
	if err := os.WriteFile("durable.yaml", []byte("lint: {disable: [stepid]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	one := id()
	if one == none || id() != one {
		t.Errorf("with durable.yaml: %s; without: %s", one, none)
	}
	if err := os.WriteFile("durable.yaml", []byte("lint: {disable: [goroutine]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if id() == one {
		t.Error("the ID did not change with durable.yaml")
	}
}
