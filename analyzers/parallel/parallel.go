package parallel

import (
	"bytes"
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"

	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/effects"
	"github.com/durable-go/durable/analyzers/internal/ignore"
)

//go:embed doc.go
var doc string

const name = "parallel"

// Analyzer reports consecutive independent steps.
var Analyzer = &analysis.Analyzer{
	Name:     name,
	Doc:      durable.ExtractDoc(doc, name),
	URL:      durable.DocURL(name),
	Requires: []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	Run:      run,
}

// unit is one step.Run statement and its error check.
type unit struct {
	step    *durable.StepCall
	stmt    ast.Stmt
	assign  *ast.AssignStmt // nil for an expression statement
	check   *ast.IfStmt     // nil when absent
	results []types.Object  // objects the statement assigns (result and error)
}

func (u *unit) end() ast.Node {
	if u.check != nil {
		return u.check
	}
	return u.stmt
}

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	if !res.Relevant {
		return nil, nil
	}
	ig := ignore.New(pass, name)
	defer ig.Finish()
	for _, b := range res.Bodies {
		res.WalkOutsideSteps(b, func(n ast.Node) bool {
			var list []ast.Stmt
			switch n := n.(type) {
			case *ast.BlockStmt:
				list = n.List
			case *ast.CaseClause:
				list = n.Body
			case *ast.CommClause:
				list = n.Body
			default:
				return true
			}
			for _, g := range groups(pass, res, list) {
				report(pass, ig, g)
			}
			return true
		})
	}
	return nil, nil
}

// groups splits the statement list into maximal groups of consecutive,
// independent, slow step.Run units.
func groups(pass *analysis.Pass, res *durable.Result, list []ast.Stmt) [][]*unit {
	info := pass.TypesInfo
	var out [][]*unit
	var cur []*unit
	flush := func() {
		if len(cur) >= 2 {
			out = append(out, cur)
		}
		cur = nil
	}
	for i := 0; i < len(list); i++ {
		u := parseUnit(info, res, list[i])
		if u == nil || !slow(info, res, u.step) {
			flush()
			continue
		}
		if i+1 < len(list) && isErrCheck(info, list[i+1], u) {
			u.check = list[i+1].(*ast.IfStmt)
			i++
		}
		if dependsOn(info, u, cur) {
			flush()
		}
		cur = append(cur, u)
		if u.check == nil && u.assign != nil && len(u.results) == 2 && u.results[1] != nil {
			// An unchecked error used later would change meaning: end the group here.
			flush()
		}
	}
	flush()
	return out
}

func parseUnit(info *types.Info, res *durable.Result, s ast.Stmt) *unit {
	var call *ast.CallExpr
	u := &unit{stmt: s}
	switch s := s.(type) {
	case *ast.AssignStmt:
		if len(s.Rhs) != 1 || len(s.Lhs) != 2 {
			return nil
		}
		call, _ = ast.Unparen(s.Rhs[0]).(*ast.CallExpr)
		u.assign = s
		for _, l := range s.Lhs {
			id, _ := l.(*ast.Ident)
			var obj types.Object
			if id != nil && id.Name != "_" {
				obj = info.ObjectOf(id)
			}
			u.results = append(u.results, obj)
		}
	case *ast.ExprStmt:
		call, _ = ast.Unparen(s.X).(*ast.CallExpr)
	}
	if call == nil {
		return nil
	}
	st := res.Step(call)
	if st == nil || st.Kind != durable.Run || st.Parent != nil {
		return nil
	}
	u.step = st
	return u
}

// isErrCheck reports whether s is `if err != nil { ... }` on u's error.
func isErrCheck(info *types.Info, s ast.Stmt, u *unit) bool {
	ifs, ok := s.(*ast.IfStmt)
	if !ok || ifs.Init != nil || ifs.Else != nil || len(u.results) != 2 || u.results[1] == nil {
		return false
	}
	bin, ok := ast.Unparen(ifs.Cond).(*ast.BinaryExpr)
	if !ok || bin.Op != token.NEQ {
		return false
	}
	id, ok := ast.Unparen(bin.X).(*ast.Ident)
	if !ok || info.ObjectOf(id) != u.results[1] {
		return false
	}
	n, ok := ast.Unparen(bin.Y).(*ast.Ident)
	return ok && n.Name == "nil"
}

