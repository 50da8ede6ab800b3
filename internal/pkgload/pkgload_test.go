package pkgload

import (
	"go/ast"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/packages"
)

// TestOwn: the code under the directory keeps its bodies, the standard
// library loses them (but for init and generic functions), and the unused
// imports that leaves are not errors.
func TestOwn(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"go.mod":  "module example.com/own\n\ngo 1.26\n",
		"main.go": "package main\n\nimport (\n\t\"net/http\"\n\t\"slices\"\n)\n\nfunc main() { http.ListenAndServe(\":0\", nil); _ = slices.Contains([]int{1}, 1) }\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pkgs, err := Own(&packages.Config{Dir: dir, Env: append(os.Environ(), "GOWORK=off")}, dir, ".")
	if err != nil {
		t.Fatal(err)
	}
	if n := packages.PrintErrors(pkgs); n > 0 || pkgs[0].IllTyped {
		t.Fatalf("%d errors; IllTyped %v", n, pkgs[0].IllTyped)
	}
	bodies := func(p *packages.Package, name string) (with, without int, found bool) {
		for _, f := range p.Syntax {
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok {
					if fd.Name.Name == name {
						found = true
					}
					if fd.Body != nil {
						with++
					} else {
						without++
					}
				}
			}
		}
		return
	}
	if with, without, found := bodies(pkgs[0], "main"); !found || with != 1 || without != 0 {
		t.Errorf("main: %d functions with bodies, %d without", with, without)
	}
	var nethttp, slicesPkg *packages.Package
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		switch p.PkgPath {
		case "net/http":
			nethttp = p
		case "slices":
			slicesPkg = p
		}
	})
	if with, without, found := bodies(nethttp, "ListenAndServe"); !found || without == 0 || with > without/10 {
		t.Errorf("net/http: %d functions with bodies (init and generic), %d without", with, without)
	}
	if with, _, found := bodies(slicesPkg, "Contains"); !found || with == 0 {
		t.Error("slices: the generic functions lost their bodies")
	}
}

// BenchmarkLoad compares a full load with syntax of a package importing
// net/http (what analysistest and durable lint's tests do) with Own.
func BenchmarkLoad(b *testing.B) {
	dir := b.TempDir()
	for name, src := range map[string]string{
		"go.mod":  "module example.com/own\n\ngo 1.26\n",
		"main.go": "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":0\", nil) }\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	env := append(os.Environ(), "GOWORK=off")
	b.Run("full", func(b *testing.B) {
		for b.Loop() {
			if _, err := packages.Load(&packages.Config{Mode: packages.LoadAllSyntax, Dir: dir, Env: env}, "."); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("own", func(b *testing.B) {
		for b.Loop() {
			if _, err := Own(&packages.Config{Dir: dir, Env: env}, dir, "."); err != nil {
				b.Fatal(err)
			}
		}
	})
}
