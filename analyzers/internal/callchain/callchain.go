// Package callchain computes, for the functions of a package, the chain of
// calls through which each reaches something an analyzer looks for (a side
// effect, a step, a non-idempotent call), so that an analyzer can export it
// as a fact and show it in its messages: "via A → B → C".
//
// An analyzer defines its own fact type embedding a Chain, runs Summarize
// over the package with a Config that recognises the direct cases and
// imports the facts of callees in other packages, and exports the local
// results with ExportFacts.
package callchain

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/durable-go/durable/analyzers/internal/stdlib"
)

// MaxLen bounds the length of a chain, so that deep call graphs keep short messages.
const MaxLen = 8

// Hop is one call in a chain: the function (or operation) reached, and
// where the call is.
type Hop struct {
	// Name is what is called, as shown to the user: "mailer.Send",
	// "(*net/http.Client).Do" is shown as "http.Client.Do".
	Name string
	// File, Line and Col locate the call.
	File      string
	Line, Col int
}

// Chain is a sequence of calls from a function to what was looked for,
// outermost first: for a function F, the chain [G, H, time.Now] means
// F calls G, which calls H, which calls time.Now.
type Chain []Hop

// String renders the chain as "G → H → time.Now".
func (c Chain) String() string {
	names := make([]string, len(c))
	for i, h := range c {
		names[i] = h.Name
	}
	return strings.Join(names, " → ")
}

// Last returns the final hop's name (what was reached), or "".
func (c Chain) Last() string {
	if len(c) == 0 {
		return ""
	}
	return c[len(c)-1].Name
}

// Prepend returns a new chain starting with h, truncated to MaxLen.
func (c Chain) Prepend(h Hop) Chain {
	out := make(Chain, 0, len(c)+1)
	out = append(out, h)
	out = append(out, c...)
	if len(out) > MaxLen {
		out = append(out[:MaxLen-1], out[len(out)-1])
	}
	return out
}

// HopAt returns a hop named name for a call at pos.
func HopAt(fset *token.FileSet, pos token.Pos, name string) Hop {
	p := fset.Position(pos)
	return Hop{Name: name, File: p.Filename, Line: p.Line, Col: p.Column}
}

// Related returns one related-information entry per hop that can be
// located in fset, each pointing at the call of that hop.
func (c Chain) Related(fset *token.FileSet) []analysis.RelatedInformation {
	var files map[string]*token.File
	var out []analysis.RelatedInformation
	for i, h := range c {
		if h.File == "" || h.Line <= 0 {
			continue
		}
		if files == nil {
			files = make(map[string]*token.File)
			fset.Iterate(func(f *token.File) bool {
				files[f.Name()] = f
				return true
			})
		}
		f := files[h.File]
		if f == nil || h.Line > f.LineCount() {
			continue
		}
		pos := f.LineStart(h.Line)
		if h.Col > 1 && int(pos)+h.Col-1 <= f.Base()+f.Size() {
			pos += token.Pos(h.Col - 1)
		}
		msg := "calls " + h.Name
		if i == len(c)-1 {
			msg = h.Name + " is called here"
		}
		out = append(out, analysis.RelatedInformation{Pos: pos, Message: msg})
	}
	return out
}

// FuncName is the display name of fn: "pkg.F", "pkg.T.M".
func FuncName(fn *types.Func) string {
	name := fn.Name()
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil {
		t := sig.Recv().Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if n, ok := types.Unalias(t).(*types.Named); ok {
			name = n.Obj().Name() + "." + name
		} else {
			name = "(" + types.TypeString(t, func(*types.Package) string { return "" }) + ")." + name
		}
	}
	if fn.Pkg() != nil {
		name = fn.Pkg().Name() + "." + name
	}
	return name
}

// Config says what a summary looks for.
type Config struct {
	// Direct reports whether n (any node inside a function body) is itself
	// what is looked for, and its name for the chain. Calls to functions of
	// this package are followed whether or not Direct matches them.
	Direct func(n ast.Node) (name string, ok bool)
	// Imported returns the chain of a function declared in another package,
	// usually from a fact. It may be nil.
	Imported func(fn *types.Func) (Chain, bool)
	// Prune reports whether the subtree rooted at n is to be skipped
	// (for instance the callback of a step, where side effects belong).
	// It may be nil.
	Prune func(n ast.Node) bool
	// Dynamic follows calls of interface methods (interfaces declared
	// outside the standard library) to the methods of the concrete types
	// that implement them, among the types declared in this package and in
	// the packages it imports, directly or not: the implementations present
	// in the analysed program.
	Dynamic bool
	// Program, when set, is shared by the summaries of one pass that follow
	// interfaces, so that the program's types are listed once; nil gives
	// each Summaries its own.
	Program *Program
}

// Program lists the concrete types of the analysed program that a pass can
// see, and caches the implementations of interface methods among them.
type Program struct {
	pkg    *types.Package
	named  []*types.Named
	listed bool
	impls  map[*types.Func][]*types.Func
}

