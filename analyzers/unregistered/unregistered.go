package unregistered

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/ignore"
	"github.com/durable-go/durable/internal/durablefn"
)

//go:embed doc.go
var doc string

// Analyzer reports durable functions never registered with an engine.
var Analyzer = &analysis.Analyzer{
	Name:      "unregistered",
	Doc:       durable.ExtractDoc(doc, "unregistered"),
	URL:       durable.DocURL("unregistered"),
	Requires:  []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	FactTypes: []analysis.Fact{(*Program)(nil)},
	Run:       run,
}

// Def is a package-level durable function.
type Def struct {
	Var, ID  string // Var is "import/path.Name"
	Exported bool
	// Pos is "import/path/file.go:line:col": it names the place without
	// the absolute path of the machine that analysed it.
	Pos string
}

// Program is the package fact listing the package-level durable functions
// defined and the ones registered in a package and in every package it
// imports, at any depth, each once (sorted by variable). It is cumulative
// because go vet gives a package the package facts of its direct imports
// only: the package that calls runtime.New reads its direct imports' facts
// and sees every function of the program, whichever driver runs it.
type Program struct {
	Defined    []Def
	Registered []string
}

func (*Program) AFact() {}
func (f *Program) String() string {
	names := make([]string, len(f.Defined))
	for i, d := range f.Defined {
		names[i] = d.Var
	}
	return "defines(" + strings.Join(names, ", ") + ") registers(" + strings.Join(f.Registered, ", ") + ")"
}

