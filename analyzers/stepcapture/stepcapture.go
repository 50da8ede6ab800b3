package stepcapture

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/internal/callchain"
	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/ignore"
	"github.com/durable-go/durable/analyzers/internal/stdlib"
)

const name = "stepcapture"

//go:embed doc.go
var doc string

// Analyzer reports step callbacks that assign to variables declared outside them.
var Analyzer = &analysis.Analyzer{
	Name:      name,
	Doc:       durable.ExtractDoc(doc, name),
	URL:       durable.DocURL(name),
	Requires:  []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	Run:       run,
	FactTypes: []analysis.Fact{new(mutatesFact), new(writesParamsFact)},
}

// writesParamsFact marks a function that writes through some of its
// pointer parameters (by index): &v handed to it changes v.
type writesParamsFact struct {
	Params []int
}

func (*writesParamsFact) AFact() {}
func (f *writesParamsFact) String() string {
	return fmt.Sprintf("writesParams(%v)", f.Params)
}

// mutatesFact marks a function or method that writes state that outlives
// the call (a package variable, or a field of its pointer receiver): as a
// step callback, that write is lost on replay.
type mutatesFact struct {
	What string
}

func (*mutatesFact) AFact()           {}
func (f *mutatesFact) String() string { return "mutates(" + f.What + ")" }

// readOnly lists functions that take pointers without writing through them.
var readOnly = map[string]bool{
	"encoding/json.Marshal": true, "encoding/json.MarshalIndent": true,
	"fmt.Sprint": true, "fmt.Sprintf": true, "fmt.Sprintln": true, "fmt.Errorf": true,
	"fmt.Print": true, "fmt.Printf": true, "fmt.Println": true,
	"fmt.Fprint": true, "fmt.Fprintf": true, "fmt.Fprintln": true,
	"reflect.TypeOf": true, "reflect.DeepEqual": true,
}

func run(pass *analysis.Pass) (any, error) {
	if stdlib.Pass(pass.Fset, pass.Files) || durable.ProfileOfPackage(pass.Pkg.Path()) != durable.None {
		return nil, nil // standard library writes through pointers by reflection: judged by name
	}
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)

	// Which pointer parameters each function writes through, in every
	// package: step callbacks call helpers that import no durable API.
	pw := &paramWrites{pass: pass, decls: map[*types.Func]*ast.FuncDecl{}, memo: map[*types.Func][]int{}, busy: map[*types.Func]bool{}}
	for n := range ins.PreorderSeq((*ast.FuncDecl)(nil)) {
		fd := n.(*ast.FuncDecl)
		if fn, _ := pass.TypesInfo.Defs[fd.Name].(*types.Func); fn != nil && fd.Body != nil {
			pw.decls[fn] = fd
		}
	}
	for n := range ins.PreorderSeq((*ast.FuncDecl)(nil)) {
		fd := n.(*ast.FuncDecl)
		if fn, _ := pass.TypesInfo.Defs[fd.Name].(*types.Func); fn != nil && fd.Body != nil {
			if idx := pw.of(fn); len(idx) > 0 {
				pass.ExportObjectFact(fn, &writesParamsFact{Params: idx})
			}
		}
	}

	if !res.Relevant {
		return nil, nil
	}
	rep := ignore.New(pass, name)
	defer rep.Finish()

	// Functions and methods of this package that write lasting state.
	mutates := map[*types.Func]write{}
	for n := range ins.PreorderSeq((*ast.FuncDecl)(nil)) {
		fd := n.(*ast.FuncDecl)
		fn, _ := pass.TypesInfo.Defs[fd.Name].(*types.Func)
		if fn == nil || fd.Body == nil || !callbackShaped(fn.Type().(*types.Signature)) {
			continue
		}
		outer := func(v *types.Var) bool {
			if v.Parent() == pass.Pkg.Scope() {
				return true
			}
			sig := fn.Type().(*types.Signature)
			if r := sig.Recv(); r != nil && r == v {
				_, ptr := r.Type().Underlying().(*types.Pointer)
				return ptr
			}
			return false
		}
		if ws := writes(pass, pw, fd.Body, outer); len(ws) > 0 {
			mutates[fn] = ws[0]
			pass.ExportObjectFact(fn, &mutatesFact{What: ws[0].what()})
		}
	}

	for _, s := range res.Steps {
		if s.Kind != durable.Run {
			continue
		}
		id := stepLabel(pass, s)
		if lit := s.CallbackLit; lit != nil {
			outside := func(v *types.Var) bool {
				return v.Pos().IsValid() && !(lit.Pos() <= v.Pos() && v.Pos() < lit.End())
			}
			seen := map[types.Object]bool{}
			for _, w := range writes(pass, pw, lit.Body, outside, func(n ast.Node) bool {
				l, ok := n.(*ast.FuncLit)
				return ok && res.IsStepCallback(l)
			}) {
				if seen[w.root] {
					continue
				}
				seen[w.root] = true
				rep.Report(analysis.Diagnostic{
					Pos: w.pos, End: w.end,
					Message: fmt.Sprintf("%s callback %s, declared outside the step: this happens only when the step executes, not when a resumed run replays the step from its journal, so later code sees %s unset; return the value from the callback and use the step's result instead",
						id, w.describe(), w.root.Name()),
				})
			}
			continue
		}
		fn := durable.FuncOf(pass.TypesInfo, s.Callback)
		if fn == nil {
			continue
		}
		var what string
		if w, ok := mutates[fn]; ok {
			what = w.what()
		} else {
			var f mutatesFact
			if fn.Pkg() == pass.Pkg || !pass.ImportObjectFact(fn, &f) {
				continue
			}
			what = f.What
		}
		rep.Report(analysis.Diagnostic{
			Pos: s.Callback.Pos(), End: s.Callback.End(),
			Message: fmt.Sprintf("%s callback %s writes %s, which outlives the step: the write happens only when the step executes, not when a resumed run replays the step from its journal; return the value from the callback instead",
				id, callchain.FuncName(fn), what),
		})
	}
	return nil, nil
}