// NewProgram returns the program seen from the package of a pass.
func NewProgram(pkg *types.Package) *Program {
	return &Program{pkg: pkg, impls: map[*types.Func][]*types.Func{}}
}

// Summaries holds the chains of the functions declared in a package.
type Summaries struct {
	pass  *analysis.Pass
	cfg   Config
	local map[*types.Func]Chain
	// order lists the functions with a chain, in source order.
	order []*types.Func
	prog  *Program
}

type callEdge struct {
	callee *types.Func
	pos    token.Pos
	// iface is the interface method called, when the edge goes through it.
	iface *types.Func
}

type funcInfo struct {
	fn    *types.Func
	edges []callEdge
}

// Summarize computes the chain of every function and method declared in the
// package (including generic ones, keyed by their origin) that reaches
// something Direct matches, directly, through other functions of the package,
// or through functions of other packages that Imported knows.
func Summarize(pass *analysis.Pass, insp *inspector.Inspector, cfg Config) *Summaries {
	s := &Summaries{pass: pass, cfg: cfg, local: make(map[*types.Func]Chain), prog: cfg.Program}
	if s.prog == nil {
		s.prog = NewProgram(pass.Pkg)
	}
	var infos []*funcInfo
	for cur := range insp.Root().Preorder((*ast.FuncDecl)(nil)) {
		decl := cur.Node().(*ast.FuncDecl)
		if decl.Body == nil {
			continue
		}
		fn, _ := pass.TypesInfo.Defs[decl.Name].(*types.Func)
		if fn == nil {
			continue
		}
		fi := &funcInfo{fn: fn}
		var found Chain
		ast.Inspect(decl.Body, func(n ast.Node) bool {
			if n == nil || found != nil {
				return false
			}
			if cfg.Prune != nil && cfg.Prune(n) {
				return false
			}
			if cfg.Direct != nil {
				if name, ok := cfg.Direct(n); ok {
					found = Chain{HopAt(pass.Fset, n.Pos(), name)}
					return false
				}
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			callee := staticCallee(pass.TypesInfo, call)
			if callee == nil {
				for _, impl := range s.dynamicCallees(call) {
					if impl.callee.Pkg() == pass.Pkg {
						fi.edges = append(fi.edges, callEdge{impl.callee, call.Pos(), impl.iface})
					} else if cfg.Imported != nil {
						if c, ok := cfg.Imported(impl.callee); ok {
							found = c.Prepend(HopAt(pass.Fset, call.Pos(), FuncName(impl.callee))).Prepend(HopAt(pass.Fset, call.Pos(), FuncName(impl.iface)))
							return false
						}
					}
				}
				return true
			}
			if callee.Pkg() == pass.Pkg {
				fi.edges = append(fi.edges, callEdge{callee, call.Pos(), nil})
			} else if cfg.Imported != nil {
				if c, ok := cfg.Imported(callee); ok {
					found = c.Prepend(HopAt(pass.Fset, call.Pos(), FuncName(callee)))
					return false
				}
			}
			return true
		})
		if found != nil {
			s.local[fn] = found
		} else if len(fi.edges) > 0 {
			infos = append(infos, fi)
		}
	}
	// Propagate through calls within the package until nothing changes.
	for changed := true; changed; {
		changed = false
		for _, fi := range infos {
			if _, done := s.local[fi.fn]; done {
				continue
			}
			for _, e := range fi.edges {
				if c, ok := s.local[e.callee]; ok && e.callee != fi.fn {
					c = c.Prepend(HopAt(pass.Fset, e.pos, FuncName(e.callee)))
					if e.iface != nil {
						c = c.Prepend(HopAt(pass.Fset, e.pos, FuncName(e.iface)))
					}
					s.local[fi.fn] = c
					changed = true
					break
				}
			}
		}
	}
	for cur := range insp.Root().Preorder((*ast.FuncDecl)(nil)) {
		decl := cur.Node().(*ast.FuncDecl)
		if fn, _ := pass.TypesInfo.Defs[decl.Name].(*types.Func); fn != nil {
			if _, ok := s.local[fn]; ok {
				s.order = append(s.order, fn)
			}
		}
	}
	return s
}

// staticCallee is the origin of the function a call statically calls, or nil.
func staticCallee(info *types.Info, call *ast.CallExpr) *types.Func {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	if fn == nil {
		return nil
	}
	if sig, _ := fn.Type().(*types.Signature); sig != nil && sig.Recv() != nil && types.IsInterface(sig.Recv().Type()) {
		return nil // dynamic
	}
	return fn.Origin()
}

// Of returns the chain of fn, declared in this package or (through Imported)
// in another one.
func (s *Summaries) Of(fn *types.Func) (Chain, bool) {
	if fn == nil {
		return nil, false
	}
	fn = fn.Origin()
	if c, ok := s.local[fn]; ok {
		return c, true
	}
	if fn.Pkg() != s.pass.Pkg && s.cfg.Imported != nil {
		return s.cfg.Imported(fn)
	}
	return nil, false
}

// At returns the full chain for node n found in a body: a one-hop chain if n
// is itself what is looked for, or the callee's hop followed by its chain if
// n is a call to a function that reaches it.
func (s *Summaries) At(n ast.Node) (Chain, bool) {
	if s.cfg.Direct != nil {
		if name, ok := s.cfg.Direct(n); ok {
			return Chain{HopAt(s.pass.Fset, n.Pos(), name)}, true
		}
	}
	call, ok := n.(*ast.CallExpr)
	if !ok {
		return nil, false
	}
	callee := staticCallee(s.pass.TypesInfo, call)
	if c, ok := s.Of(callee); ok {
		return c.Prepend(HopAt(s.pass.Fset, call.Pos(), FuncName(callee))), true
	}
	if callee == nil {
		for _, impl := range s.dynamicCallees(call) {
			if c, ok := s.Of(impl.callee); ok {
				return c.Prepend(HopAt(s.pass.Fset, call.Pos(), FuncName(impl.callee))).Prepend(HopAt(s.pass.Fset, call.Pos(), FuncName(impl.iface))), true
			}
		}
	}
	return nil, false
}

// InterfaceMethod returns the interface method a call dynamically calls,
// when the interface is declared outside the standard library, or nil.
func InterfaceMethod(info *types.Info, call *ast.CallExpr) *types.Func {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	if fn == nil || fn.Pkg() == nil || stdlib.Path(fn.Pkg().Path()) {
		return nil
	}
	sig, _ := fn.Type().(*types.Signature)
	if sig == nil || sig.Recv() == nil || !types.IsInterface(sig.Recv().Type()) {
		return nil
	}
	return fn
}

type dynamicCallee struct{ iface, callee *types.Func }

// dynamicCallees returns, for a call of an interface method, the methods of
// the concrete types that implement the interface, when Dynamic is set.
func (s *Summaries) dynamicCallees(call *ast.CallExpr) []dynamicCallee {
	if !s.cfg.Dynamic {
		return nil
	}
	m := InterfaceMethod(s.pass.TypesInfo, call)
	if m == nil {
		return nil
	}
	var out []dynamicCallee
	for _, impl := range s.Implementations(m) {
		out = append(out, dynamicCallee{m, impl})
	}
	return out
}

// Implementations returns the methods that implement the interface method m
// on the concrete named types declared in this package and in the
// non-standard packages it imports, directly or not.
func (s *Summaries) Implementations(m *types.Func) []*types.Func { return s.prog.Implementations(m) }

// Implementations returns the methods that implement the interface method m
// on the concrete named types of the program.
func (p *Program) Implementations(m *types.Func) []*types.Func {
	if impls, ok := p.impls[m]; ok {
		return impls
	}
	sig, _ := m.Type().(*types.Signature)
	if sig == nil || sig.Recv() == nil {
		return nil
	}
	iface, _ := sig.Recv().Type().Underlying().(*types.Interface)
	if iface == nil {
		return nil
	}
	if !p.listed {
		p.named, p.listed = programTypes(p.pkg), true
	}
	var impls []*types.Func
	for _, n := range p.named {
		var t types.Type = n
		if !types.Implements(t, iface) {
			t = types.NewPointer(n)
			if !types.Implements(t, iface) {
				continue
			}
		}
		obj, _, _ := types.LookupFieldOrMethod(t, false, m.Pkg(), m.Name())
		if fn, ok := obj.(*types.Func); ok {
			impls = append(impls, fn.Origin())
		}
	}
	p.impls[m] = impls
	return impls
}

// programTypes lists the non-generic, non-interface named types declared at
// package level in pkg and in its non-standard imports, directly or not.
func programTypes(pkg *types.Package) []*types.Named {
	var out []*types.Named
	seen := map[*types.Package]bool{}
	var walk func(p *types.Package)
	walk = func(p *types.Package) {
		if seen[p] || (p != pkg && stdlib.Path(p.Path())) {
			return
		}
		seen[p] = true
		scope := p.Scope()
		for _, name := range scope.Names() {
			tn, ok := scope.Lookup(name).(*types.TypeName)
			if !ok || tn.IsAlias() {
				continue
			}
			n, ok := tn.Type().(*types.Named)
			if !ok || n.TypeParams().Len() > 0 || types.IsInterface(n) {
				continue
			}
			out = append(out, n)
		}
		for _, imp := range p.Imports() {
			walk(imp)
		}
	}
	walk(pkg)
	return out
}

// Local returns the functions of this package that have a chain, in source
// order, with their chains.
func (s *Summaries) Local() ([]*types.Func, map[*types.Func]Chain) {
	return s.order, s.local
}

// ExportFacts exports, for every function of the package with a chain, the
// fact that mk builds from it.
func (s *Summaries) ExportFacts(mk func(Chain) analysis.Fact) {
	for _, fn := range s.order {
		s.pass.ExportObjectFact(fn, mk(s.local[fn]))
	}
}
