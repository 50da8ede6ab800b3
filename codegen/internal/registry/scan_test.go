package registry

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func rel(t *testing.T, dir string, ps []Problem) []string {
	t.Helper()
	var out []string
	for _, p := range ps {
		out = append(out, strings.ReplaceAll(p.String(), dir+string(filepath.Separator), ""))
	}
	return out
}

func TestScanFixture(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("testdata", "mod"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Scan(context.Background(), filepath.Join(dir, "a"), Options{RegistryPkgPath: "example.com/fixture/reg"})
	if err != nil {
		t.Fatal(err)
	}
	if res.ModulePath != "example.com/fixture" || res.ModuleDir != dir {
		t.Errorf("module = %s in %s", res.ModulePath, res.ModuleDir)
	}
	var fns []string
	for _, f := range res.Functions {
		fns = append(fns, f.ID+"="+f.PkgName+"."+f.Var)
	}
	// "alpha" is listed once: b.Dup is a duplicate; the test file and
	// testdata copies are not scanned at all. broken.Fine is listed despite
	// its type error, syntaxerr.Half despite its syntax error.
	want := "alpha=a.Alpha beta=a.Beta cyc=cyc.Cyc fine=broken.Fine fx-gamma=a.Gamma half=syntaxerr.Half"
	if got := strings.Join(fns, " "); got != want {
		t.Errorf("functions:\n got %s\nwant %s", got, want)
	}
	wantErrs := []string{
		`a/internal/deep/deep.go:5:5: function "deep" (deep.Deep): package example.com/fixture/a/internal/deep is internal and cannot be imported by the registry package example.com/fixture/reg; move the registry or the function`,
		`b/b.go:12:5: duplicate function ID "alpha": b.Dup here and a.Alpha at a/a.go:17:2`,
		`c/c.go:14:60: function Dynamic: the ID must be a constant string: id is not a constant of package example.com/fixture/c`,
		`c/c.go:18:35: function FromVar: write its options as a runtime.FunctionOpts{ID: ...} literal so that the registry can read the ID`,
		`cyc/cyc.go:9:5: function "cyc" (cyc.Cyc): package example.com/fixture/cyc imports the registry package example.com/fixture/reg, so the registry cannot import it back`,
	}
	if got := rel(t, dir, res.Errors); strings.Join(got, "\n") != strings.Join(wantErrs, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantErrs, "\n"))
	}
	wantWarn := []string{
		`a/a.go:23:5: function "hidden" is held by the unexported variable hidden, which the registry cannot refer to; it is not listed (export it to list it)`,
		`cmd/app/main.go:5:5: function "main-local" (Local) is in package main, which the registry cannot import; it is not listed`,
		`package example.com/fixture/syntaxerr: syntaxerr/s.go:7:12: expected ')', found '{'; functions in it may be missing from the registry`,
	}
	got := rel(t, dir, res.Warnings)
	for i := range got {
		// go list and the parser may both report the syntax error.
		got[i] = strings.ReplaceAll(got[i], dir+"/", "")
	}
	for _, w := range wantWarn {
		found := false
		for _, g := range got {
			if g == w {
				found = true
			}
		}
		if !found {
			t.Errorf("warning missing: %s\nwarnings:\n%s", w, strings.Join(got, "\n"))
		}
	}
	if err := res.Err(); err == nil || !strings.Contains(err.Error(), "duplicate function ID") {
		t.Errorf("Err() = %v", err)
	}
}

func TestScanWithoutRegistryPath(t *testing.T) {
	// With no registry package, internal packages and cycles are not errors.
	dir := filepath.Join("testdata", "mod")
	res, err := Scan(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors {
		if strings.Contains(e.Msg, "is internal and cannot be imported") || strings.Contains(e.Msg, "imports the registry") {
			t.Errorf("unexpected error: %s", e)
		}
	}
	ids := map[string]bool{}
	for _, f := range res.Functions {
		ids[f.ID] = true
	}
	if !ids["deep"] || !ids["cyc"] {
		t.Errorf("functions = %v, want deep and cyc listed", res.Functions)
	}
}

func TestFindModule(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("// c\nmodule \"example.com/q\" // comment\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "x", "y")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	d, p, err := FindModule(sub)
	if err != nil || d != dir || p != "example.com/q" {
		t.Errorf("FindModule = %q, %q, %v", d, p, err)
	}
}

func TestCanImport(t *testing.T) {
	tests := []struct {
		importer, pkg string
		want          bool
	}{
		{"m/internal/registry", "m/internal/x", true},
		{"m/registry", "m/internal/x", true},
		{"m/registry", "m/a/internal/x", false},
		{"m/a/registry", "m/a/internal/x", true},
		{"m/a", "m/b", true},
		{"other/x", "m/internal/y", false},
	}
	for _, tt := range tests {
		if got := canImport(tt.importer, tt.pkg); got != tt.want {
			t.Errorf("canImport(%s, %s) = %v, want %v", tt.importer, tt.pkg, got, tt.want)
		}
	}
}