// callbackShaped reports whether sig can be a step callback:
// func(context.Context) (T, error).
func callbackShaped(sig *types.Signature) bool {
	if sig.Params().Len() != 1 || sig.Results().Len() != 2 {
		return false
	}
	named, ok := types.Unalias(sig.Params().At(0).Type()).(*types.Named)
	if !ok || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != "context" || named.Obj().Name() != "Context" {
		return false
	}
	return types.Identical(sig.Results().At(1).Type(), types.Universe.Lookup("error").Type())
}

func stepLabel(pass *analysis.Pass, s *durable.StepCall) string {
	label := s.Name()
	if s.ID != nil {
		if tv, ok := pass.TypesInfo.Types[s.ID]; ok && tv.Value != nil {
			label += " " + tv.Value.ExactString()
		}
	}
	return label
}

// write is an assignment (or a pointer handed to a call) that changes a
// variable declared outside the code being checked.
type write struct {
	root     *types.Var
	pos, end token.Pos
	expr     string // the written expression: "total", "order.Status", "cache[k]"
	callee   string // for a pointer handed to a call: the callee
	pkgLevel bool
}

func (w write) describe() string {
	if w.callee != "" {
		return fmt.Sprintf("passes &%s to %s, which can fill %s", w.expr, w.callee, w.root.Name())
	}
	if w.expr == w.root.Name() {
		return "assigns to " + w.expr
	}
	return fmt.Sprintf("assigns to %s, part of %s", w.expr, w.root.Name())
}

func (w write) what() string {
	if w.pkgLevel {
		return "package variable " + w.expr
	}
	return w.expr
}

// writes returns the writes in body to variables for which outer is true,
// in source order, not descending into nodes for which a skip returns true.
func writes(pass *analysis.Pass, pw *paramWrites, body *ast.BlockStmt, outer func(*types.Var) bool, skip ...func(ast.Node) bool) []write {
	info := pass.TypesInfo
	var out []write
	add := func(e ast.Expr, callee string) {
		root := rootVar(info, e)
		if root == nil || !outer(root) {
			return
		}
		out = append(out, write{
			root: root, pos: e.Pos(), end: e.End(), expr: types.ExprString(e), callee: callee,
			pkgLevel: root.Pkg() != nil && root.Parent() == root.Pkg().Scope(),
		})
	}
	ast.Inspect(body, func(n ast.Node) bool {
		for _, sk := range skip {
			if n != nil && sk(n) {
				return false
			}
		}
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if n.Tok == token.DEFINE {
					if id, ok := l.(*ast.Ident); ok && info.Defs[id] != nil {
						continue // a new variable
					}
				}
				add(l, "")
			}
		case *ast.IncDecStmt:
			add(n.X, "")
		case *ast.RangeStmt:
			if n.Tok == token.ASSIGN {
				if n.Key != nil {
					add(n.Key, "")
				}
				if n.Value != nil {
					add(n.Value, "")
				}
			}
		case *ast.CallExpr:
			fn := durable.Callee(info, n)
			calleeName := types.ExprString(n.Fun)
			if fn != nil {
				calleeName = callchain.FuncName(fn)
			}
			for i, a := range n.Args {
				if u, ok := ast.Unparen(a).(*ast.UnaryExpr); ok && u.Op == token.AND && pw.writesThrough(n, i) {
					add(u.X, calleeName)
				}
			}
		}
		return true
	})
	return out
}

