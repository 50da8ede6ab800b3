package codegen

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOutputsStayInsideTheModule(t *testing.T) {
	const gomod = "module example.com/m\n\ngo 1.26\n"
	tests := []struct {
		name   string
		output string
		// files are written under the temporary directory; links are
		// symbolic links made there, name → target (relative to it).
		files map[string]string
		links map[string]string
		// want is the error with $T for the temporary directory, or "".
		want string
	}{
		{
			name:   "up a directory, still in the module",
			output: "{go: ../internal/events/e_gen.go, schemas: ../schemas}",
			files:  map[string]string{"mod/go.mod": gomod},
		},
		{
			name:   "up out of the module",
			output: "{go: ../../elsewhere/e_gen.go}",
			files:  map[string]string{"mod/go.mod": gomod},
			want:   "$T/mod/app/durable.yaml:3:14: output.go: $T/elsewhere is outside the module in $T/mod",
		},
		{
			name:   "schemas out of the module",
			output: "{go: e/e_gen.go, schemas: ../../schemas}",
			files:  map[string]string{"mod/go.mod": gomod},
			want:   "$T/mod/app/durable.yaml:3:35: output.schemas: $T/schemas is outside the module in $T/mod",
		},
		{
			name:   "through a symbolic link",
			output: "{go: link/e_gen.go}",
			files:  map[string]string{"mod/go.mod": gomod, "elsewhere/keep": ""},
			links:  map[string]string{"mod/app/link": "elsewhere"},
			want:   "$T/mod/app/durable.yaml:3:14: output.go: $T/mod/app/link resolves to $T/elsewhere, outside the module in $T/mod",
		},
		{
			name:   "a schema directory linked out of the module",
			output: "{schemas: schemas}",
			files:  map[string]string{"mod/go.mod": gomod, "elsewhere/keep": ""},
			links:  map[string]string{"mod/app/schemas/app": "elsewhere"},
			want:   "$T/mod/app/durable.yaml:3:19: output.schemas: $T/mod/app/schemas/app resolves to $T/elsewhere, outside the module in $T/mod",
		},
		{
			name:   "typescript out of the module",
			output: "{go: e/e_gen.go}\ntypescript: {output: ../../web/events.d.ts}",
			files:  map[string]string{"mod/go.mod": gomod},
			want:   "$T/mod/app/durable.yaml:4:22: typescript.output: $T/web is outside the module in $T/mod",
		},
		{
			name:   "typescript through a symbolic link",
			output: "{go: e/e_gen.go}\ntypescript: {output: web/events.d.ts}",
			files:  map[string]string{"mod/go.mod": gomod, "elsewhere/keep": ""},
			links:  map[string]string{"mod/app/web": "elsewhere"},
			want:   "$T/mod/app/durable.yaml:4:22: typescript.output: $T/mod/app/web resolves to $T/elsewhere, outside the module in $T/mod",
		},
		{
			name:   "no module: the catalog's directory is the fence",
			output: "{go: ../e_gen.go}",
			want:   "$T/mod/app/durable.yaml:3:14: output.go: $T/mod is outside the catalog's directory $T/mod/app (there is no go.mod)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, err := filepath.EvalSymlinks(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			cfg := filepath.Join(root, "mod", "app", "durable.yaml")
			writeFile(t, cfg, "version: \"1\"\npackage: events\noutput: "+tt.output+"\nevents:\n  - {name: app/user.created, v: \"1\"}\n")
			for name, data := range tt.files {
				writeFile(t, filepath.Join(root, name), data)
			}
			for name, target := range tt.links {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(filepath.Join(root, target), filepath.Join(root, name)); err != nil {
					t.Fatal(err)
				}
			}
			before := listTree(t, root)
			_, err = Generate(context.Background(), Options{Config: cfg})
			got := ""
			if err != nil {
				got = strings.ReplaceAll(err.Error(), root, "$T")
			}
			if got != tt.want {
				t.Fatalf("error:\n got  %s\n want %s", got, tt.want)
			}
			if after := listTree(t, root); tt.want != "" && strings.Join(after, " ") != strings.Join(before, " ") {
				t.Errorf("a refused generation changed the tree:\n got  %v\n want %v", after, before)
			}
		})
	}
}

// TestWriteRollsBack makes the last rename of a generation fail and checks
// that the files renamed before it get their old content back, and that
// the new files and directories are gone.
func TestWriteRollsBack(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "durable.yaml")
	writeFile(t, cfg, twoEvents)
	const oldGo = "package events // old\n"
	writeFile(t, filepath.Join(dir, "gen", "events_gen.go"), oldGo)
	p, err := NewPlan(context.Background(), Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	// The last file in path order cannot be renamed over: it is now a
	// directory that is not empty.
	last := p.Files[len(p.Files)-1].Path
	writeFile(t, filepath.Join(last, "blocker"), "")
	before := listTree(t, dir)

	if err := p.Write(); err == nil || !strings.Contains(err.Error(), "writing "+filepath.ToSlash(last)) {
		t.Fatalf("Write error = %v, want one about writing %s", err, last)
	}
	if after := listTree(t, dir); strings.Join(after, " ") != strings.Join(before, " ") {
		t.Errorf("tree after a failed Write:\n got  %v\n want %v", after, before)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "gen", "events_gen.go")); err != nil || string(got) != oldGo {
		t.Errorf("events_gen.go = %q, %v; want its old content %q", got, err, oldGo)
	}
	if n := len(p.Stale()); n != len(p.Files) {
		t.Errorf("%d of %d files stale after a failed Write; all should still be", n, len(p.Files))
	}
}

// listTree lists every file and directory under dir, directories with a
// trailing slash, symbolic links not followed.
func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			rel += "/"
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