func qualified(v types.Object) string { return v.Pkg().Path() + "." + v.Name() }

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	// What the packages below this one define and register.
	allDefined := map[string]Def{}
	allRegistered := map[string]bool{}
	definedIn := map[*types.Package][]Def{} // by direct import, for generated registries
	for _, imp := range pass.Pkg.Imports() {
		var f Program
		if !pass.ImportPackageFact(imp, &f) {
			continue
		}
		for _, d := range f.Defined {
			allDefined[d.Var] = d
			if strings.HasPrefix(d.Var, imp.Path()+".") && !strings.Contains(d.Var[len(imp.Path())+1:], ".") {
				definedIn[imp] = append(definedIn[imp], d)
			}
		}
		for _, v := range f.Registered {
			allRegistered[v] = true
		}
	}
	if !res.Relevant {
		// Not a durable package, but it may sit between main and one:
		// pass what it imports on.
		export(pass, allDefined, allRegistered)
		return nil, nil
	}
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	info := pass.TypesInfo
	ig := ignore.New(pass, "unregistered")

	// Package-level durable functions defined here.
	var defs []Def
	defPos := map[string]token.Pos{}
	for _, d := range res.Definitions {
		if d.Profile != durable.Durable {
			continue
		}
		if res.Binding(d).Site == durablefn.Discarded {
			ig.Reportf(d.Call.Pos(), "durable function %s is defined but its result is discarded, so no engine can run it; assign it to a package-level variable and register it", label(d.ID, "NewFunction"))
			continue
		}
		// Package-level functions, as the generated registry sees them
		// (durablefn decides for both); a local variable is the
		// compiler's business (it must be used).
		v := res.PackageVar(d)
		if v == nil {
			continue
		}
		q := qualified(v)
		p := pass.Fset.Position(d.Call.Pos())
		defs = append(defs, Def{Var: q, ID: d.ID, Exported: v.Exported(), Pos: fmt.Sprintf("%s/%s:%d:%d", pass.Pkg.Path(), filepath.Base(p.Filename), p.Line, p.Column)})
		defPos[q] = d.Call.Pos()
	}

	// Registrations: uses of function variables other than as a method
	// receiver or a step.Invoke argument.
	registered := map[string]bool{}
	for cur := range insp.Root().Preorder((*ast.Ident)(nil)) {
		id := cur.Node().(*ast.Ident)
		v, ok := info.Uses[id].(*types.Var)
		if !ok || v.Pkg() == nil || v.Parent() != v.Pkg().Scope() || durable.FunctionTypeProfile(v.Type()) != durable.Durable {
			continue
		}
		parent := cur.Parent().Node()
		if sel, ok := parent.(*ast.SelectorExpr); ok {
			if sel.Sel == id {
				parent = cur.Parent().Parent().Node() // pkg.Var
				if s2, ok := parent.(*ast.SelectorExpr); ok && s2.X == sel {
					continue // pkg.Var.Method
				}
			} else {
				continue // Var.Method
			}
		}
		if call, ok := parent.(*ast.CallExpr); ok {
			if k, _ := durable.ClassifyStep(durable.Callee(info, call)); k == durable.Invoke {
				continue
			}
		}
		registered[qualified(v)] = true
	}

	// Local: unexported functions nothing here registers.
	for _, d := range defs {
		if !d.Exported && !registered[d.Var] {
			ig.Reportf(defPos[d.Var], "durable function %s (%s) is defined but never registered with an engine; add it to runtime.Options.Functions or run `durable generate`",
				label(d.ID, ""), d.Var[strings.LastIndexByte(d.Var, '.')+1:])
		}
	}
	// The program so far: this package and what it imports.
	for _, d := range defs {
		allDefined[d.Var] = d
	}
	for v := range registered {
		allRegistered[v] = true
	}
	all := export(pass, allDefined, allRegistered)

	// Root: runtime.New builds an engine; everything defined must be registered somewhere.
	for cur := range insp.Root().Preorder((*ast.CallExpr)(nil)) {
		call := cur.Node().(*ast.CallExpr)
		if !durable.IsPkgFunc(durable.Callee(info, call), durable.DurableRuntimePath, "New") {
			continue
		}
		for _, d := range all {
			if !allRegistered[d.Var] && d.Exported {
				ig.Reportf(call.Pos(), "durable function %s (%s, defined at %s) is never registered with this engine or any registry; add it to Options.Functions or run `durable generate`",
					label(d.ID, ""), d.Var, d.Pos)
			}
		}
	}

	// Generated registries: must list the exported functions of the packages they import.
	for _, f := range pass.Files {
		if !ast.IsGenerated(f) {
			continue
		}
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil || !returnsFunctions(info, fd) {
				continue
			}
			listed := map[string]bool{}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok {
					if v, ok := info.Uses[id].(*types.Var); ok && v.Pkg() != nil {
						listed[qualified(v)] = true
					}
				}
				return true
			})
			for _, imp := range pass.Pkg.Imports() {
				for _, fn := range definedIn[imp] {
					if fn.Exported && !listed[fn.Var] {
						ig.Reportf(fd.Name.Pos(), "generated registry %s is stale: it does not list durable function %s (%s); run `durable generate`",
							fd.Name.Name, label(fn.ID, ""), fn.Var)
					}
				}
			}
		}
	}
	ig.Finish()
	return nil, nil
}

// export exports the Program fact of the package (unless it is main, which
// nothing imports) and returns its definitions, sorted.
func export(pass *analysis.Pass, defined map[string]Def, registered map[string]bool) []Def {
	f := &Program{}
	for _, d := range defined {
		f.Defined = append(f.Defined, d)
	}
	sort.Slice(f.Defined, func(i, j int) bool { return f.Defined[i].Var < f.Defined[j].Var })
	for v := range registered {
		f.Registered = append(f.Registered, v)
	}
	sort.Strings(f.Registered)
	if pass.Pkg.Name() != "main" && (len(f.Defined) > 0 || len(f.Registered) > 0) {
		pass.ExportPackageFact(f)
	}
	return f.Defined
}

func returnsFunctions(info *types.Info, fd *ast.FuncDecl) bool {
	fn, _ := info.Defs[fd.Name].(*types.Func)
	if fn == nil {
		return false
	}
	res := fn.Type().(*types.Signature).Results()
	if res.Len() != 1 {
		return false
	}
	s, ok := res.At(0).Type().(*types.Slice)
	return ok && durable.FunctionTypeProfile(s.Elem()) == durable.Durable
}

func label(id, fallback string) string {
	if id != "" {
		return fmt.Sprintf("%q", id)
	}
	return fallback
}
