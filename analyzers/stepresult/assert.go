package stepresult

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/ignore"
)

// checkAssertions reports type assertions, on values decoded from JSON (a
// step's, a wait's or an invoke's result, or the event a function
// receives), to types that JSON never produces: `.(int)` on a number that
// comes back as float64, `.(Order)` on an object that comes back as
// map[string]any.
func checkAssertions(pass *analysis.Pass, ins *inspector.Inspector, rep *ignore.Reporter, res *durable.Result, factOf func(*types.Func) *resultParamFact) {
	info := pass.TypesInfo
	// Variables holding decoded values, and what they came from.
	from := map[types.Object]string{}
	for _, b := range res.Bodies {
		if b.Input != nil {
			from[b.Input] = "the event the function receives"
		}
	}
	for _, s := range res.Steps {
		switch s.Kind {
		case durable.Run, durable.WaitForEvent, durable.Invoke:
		default:
			continue
		}
		what := s.Name()
		if s.ID != nil {
			if tv := info.Types[s.ID]; tv.Value != nil {
				what += " " + tv.Value.ExactString()
			}
		}
		cur, ok := ins.Root().FindNode(s.Call)
		if !ok {
			continue
		}
		switch p := cur.Parent().Node().(type) {
		case *ast.AssignStmt:
			if len(p.Rhs) == 1 && len(p.Lhs) >= 1 {
				if obj := lhsObject(info, p.Lhs[0]); obj != nil {
					from[obj] = "the result of " + what
				}
			}
		case *ast.ValueSpec:
			if len(p.Values) == 1 && len(p.Names) >= 1 {
				if obj := info.Defs[p.Names[0]]; obj != nil {
					from[obj] = "the result of " + what
				}
			}
		}
	}
	// Results of generic helpers that record their type argument as a
	// step's result (v, err := fetch[any](ctx, "id")).
	for n := range ins.PreorderSeq((*ast.AssignStmt)(nil)) {
		as := n.(*ast.AssignStmt)
		if len(as.Rhs) != 1 || len(as.Lhs) < 1 {
			continue
		}
		call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
		if !ok || res.Step(call) != nil {
			continue
		}
		if uses := recordedUses(pass, call, factOf); len(uses) > 0 {
			if obj := lhsObject(info, as.Lhs[0]); obj != nil {
				from[obj] = "the result of " + uses[0].chain
			}
		}
	}
	if len(from) == 0 {
		return
	}
	// The origin of an expression built from such a variable: ev.Data["n"],
	// items[i], through conversions to any.
	origin := func(e ast.Expr) (string, bool) {
		for {
			switch x := ast.Unparen(e).(type) {
			case *ast.Ident:
				w, ok := from[info.Uses[x]]
				return w, ok
			case *ast.SelectorExpr:
				if sel, ok := info.Selections[x]; !ok || sel.Kind() != types.FieldVal {
					return "", false
				}
				e = x.X
			case *ast.IndexExpr:
				e = x.X
			case *ast.TypeAssertExpr:
				e = x.X
			case *ast.StarExpr:
				e = x.X
			default:
				return "", false
			}
		}
	}
	// Source order: a variable defined from a decoded value is decoded too
	// (data := ev.Data; for _, it := range data["items"].([]any)).
	for n := range ins.PreorderSeq((*ast.AssignStmt)(nil), (*ast.RangeStmt)(nil), (*ast.TypeAssertExpr)(nil), (*ast.TypeSwitchStmt)(nil)) {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				continue
			}
			if len(n.Lhs) == len(n.Rhs) {
				for i, r := range n.Rhs {
					if w, ok := origin(r); ok {
						if obj := lhsObject(info, n.Lhs[i]); obj != nil {
							from[obj] = w
						}
					}
				}
			} else if len(n.Rhs) == 1 && len(n.Lhs) == 2 {
				if _, ok := ast.Unparen(n.Rhs[0]).(*ast.TypeAssertExpr); ok {
					if w, ok := origin(n.Rhs[0]); ok {
						if obj := lhsObject(info, n.Lhs[0]); obj != nil {
							from[obj] = w
						}
					}
				}
			}
		case *ast.RangeStmt:
			if w, ok := origin(n.X); ok && n.Value != nil {
				if obj := lhsObject(info, n.Value); obj != nil {
					from[obj] = w
				}
			}
		case *ast.TypeAssertExpr:
			if n.Type == nil {
				continue // x.(type): see the switch
			}
			w, ok := origin(n.X)
			if !ok || !isInterface(info.TypeOf(n.X)) {
				continue
			}
			t := info.TypeOf(n.Type)
			if t == nil || decodesAsItself(t) {
				continue
			}
			cur, _ := ins.Root().FindNode(n)
			checked := false
			switch p := cur.Parent().Node().(type) {
			case *ast.AssignStmt:
				checked = len(p.Lhs) == 2 && len(p.Rhs) == 1
			case *ast.ValueSpec:
				checked = len(p.Names) == 2 && len(p.Values) == 1
			}
			consequence := "panics"
			if checked {
				consequence = "is never true, so the code silently takes the other path"
			}
			rep.Report(analysis.Diagnostic{Pos: n.Pos(), End: n.End(),
				Message: fmt.Sprintf("type assertion to %s on %s, which is decoded from JSON: numbers come back as float64, objects as map[string]any and arrays as []any, so this assertion %s when the value is replayed; give the step a concrete result type, or assert to float64/map[string]any and convert",
					typeName(pass, t), w, consequence)})
		case *ast.TypeSwitchStmt:
			var x ast.Expr
			switch a := n.Assign.(type) {
			case *ast.AssignStmt:
				x = a.Rhs[0].(*ast.TypeAssertExpr).X
			case *ast.ExprStmt:
				x = a.X.(*ast.TypeAssertExpr).X
			}
			w, ok := origin(x)
			if !ok {
				continue
			}
			for _, cl := range n.Body.List {
				for _, te := range cl.(*ast.CaseClause).List {
					t := info.TypeOf(te)
					if t == nil || decodesAsItself(t) {
						continue
					}
					if tv := info.Types[te]; tv.IsNil() {
						continue
					}
					rep.Report(analysis.Diagnostic{Pos: te.Pos(), End: te.End(),
						Message: fmt.Sprintf("case %s of a type switch on %s, which is decoded from JSON: numbers come back as float64, objects as map[string]any and arrays as []any, so this case never matches when the value is replayed",
							typeName(pass, t), w)})
				}
			}
		}
	}
}

func lhsObject(info *types.Info, e ast.Expr) types.Object {
	id, ok := e.(*ast.Ident)
	if !ok || id.Name == "_" {
		return nil
	}
	return info.ObjectOf(id)
}

func isInterface(t types.Type) bool {
	return t != nil && types.IsInterface(t)
}

func typeName(pass *analysis.Pass, t types.Type) string {
	return types.TypeString(t, types.RelativeTo(pass.Pkg))
}