// rootVar returns the variable at the root of an assigned expression:
// x for x, x.f.g, x[i], *x, (*x).f, pkg.V; nil when the root is not a
// variable (a call result, a composite literal).
func rootVar(info *types.Info, e ast.Expr) *types.Var {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			if x.Name == "_" {
				return nil
			}
			v, _ := info.ObjectOf(x).(*types.Var)
			if v == nil || v.IsField() {
				return nil
			}
			return v
		case *ast.SelectorExpr:
			if sel, ok := info.Selections[x]; ok {
				if sel.Kind() != types.FieldVal {
					return nil
				}
				// Through a pointer field, the write lands in memory the
				// root may not own; still state outside the step.
				e = x.X
				continue
			}
			// pkg.Var
			v, _ := info.Uses[x.Sel].(*types.Var)
			return v
		case *ast.IndexExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		default:
			return nil
		}
	}
}

// paramWrites finds which pointer parameters a function writes through.
type paramWrites struct {
	pass  *analysis.Pass
	decls map[*types.Func]*ast.FuncDecl
	memo  map[*types.Func][]int
	busy  map[*types.Func]bool
}

// fills matches the names of functions and methods that fill what their
// pointer argument points to, by reflection or in code that is not
// visible (decoders, scanners, database and cache clients).
var fills = regexp.MustCompile(`^(Unmarshal|Decode|Scan|Sscan|Fscan|Read|Get|Select|Find|First|Last|Take|Load|Fill|Bind|Into|Populate|Query|Fetch|Receive|Pop|Copy|Pluck|Unpack|Deserialize)`)

// writesThrough reports whether the call writes through its argument i
// (a pointer): the callee is known to fill it (a fact, its code in this
// package, or its name when its code cannot be seen).
func (p *paramWrites) writesThrough(call *ast.CallExpr, i int) bool {
	info := p.pass.TypesInfo
	fn := durable.Callee(info, call)
	if fn == nil {
		// A func value: judged by its name.
		name := ""
		switch f := ast.Unparen(call.Fun).(type) {
		case *ast.Ident:
			name = f.Name
		case *ast.SelectorExpr:
			name = f.Sel.Name
		}
		return fills.MatchString(upperFirst(name))
	}
	if fn.Pkg() != nil && readOnly[fn.Pkg().Path()+"."+fn.Name()] {
		return false
	}
	if fn.Pkg() != nil && fn.Pkg().Path() == "errors" && fn.Name() == "As" {
		return true // fills its target by reflection
	}
	sig, _ := fn.Type().(*types.Signature)
	if sig == nil {
		return false
	}
	if sig.Variadic() && i >= sig.Params().Len()-1 {
		i = sig.Params().Len() - 1
	}
	if sig.Recv() != nil && types.IsInterface(sig.Recv().Type()) {
		return fills.MatchString(fn.Name())
	}
	if fn.Pkg() == p.pass.Pkg {
		if _, ok := p.decls[fn.Origin()]; ok {
			return slices.Contains(p.of(fn), i)
		}
	} else {
		var f writesParamsFact
		if p.pass.ImportObjectFact(fn.Origin(), &f) {
			return slices.Contains(f.Params, i)
		}
	}
	return fills.MatchString(fn.Name())
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// of returns the indices of fn's pointer parameters that its code writes
// through: `*p = v`, `p.f = v`, `p.items[i] = v`, or p handed to a call
// that writes through it.
func (p *paramWrites) of(fn *types.Func) []int {
	fn = fn.Origin()
	if idx, ok := p.memo[fn]; ok {
		return idx
	}
	fd := p.decls[fn]
	if fd == nil || p.busy[fn] {
		return nil
	}
	p.busy[fn] = true
	defer delete(p.busy, fn)
	info := p.pass.TypesInfo
	sig := fn.Type().(*types.Signature)
	params := map[*types.Var]int{}
	for i := range sig.Params().Len() {
		v := sig.Params().At(i)
		if _, ok := v.Type().Underlying().(*types.Pointer); ok {
			params[v] = i
		}
	}
	if len(params) == 0 {
		p.memo[fn] = nil
		return nil
	}
	written := map[int]bool{}
	through := func(e ast.Expr) {
		if _, bare := ast.Unparen(e).(*ast.Ident); bare {
			return // rebinding the parameter writes nothing it points to
		}
		if v := rootVar(info, e); v != nil {
			if i, ok := params[v]; ok {
				written[i] = true
			}
		}
	}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				through(l)
			}
		case *ast.IncDecStmt:
			through(n.X)
		case *ast.CallExpr:
			for j, a := range n.Args {
				id, ok := ast.Unparen(a).(*ast.Ident)
				if !ok {
					continue
				}
				v, _ := info.Uses[id].(*types.Var)
				if i, ok := params[v]; ok && !written[i] && p.writesThrough(n, j) {
					written[i] = true
				}
			}
		}
		return true
	})
	var idx []int
	for i := range sig.Params().Len() {
		if written[i] {
			idx = append(idx, i)
		}
	}
	p.memo[fn] = idx
	return idx
}