// dependsOn reports whether u's call refers to a result of an earlier unit.
func dependsOn(info *types.Info, u *unit, earlier []*unit) bool {
	prev := map[types.Object]bool{}
	for _, e := range earlier {
		if len(e.results) > 0 && e.results[0] != nil {
			prev[e.results[0]] = true
		}
	}
	if len(prev) == 0 {
		return false
	}
	uses := false
	ast.Inspect(u.step.Call, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && prev[info.Uses[id]] {
			uses = true
		}
		return !uses
	})
	return uses
}

// slow reports whether the step's callback waits on something.
func slow(info *types.Info, res *durable.Result, s *durable.StepCall) bool {
	if s.CallbackLit == nil {
		return s.Callback != nil
	}
	found := false
	ast.Inspect(s.CallbackLit.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || found {
			return !found
		}
		if res.Step(call) != nil {
			return true
		}
		fn := durable.Callee(info, call)
		if e, ok := effects.Classify(fn); ok {
			switch e.Kind {
			case effects.Network, effects.Database, effects.Email, effects.Process:
				found = true
			}
			return !found
		}
		for _, a := range call.Args {
			if isContext(info.TypeOf(a)) {
				found = true
			}
		}
		return !found
	})
	return found
}

func isContext(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}

func stepName(s *durable.StepCall) string {
	if lit, ok := s.ID.(*ast.BasicLit); ok {
		return s.Name() + " " + lit.Value
	}
	return s.Name()
}

func report(pass *analysis.Pass, ig *ignore.Reporter, g []*unit) {
	names := make([]string, len(g))
	for i, u := range g {
		names[i] = stepName(u.step)
	}
	list := strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	parallel := "step.Parallel"
	if g[0].step.Profile == durable.Inngest {
		parallel = "group.Parallel"
	}
	d := analysis.Diagnostic{
		Pos: g[0].stmt.Pos(), End: g[len(g)-1].end().End(), Category: "advice",
		Message: fmt.Sprintf("%s are independent (none uses an earlier one's result) and each waits on I/O: they run one after the other; run them concurrently with %s", list, parallel),
	}
	if fix, ok := suggest(pass, g); ok {
		d.SuggestedFixes = []analysis.SuggestedFix{fix}
	}
	ig.Report(d)
}

