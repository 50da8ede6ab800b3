package durable

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/internal/durablefn"
)

// Binding is what the value of definition d goes to, by the rule the
// registry scan of `durable generate` applies too (durablefn.Bind).
func (r *Result) Binding(d *Definition) durablefn.Binding {
	insp := r.pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	cur, ok := insp.Root().FindNode(d.Call)
	if !ok {
		return durablefn.Binding{}
	}
	ancestors := make([]ast.Node, 0, 8)
	for c := range cur.Parent().Enclosing() {
		if c.Node() == nil || len(ancestors) == cap(ancestors) {
			break
		}
		ancestors = append(ancestors, c.Node())
	}
	return durablefn.Bind(d.Call, ancestors)
}

// PackageVar returns the package-level variable that holds the function d
// defines (declared with it, or assigned to it in a function), or nil. The
// generated registry lists exactly these definitions when the variable is
// exported: durablefn decides for both.
func (r *Result) PackageVar(d *Definition) *types.Var {
	info, scope := r.pass.TypesInfo, r.pass.Pkg.Scope()
	b := r.Binding(d)
	isPackageVar := func(id *ast.Ident) bool {
		v, ok := info.ObjectOf(id).(*types.Var)
		return ok && v.Parent() == scope
	}
	if !b.PackageLevel(isPackageVar) {
		return nil
	}
	v, _ := info.ObjectOf(b.Name).(*types.Var)
	return v
}
