package unregistered

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/ignore"
)

//go:embed doc.go
var doc string

// Analyzer reports durable functions never registered with an engine.
var Analyzer = &analysis.Analyzer{
	Name:      "unregistered",
	Doc:       durable.ExtractDoc(doc, "unregistered"),
	URL:       durable.DocURL("unregistered"),
	Requires:  []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	FactTypes: []analysis.Fact{(*Defined)(nil), (*Registered)(nil)},
	Run:       run,
}

// Def is a package-level durable function.
type Def struct {
	Var, ID  string // Var is "import/path.Name"
	Exported bool
	Pos      string // file:line:col
}

// Defined is the fact listing a package's package-level durable functions.
type Defined struct{ Funcs []Def }

func (*Defined) AFact() {}
func (f *Defined) String() string {
	names := make([]string, len(f.Funcs))
	for i, d := range f.Funcs {
		names[i] = d.Var
	}
	return "defines(" + strings.Join(names, ", ") + ")"
}

// Registered is the fact listing the durable functions (of any package) a
// package registers.
type Registered struct{ Vars []string }

func (*Registered) AFact()           {}
func (f *Registered) String() string { return "registers(" + strings.Join(f.Vars, ", ") + ")" }

func qualified(v types.Object) string { return v.Pkg().Path() + "." + v.Name() }

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	if !res.Relevant {
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
		discarded := d.Var != nil && d.Var.Name() == "_"
		if d.Var == nil {
			if cur, ok := insp.Root().FindNode(d.Call); ok {
				_, discarded = cur.Parent().Node().(*ast.ExprStmt)
			}
		}
		if discarded {
			ig.Reportf(d.Call.Pos(), "durable function %s is defined but its result is discarded, so no engine can run it; assign it to a package-level variable and register it", label(d.ID, "NewFunction"))
		}
		if d.Var == nil || discarded {
			continue
		}
		if d.Var.Parent() != pass.Pkg.Scope() {
			continue // a local variable: the compiler makes sure it is used
		}
		q := qualified(d.Var)
		defs = append(defs, Def{Var: q, ID: d.ID, Exported: d.Var.Exported(), Pos: pass.Fset.Position(d.Call.Pos()).String()})
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
	if len(defs) > 0 {
		pass.ExportPackageFact(&Defined{Funcs: defs})
	}
	if len(registered) > 0 {
		vars := make([]string, 0, len(registered))
		for v := range registered {
			vars = append(vars, v)
		}
		sort.Strings(vars)
		pass.ExportPackageFact(&Registered{Vars: vars})
	}

	// Every fact of the program so far (this package's included).
	var all []Def
	allRegistered := map[string]bool{}
	definedIn := map[*types.Package]*Defined{}
	for _, pf := range pass.AllPackageFacts() {
		switch f := pf.Fact.(type) {
		case *Defined:
			all = append(all, f.Funcs...)
			definedIn[pf.Package] = f
		case *Registered:
			for _, v := range f.Vars {
				allRegistered[v] = true
			}
		}
	}

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
				d := definedIn[imp]
				if d == nil {
					continue
				}
				for _, fn := range d.Funcs {
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
