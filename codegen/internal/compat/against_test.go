package compat

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadPreviousOutsideGit: a file is read as a catalog; anything else is
// a revision, which needs a git repository. (cmd/durable's
// TestGenerateCheckAgainst covers revisions in a real repository.)
func TestLoadPreviousOutsideGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	// Keep git from finding a repository above the temporary directory.
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))
	cfg := filepath.Join(dir, "durable.yaml")
	const catalog = "version: \"1\"\noutput: {schemas: s}\nevents: [{name: a/b.c, v: \"1\"}]\n"
	for _, name := range []string{"durable.yaml", "old.yaml", "bad.yaml"} {
		data := catalog
		if name == "bad.yaml" {
			data = "version: 2\n"
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		against string
		want    string // error, or "" when the catalog loads
	}{
		{against: filepath.Join(dir, "old.yaml")},
		{against: filepath.Join(dir, "bad.yaml"), want: "bad.yaml:1:10: version: want a string"},
		{against: "main", want: "--against main: no such file, and " + filepath.ToSlash(cfg) + " is not in a git repository"},
		{against: "-x", want: "--against -x: no such file, and not a git revision"},
		{against: "", want: "--against: empty revision or file"},
	}
	for _, tt := range tests {
		t.Run(tt.against, func(t *testing.T) {
			got, err := LoadPrevious(context.Background(), cfg, tt.against)
			switch {
			case tt.want == "" && err != nil:
				t.Fatal(err)
			case tt.want == "" && (len(got.Events) != 1 || got.Events[0].Name != "a/b.c"):
				t.Errorf("loaded %+v", got.Events)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
