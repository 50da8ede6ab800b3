package codegen

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"go/format"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/durable-go/durable/codegen/catalog"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// TestGolden generates each catalog under testdata/golden; the catalogs
// write into their own want/ directories, so the golden files are the
// outputs themselves. With -update they are rewritten.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "golden", "*", "durable.yaml"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden catalogs: %v", err)
	}
	header := regexp.MustCompile(`^// Code generated .* DO NOT EDIT\.$`)
	for _, cfg := range dirs {
		t.Run(filepath.Base(filepath.Dir(cfg)), func(t *testing.T) {
			p, err := NewPlan(context.Background(), Options{Config: cfg})
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				if err := p.Write(); err != nil {
					t.Fatal(err)
				}
			}
			if stale := p.Stale(); len(stale) > 0 {
				t.Errorf("golden files are stale (run go test ./codegen -run TestGolden -update):\n%s", p.Diff())
			}
			// Byte-identical across runs.
			again, err := NewPlan(context.Background(), Options{Config: cfg})
			if err != nil {
				t.Fatal(err)
			}
			for i, f := range p.Files {
				if !bytes.Equal(f.Data, again.Files[i].Data) {
					t.Errorf("%s differs between two runs", f.Name)
				}
				if strings.HasSuffix(f.Path, ".go") {
					first, _, _ := strings.Cut(string(f.Data), "\n")
					if !header.MatchString(first) {
						t.Errorf("%s starts with %q, not a generated-code header", f.Name, first)
					}
					if formatted, err := format.Source(f.Data); err != nil || !bytes.Equal(formatted, f.Data) {
						t.Errorf("%s is not gofmt-clean (err %v)", f.Name, err)
					}
				}
			}
		})
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

const twoEvents = `version: "1"
package: events
output: {go: gen/events_gen.go, schemas: gen/schemas}
events:
  - {name: app/user.created, v: "1", fields: {id: {type: string, required: true}}}
  - {name: app/user.deleted, v: "1"}
`

func TestWriteLeavesUnchangedFilesAlone(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "durable.yaml")
	writeFile(t, cfg, twoEvents)
	if _, err := Generate(context.Background(), Options{Config: cfg}); err != nil {
		t.Fatal(err)
	}
	want := []string{"durable.yaml", "gen/events_gen.go", "gen/schemas/app/user.created.json", "gen/schemas/app/user.deleted.json"}
	if got := listFiles(t, dir); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("files = %v, want %v", got, want)
	}
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	gen := filepath.Join(dir, "gen", "events_gen.go")
	if err := os.Chtimes(gen, old, old); err != nil {
		t.Fatal(err)
	}
	p, err := Generate(context.Background(), Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(p.Stale()); n != 0 {
		t.Errorf("%d files stale after writing", n)
	}
	if st, err := os.Stat(gen); err != nil || !st.ModTime().Equal(old) {
		t.Errorf("unchanged %s was rewritten (mtime %v, want %v)", gen, st.ModTime(), old)
	}

	// Removing an event deletes its generated schema, and only that.
	writeFile(t, filepath.Join(dir, "gen", "schemas", "hand-written.json"), `{"title": "mine"}`)
	writeFile(t, cfg, strings.Replace(twoEvents, "  - {name: app/user.deleted, v: \"1\"}\n", "", 1))
	p, err = NewPlan(context.Background(), Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if d := p.Diff(); !strings.Contains(d, "+++ /dev/null") || !strings.Contains(d, "--- a/"+filepath.ToSlash(filepath.Join(dir, "gen/schemas/app/user.deleted.json"))) {
		t.Errorf("diff does not show the deleted schema:\n%s", d)
	}
	if err := p.Write(); err != nil {
		t.Fatal(err)
	}
	want = []string{"durable.yaml", "gen/events_gen.go", "gen/schemas/app/user.created.json", "gen/schemas/hand-written.json"}
	if got := listFiles(t, dir); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("files = %v, want %v", got, want)
	}
}

func TestNothingWrittenOnError(t *testing.T) {
	tests := []struct {
		name, catalog string
		files         map[string]string
		wantErr       string
	}{
		{
			name:    "catalog error",
			catalog: twoEvents + "  - {name: app/user.created, v: \"2\"}\n",
			wantErr: `durable.yaml:7:12: events[2]: duplicate event "app/user.created" (first at 5:12)`,
		},
		{
			name:    "registry error",
			catalog: strings.Replace(twoEvents, "output: {", "output: {registry: reg/registry_gen.go, ", 1),
			files: map[string]string{
				"go.mod": "module example.com/m\n\ngo 1.26\n",
				"a/a.go": "package a\n\nimport \"github.com/durable-go/durable/runtime\"\n\nvar id = \"x\"\n\nvar F = runtime.NewFunction(runtime.FunctionOpts{ID: id}, runtime.EventTrigger(\"app/user.created\", \"\"), nil)\n",
			},
			wantErr: `a.go:7:54: function F: the ID must be a constant string: id is not a constant of package example.com/m/a`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "durable.yaml")
			writeFile(t, cfg, tt.catalog)
			for name, data := range tt.files {
				writeFile(t, filepath.Join(dir, name), data)
			}
			before := listFiles(t, dir)
			_, err := Generate(context.Background(), Options{Config: cfg})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
			if after := listFiles(t, dir); strings.Join(after, " ") != strings.Join(before, " ") {
				t.Errorf("files after a failed generation = %v, want %v", after, before)
			}
		})
	}
}

func TestCatalogErrorsAreAnErrorList(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "durable.yaml")
	writeFile(t, cfg, "version: \"1\"\noutput: {go: x.txt}\n")
	_, err := NewPlan(context.Background(), Options{Config: cfg})
	var list catalog.ErrorList
	if !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("error = %v, want a 2-error catalog.ErrorList", err)
	}
}

func writeFileB(b *testing.B, path, data string) {
	b.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		b.Fatal(err)
	}
}
