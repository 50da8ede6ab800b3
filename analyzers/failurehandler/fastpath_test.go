package failurehandler_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/failurehandler"
	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/unregistered"
)

// unrelatedPass is the pass of a package that imports no durable API and
// no package with a fact of these analyzers (a utility package of a large
// dependency), as a driver gives it to them.
func unrelatedPass(tb testing.TB, a *analysis.Analyzer) *analysis.Pass {
	tb.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "util.go", "package util\n\nfunc Join(a, b string) string { return a + b }\n", 0)
	if err != nil {
		tb.Fatal(err)
	}
	pkg := types.NewPackage("example.com/dep/util", "util")
	var imports []*types.Package
	for _, p := range []string{"context", "encoding/json", "fmt", "net/http", "strings", "sync", "time", "google.golang.org/grpc", "google.golang.org/protobuf/proto"} {
		imports = append(imports, types.NewPackage(p, p))
	}
	pkg.SetImports(imports)
	exported := 0
	return &analysis.Pass{
		Analyzer: a, Fset: fset, Files: []*ast.File{f}, Pkg: pkg, TypesInfo: &types.Info{},
		ResultOf: map[*analysis.Analyzer]any{
			inspect.Analyzer: inspector.New([]*ast.File{f}),
			durable.Analyzer: &durable.Result{}, // not Relevant
		},
		ImportPackageFact: func(*types.Package, analysis.Fact) bool { return false },
		ImportObjectFact:  func(types.Object, analysis.Fact) bool { return false },
		ExportPackageFact: func(analysis.Fact) { exported++ },
		ExportObjectFact:  func(types.Object, analysis.Fact) { exported++ },
		Report:            func(analysis.Diagnostic) { tb.Fatal("reported on an unrelated package") },
	}
}

// BenchmarkUnrelatedPackage is the cost of failurehandler and unregistered
// on a package unrelated to durable functions: a look at its imports.
func BenchmarkUnrelatedPackage(b *testing.B) {
	for _, a := range []*analysis.Analyzer{failurehandler.Analyzer, unregistered.Analyzer} {
		b.Run(a.Name, func(b *testing.B) {
			pass := unrelatedPass(b, a)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Run(pass); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestUnrelatedPackage: nothing is exported or reported for such a package.
func TestUnrelatedPackage(t *testing.T) {
	for _, a := range []*analysis.Analyzer{failurehandler.Analyzer, unregistered.Analyzer} {
		pass := unrelatedPass(t, a)
		pass.ExportPackageFact = func(f analysis.Fact) { t.Errorf("%s exported %v on an unrelated package", a.Name, f) }
		pass.ExportObjectFact = func(_ types.Object, f analysis.Fact) { t.Errorf("%s exported %v on an unrelated package", a.Name, f) }
		if _, err := a.Run(pass); err != nil {
			t.Fatal(err)
		}
	}
}
