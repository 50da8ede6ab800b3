// Package durablefn is the one definition of "a durable function is
// defined here" that the registry scan of `durable generate`
// (codegen/internal/registry, syntax only, so that it costs about as much
// as `go list`) and the analyzers (analyzers/internal/durable, on types)
// share, so that what the generated registry lists is exactly what the
// unregistered analyzer expects it to list.
//
// It lives at the module root because Go's internal rule lets both
// codegen/... and analyzers/... import it, and it depends on go/ast only:
// each caller resolves names its own way (import declarations or
// go/types) and hands the answers in.
//
// A definition is a call of a defining function (Definer). Where its
// result goes (Bind) decides whether the registry lists it: the registry
// lists a definition whose value initialises a package-level variable
// (var X = runtime.NewFunction(...)) or is assigned to one (X = ... in
// init or any function), when the variable is exported; everything else
// (a local variable, a helper's return value, an argument, _) is the
// helper's or the caller's business. Unexported package-level variables
// are not listed (the registry cannot name them) but are definitions all
// the same, which the analyzers check are registered by hand.
package durablefn

import (
	"go/ast"
	"go/token"
)

// Import paths of the packages that declare defining functions.
const (
	RuntimePath = "github.com/durable-go/durable/runtime"
	InngestPath = "github.com/inngest/inngestgo"
)

// API is an API whose functions define durable functions.
type API uint8

const (
	NoAPI   API = iota
	Durable     // runtime.NewFunction(opts, trigger, handler)
	Inngest     // inngestgo.CreateFunction(client, opts, trigger, handler)
)

// Definer reports the API of the package-level function pkgPath.name if it
// defines durable functions, or NoAPI.
func Definer(pkgPath, name string) API {
	switch {
	case pkgPath == RuntimePath && name == "NewFunction":
		return Durable
	case pkgPath == InngestPath && name == "CreateFunction":
		return Inngest
	}
	return NoAPI
}

// OptsIndex is the index of the options argument of the API's defining
// call.
func (a API) OptsIndex() int {
	if a == Inngest {
		return 1
	}
	return 0
}

// CalleeName splits the function expression of a call into its package
// qualifier (nil when unqualified) and name, through parentheses and
// instantiation (runtime.NewFunction[T]); ok is false for any other form.
func CalleeName(fun ast.Expr) (qual *ast.Ident, name *ast.Ident, ok bool) {
	fun = ast.Unparen(fun)
	switch x := fun.(type) {
	case *ast.IndexExpr:
		fun = ast.Unparen(x.X)
	case *ast.IndexListExpr:
		fun = ast.Unparen(x.X)
	}
	switch x := fun.(type) {
	case *ast.Ident:
		return nil, x, true
	case *ast.SelectorExpr:
		if q, ok := ast.Unparen(x.X).(*ast.Ident); ok {
			return q, x.Sel, true
		}
	}
	return nil, nil, false
}

// IDExpr is the ID field of a definition's options: the value of the key
// ID in the composite literal opts is (through parentheses and &), or nil.
func IDExpr(opts ast.Expr) ast.Expr {
	opts = ast.Unparen(opts)
	if u, ok := opts.(*ast.UnaryExpr); ok && u.Op == token.AND {
		opts = ast.Unparen(u.X)
	}
	lit, ok := opts.(*ast.CompositeLit)
	if !ok {
		return nil
	}
	for _, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "ID" {
				return kv.Value
			}
		}
	}
	return nil
}

// Site is where the value of a definition goes.
type Site uint8

const (
	// Unbound: an argument, a return value, an element, a field: whoever
	// receives it decides.
	Unbound Site = iota
	// PackageVar: the initial value of a package-level variable.
	PackageVar
	// LocalVar: the initial value of a variable declared in a function.
	LocalVar
	// Assigned: assigned with = to a variable named by an identifier,
	// which the caller resolves (a package-level variable is listed).
	Assigned
	// Discarded: assigned to _ or dropped by an expression statement.
	Discarded
)

// Binding is what a definition is bound to.
type Binding struct {
	Site Site
	// Name is the variable's identifier (PackageVar, LocalVar, Assigned),
	// or nil.
	Name *ast.Ident
}

// Bind reports what the value of call goes to. ancestors are the nodes
// enclosing call, innermost (its parent) first, up to the file; eight
// suffice unless the call is wrapped in more than four parentheses.
func Bind(call *ast.CallExpr, ancestors []ast.Node) Binding {
	var child ast.Node = call
	for i, n := range ancestors {
		switch n := n.(type) {
		case *ast.ParenExpr:
			child = n
			continue
		case *ast.ExprStmt:
			return Binding{Site: Discarded}
		case *ast.ValueSpec:
			name := nameAt(n.Values, n.Names, child)
			if name == nil {
				return Binding{}
			}
			if name.Name == "_" {
				return Binding{Site: Discarded}
			}
			// The spec's GenDecl is in a file or a DeclStmt.
			site := LocalVar
			if i+2 < len(ancestors) {
				if _, ok := ancestors[i+2].(*ast.File); ok {
					site = PackageVar
				}
			}
			return Binding{Site: site, Name: name}
		case *ast.AssignStmt:
			if len(n.Lhs) != len(n.Rhs) {
				return Binding{}
			}
			var lhs []*ast.Ident
			for _, e := range n.Lhs {
				id, _ := ast.Unparen(e).(*ast.Ident)
				lhs = append(lhs, id)
			}
			name := nameAt(n.Rhs, lhs, child)
			switch {
			case name == nil:
				return Binding{}
			case name.Name == "_":
				return Binding{Site: Discarded}
			case n.Tok == token.DEFINE:
				return Binding{Site: LocalVar, Name: name}
			case n.Tok == token.ASSIGN:
				return Binding{Site: Assigned, Name: name}
			}
			return Binding{}
		}
		return Binding{}
	}
	return Binding{}
}

// nameAt is the name paired with value v, or nil.
func nameAt(values []ast.Expr, names []*ast.Ident, v ast.Node) *ast.Ident {
	for i, e := range values {
		if e == v && i < len(names) {
			return names[i]
		}
	}
	return nil
}

// PackageLevel reports whether the definition is held by a package-level
// variable (declared with it, or assigned in a function); isPackageVar
// resolves the identifier of an assignment. The registry lists those whose
// variable is exported (and reports the others).
func (b Binding) PackageLevel(isPackageVar func(*ast.Ident) bool) bool {
	switch b.Site {
	case PackageVar:
		return true
	case Assigned:
		return isPackageVar(b.Name)
	}
	return false
}
