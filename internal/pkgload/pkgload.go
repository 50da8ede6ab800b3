// Package pkgload loads packages for tests that analyse code of their own
// (fixtures, the examples) with the function bodies of everything outside
// that code left out: the standard library and the module cache are
// type-checked from declarations only, which is most of the time and
// memory of a go/packages load with syntax (SQLite, CEL, net/http).
//
// The analyzers read the standard library from their effect tables, not
// from its bodies, and code outside the tree holds no durable function; what
// a test loses is facts about third-party function bodies, so use it for
// code that calls no third-party package whose effects matter to the test.
package pkgload

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// Own loads patterns with packages.LoadAllSyntax under cfg (whose Mode and
// ParseFile it sets), keeping function bodies only in files under the
// directory own.
func Own(cfg *packages.Config, own string, patterns ...string) ([]*packages.Package, error) {
	own, err := filepath.Abs(own)
	if err != nil {
		return nil, err
	}
	inside := func(file string) bool {
		rel, err := filepath.Rel(own, file)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	c := *cfg
	c.Mode = packages.LoadAllSyntax
	c.ParseFile = func(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
		f, err := parser.ParseFile(fset, filename, src, parser.AllErrors|parser.ParseComments|parser.SkipObjectResolution)
		if f != nil && !inside(filename) {
			for _, d := range f.Decls {
				// The type checker needs the bodies of init and generic
				// functions.
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name != "init" && fd.Type.TypeParams == nil && !genericRecv(fd) {
					fd.Body = nil
				}
			}
		}
		return f, err
	}
	pkgs, err := packages.Load(&c, patterns...)
	if err != nil {
		return nil, err
	}
	// Without bodies, imports used only in bodies are unused: the one error
	// leaving them out causes, dropped here (and IllTyped, which importers
	// inherit, recomputed).
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		p.Errors = slices.DeleteFunc(p.Errors, func(e packages.Error) bool {
			return e.Kind == packages.TypeError && strings.Contains(e.Msg, " imported ") && strings.HasSuffix(e.Msg, " not used")
		})
		p.IllTyped = len(p.Errors) > 0
		for _, imp := range p.Imports {
			p.IllTyped = p.IllTyped || imp.IllTyped
		}
	})
	return pkgs, nil
}

// genericRecv reports whether fd is a method of a generic type.
func genericRecv(fd *ast.FuncDecl) bool {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return false
	}
	t := fd.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	switch t.(type) {
	case *ast.IndexExpr, *ast.IndexListExpr:
		return true
	}
	return false
}