// suggest builds the step.Parallel rewrite when it is mechanical.
func suggest(pass *analysis.Pass, g []*unit) (analysis.SuggestedFix, bool) {
	info := pass.TypesInfo
	first := g[0]
	if first.step.Profile != durable.Durable {
		return analysis.SuggestedFix{}, false
	}
	file := fileOf(pass, first.stmt.Pos())
	if file == nil {
		return analysis.SuggestedFix{}, false
	}
	src, err := pass.ReadFile(pass.Fset.File(file.Pos()).Name())
	if err != nil {
		return analysis.SuggestedFix{}, false
	}
	text := func(n ast.Node) string {
		tf := pass.Fset.File(n.Pos())
		return string(src[tf.Offset(n.Pos()):tf.Offset(n.End())])
	}
	var resultT types.Type
	var checkText, ctxName, errName string
	for _, u := range g {
		if u.assign == nil || u.assign.Tok != token.DEFINE || u.check == nil || len(u.step.Call.Args) != 3 {
			return analysis.SuggestedFix{}, false
		}
		ctxID, ok := ast.Unparen(u.step.Call.Args[0]).(*ast.Ident)
		if !ok || !isContext(info.TypeOf(ctxID)) {
			return analysis.SuggestedFix{}, false
		}
		t := info.TypeOf(u.assign.Lhs[0])
		if id, ok := u.assign.Lhs[0].(*ast.Ident); ok && id.Name == "_" {
			t = nil
		}
		tv, ok := info.Types[u.step.Call]
		if !ok {
			return analysis.SuggestedFix{}, false
		}
		if tup, ok := tv.Type.(*types.Tuple); ok && tup.Len() == 2 {
			t = tup.At(0).Type()
		}
		if resultT == nil {
			resultT, checkText, ctxName, errName = t, text(u.check), ctxID.Name, u.assign.Lhs[1].(*ast.Ident).Name
		}
		if t == nil || !types.Identical(t, resultT) || text(u.check) != checkText || ctxID.Name != ctxName || u.assign.Lhs[1].(*ast.Ident).Name != errName {
			return analysis.SuggestedFix{}, false
		}
	}
	// Package names as the file imports them.
	imported := map[string]string{}
	for _, imp := range file.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		n := ""
		if imp.Name != nil {
			n = imp.Name.Name
		} else if pkg := importedPkg(pass.Pkg, path); pkg != nil {
			n = pkg.Name()
		}
		imported[path] = n
	}
	ok := true
	qual := func(p *types.Package) string {
		if p == pass.Pkg {
			return ""
		}
		n, found := imported[p.Path()]
		if !found || n == "_" || n == "." {
			ok = false
		}
		return n
	}
	typeText := types.TypeString(resultT, qual)
	ctxPkg, found := imported["context"]
	if !found || !ok {
		return analysis.SuggestedFix{}, false
	}
	stepQ := ""
	fun := ast.Unparen(first.step.Call.Fun)
	if ix, isIx := fun.(*ast.IndexExpr); isIx {
		fun = ix.X
	}
	if sel, isSel := fun.(*ast.SelectorExpr); isSel {
		stepQ = types.ExprString(sel.X) + "."
	}
	scope := innermostScope(pass, first.stmt.Pos())
	resName := "results"
	for _, cand := range []string{"results", "stepResults", "parallelResults"} {
		if scope == nil {
			break
		}
		if _, obj := scope.LookupParent(cand, first.stmt.Pos()); obj == nil {
			resName = cand
			break
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s, %s := %sParallel(%s,\n", resName, errName, stepQ, ctxName)
	for _, u := range g {
		fmt.Fprintf(&b, "\tfunc(%s %s.Context) (%s, error) {\n\t\treturn %s\n\t},\n", ctxName, ctxPkg, typeText, text(u.step.Call))
	}
	fmt.Fprintf(&b, ")\n%s", checkText)
	var lhs, rhs []string
	anyNew := false
	for i, u := range g {
		id := u.assign.Lhs[0].(*ast.Ident)
		if id.Name == "_" {
			continue
		}
		if info.Defs[id] != nil {
			anyNew = true
		}
		lhs = append(lhs, id.Name)
		rhs = append(rhs, fmt.Sprintf("%s[%d]", resName, i))
	}
	if len(lhs) > 0 {
		tok := "="
		if anyNew {
			tok = ":="
		}
		fmt.Fprintf(&b, "\n%s %s %s", strings.Join(lhs, ", "), tok, strings.Join(rhs, ", "))
	}
	return analysis.SuggestedFix{
		Message:   "run the steps with " + stepQ + "Parallel",
		TextEdits: []analysis.TextEdit{{Pos: first.stmt.Pos(), End: g[len(g)-1].end().End(), NewText: b.Bytes()}},
	}, true
}

func importedPkg(pkg *types.Package, path string) *types.Package {
	for _, p := range pkg.Imports() {
		if p.Path() == path {
			return p
		}
	}
	return nil
}

func fileOf(pass *analysis.Pass, pos token.Pos) *ast.File {
	for _, f := range pass.Files {
		if f.FileStart <= pos && pos < f.FileEnd {
			return f
		}
	}
	return nil
}

func innermostScope(pass *analysis.Pass, pos token.Pos) *types.Scope {
	f := fileOf(pass, pos)
	if f == nil {
		return nil
	}
	s := pass.TypesInfo.Scopes[f]
	if s == nil {
		return nil
	}
	return s.Innermost(pos)
}
