package stepcapture

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/internal/callchain"
	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/ignore"
)

const name = "stepcapture"

// Analyzer reports step callbacks that assign to variables declared outside them.
var Analyzer = &analysis.Analyzer{
	Name:      name,
	Doc:       "stepcapture: report step callbacks that assign to variables declared outside them (the assignment is lost when the step is replayed)",
	URL:       durable.DocURL(name),
	Requires:  []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	Run:       run,
	FactTypes: []analysis.Fact{new(mutatesFact)},
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
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	if !res.Relevant {
		return nil, nil
	}
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
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
		if ws := writes(pass, fd.Body, outer); len(ws) > 0 {
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
			for _, w := range writes(pass, lit.Body, outside, func(n ast.Node) bool {
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
func writes(pass *analysis.Pass, body *ast.BlockStmt, outer func(*types.Var) bool, skip ...func(ast.Node) bool) []write {
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
			if fn != nil && fn.Pkg() != nil && readOnly[fn.Pkg().Path()+"."+fn.Name()] {
				return true
			}
			calleeName := types.ExprString(n.Fun)
			if fn != nil {
				calleeName = callchain.FuncName(fn)
			}
			for _, a := range n.Args {
				if u, ok := ast.Unparen(a).(*ast.UnaryExpr); ok && u.Op == token.AND {
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
