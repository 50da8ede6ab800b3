package waittimeout

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/ignore"
)

//go:embed doc.go
var doc string

// Analyzer reports waits and invocations without a positive timeout, and
// results used without checking for the timeout.
var Analyzer = &analysis.Analyzer{
	Name:     "waittimeout",
	Doc:      durable.ExtractDoc(doc, "waittimeout"),
	URL:      durable.DocURL("waittimeout"),
	Requires: []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	if !res.Relevant || len(res.Steps) == 0 {
		return nil, nil
	}
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	ig := ignore.New(pass, "waittimeout")
	for _, s := range res.Steps {
		if s.Kind != durable.WaitForEvent && s.Kind != durable.Invoke {
			continue
		}
		checkTimeoutField(pass, ig, s)
		if s.Kind == durable.WaitForEvent || s.Profile == durable.Durable {
			checkOutcome(pass, insp, ig, s)
			checkAnyErrorIsTimeout(pass, insp, ig, s)
		}
	}
	for _, s := range res.Steps {
		if s.Kind == durable.Sleep {
			checkSleepForChildren(pass, insp, ig, res, s)
		}
	}
	ig.Finish()
	return nil, nil
}

func checkTimeoutField(pass *analysis.Pass, ig *ignore.Reporter, s *durable.StepCall) {
	if s.Opts == nil {
		return
	}
	e := ast.Unparen(s.Opts)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = ast.Unparen(u.X)
	}
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return // options built elsewhere: not known here
	}
	if len(lit.Elts) > 0 {
		if _, keyed := lit.Elts[0].(*ast.KeyValueExpr); !keyed {
			return // positional literal: the compiler checks its arity
		}
	}
	t := durable.FieldOf(lit, "Timeout")
	if t == nil {
		d := analysis.Diagnostic{
			Pos: lit.Pos(), End: lit.End(),
			Message: fmt.Sprintf("%s %s has no Timeout: %s; set a positive Timeout", s.Name(), idText(pass, s), unbounded(s.Profile)),
		}
		if timeName := importName(pass, lit.Pos(), "time"); timeName != "" {
			text := "Timeout: 24 * " + timeName + ".Hour"
			if len(lit.Elts) > 0 {
				text += ", "
			}
			d.SuggestedFixes = []analysis.SuggestedFix{{
				Message:   "Add Timeout: 24 * time.Hour",
				TextEdits: []analysis.TextEdit{{Pos: lit.Lbrace + 1, End: lit.Lbrace + 1, NewText: []byte(text)}},
			}}
		}
		ig.Report(d)
		return
	}
	tv, ok := pass.TypesInfo.Types[t]
	if !ok || tv.Value == nil {
		return
	}
	if v, exact := constant.Int64Val(constant.ToInt(tv.Value)); exact && v <= 0 {
		ig.Report(analysis.Diagnostic{Pos: t.Pos(), End: t.End(),
			Message: fmt.Sprintf("%s %s has Timeout %s, which is not positive: %s; set a positive Timeout", s.Name(), idText(pass, s), types.ExprString(t), unbounded(s.Profile))})
	}
}

// unbounded says what a wait or invoke without a positive timeout does in
// the API the code is written against.
func unbounded(p durable.Profile) string {
	if p == durable.Inngest {
		return "the run can wait forever, holding its state, if the event never comes"
	}
	return "this runtime refuses it when the run reaches the wait, so the run fails there"
}

// checkOutcome reports a result used before the timeout outcome is checked.
func checkOutcome(pass *analysis.Pass, insp *inspector.Inspector, ig *ignore.Reporter, s *durable.StepCall) {
	cur, ok := insp.Root().FindNode(s.Call)
	if !ok {
		return
	}
	assign, ok := cur.Parent().Node().(*ast.AssignStmt)
	if !ok || len(assign.Lhs) != 2 || len(assign.Rhs) != 1 {
		return
	}
	resID, _ := assign.Lhs[0].(*ast.Ident)
	if resID == nil || resID.Name == "_" {
		return
	}
	result := pass.TypesInfo.ObjectOf(resID)
	var errObj types.Object
	if id, ok := assign.Lhs[1].(*ast.Ident); ok && id.Name != "_" {
		errObj = pass.TypesInfo.ObjectOf(id)
	}
	block, ok := cur.Parent().Parent().Node().(*ast.BlockStmt)
	if !ok {
		return
	}
	i := indexOf(block.List, assign)
	for _, st := range block.List[i+1:] {
		if refersToTimeout(pass, st) {
			return
		}
		if errObj != nil && guardsErr(pass, st, errObj) {
			return
		}
		if use := firstUse(pass, st, result); use != nil {
			ig.Report(analysis.Diagnostic{Pos: s.Call.Pos(), End: s.Call.End(),
				Related: []analysis.RelatedInformation{{Pos: use.Pos(), Message: "result used here"}},
				Message: fmt.Sprintf("the result of %s %s is used at line %d without checking for %s: on timeout it is the zero value",
					s.Name(), idText(pass, s), pass.Fset.Position(use.Pos()).Line, s.Profile.TimeoutErrorName())})
			return
		}
		if errObj != nil && assigns(pass, st, errObj) {
			return // err reused for something else; give up
		}
	}
}

func indexOf(list []ast.Stmt, s ast.Stmt) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return len(list)
}

// refersToTimeout reports whether n mentions the profile's timeout sentinel.
func refersToTimeout(pass *analysis.Pass, n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && durable.IsTimeoutError(pass.TypesInfo.Uses[id]) {
			found = true
		}
		return !found
	})
	return found
}

// guardsErr reports whether st is `if <cond on err> { ...; return/panic }`.
func guardsErr(pass *analysis.Pass, st ast.Stmt, errObj types.Object) bool {
	ifs, ok := st.(*ast.IfStmt)
	if !ok || firstUse(pass, ifs.Cond, errObj) == nil || len(ifs.Body.List) == 0 {
		return false
	}
	switch last := ifs.Body.List[len(ifs.Body.List)-1].(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.BranchStmt:
		return last.Tok == token.CONTINUE || last.Tok == token.BREAK || last.Tok == token.GOTO
	case *ast.ExprStmt:
		if call, ok := last.X.(*ast.CallExpr); ok {
			if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "panic" {
				return true
			}
		}
	}
	return false
}

func firstUse(pass *analysis.Pass, n ast.Node, obj types.Object) *ast.Ident {
	var use *ast.Ident
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && use == nil && pass.TypesInfo.Uses[id] == obj {
			use = id
		}
		return use == nil
	})
	return use
}

func assigns(pass *analysis.Pass, st ast.Stmt, obj types.Object) bool {
	a, ok := st.(*ast.AssignStmt)
	if !ok {
		return false
	}
	for _, l := range a.Lhs {
		if id, ok := l.(*ast.Ident); ok && pass.TypesInfo.ObjectOf(id) == obj {
			return true
		}
	}
	return false
}

func idText(pass *analysis.Pass, s *durable.StepCall) string {
	if s.ID == nil {
		return ""
	}
	if tv, ok := pass.TypesInfo.Types[s.ID]; ok && tv.Value != nil {
		return tv.Value.ExactString()
	}
	return types.ExprString(s.ID)
}

func importName(pass *analysis.Pass, pos token.Pos, path string) string {
	for _, f := range pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			for _, imp := range f.Imports {
				if pn := pass.TypesInfo.PkgNameOf(imp); pn != nil && pn.Imported().Path() == path && pn.Name() != "_" && pn.Name() != "." {
					return pn.Name()
				}
			}
		}
	}
	return ""
}

// checkAnyErrorIsTimeout reports a wait (or invoke) whose error is handled
// as if every error were the timeout: the first check of err after the
// call is `if err != nil { ... }`, nothing before it names the timeout
// sentinel, and the branch neither returns nor uses err.
func checkAnyErrorIsTimeout(pass *analysis.Pass, insp *inspector.Inspector, ig *ignore.Reporter, s *durable.StepCall) {
	cur, ok := insp.Root().FindNode(s.Call)
	if !ok {
		return
	}
	assign, ok := cur.Parent().Node().(*ast.AssignStmt)
	if !ok || len(assign.Lhs) != 2 || len(assign.Rhs) != 1 {
		return
	}
	id, ok := assign.Lhs[1].(*ast.Ident)
	if !ok || id.Name == "_" {
		return
	}
	errObj := pass.TypesInfo.ObjectOf(id)
	var ifs *ast.IfStmt
	switch p := cur.Parent().Parent().Node().(type) {
	case *ast.IfStmt:
		if p.Init == assign {
			ifs = p
		}
	case *ast.BlockStmt:
		for _, st := range p.List[indexOf(p.List, assign)+1:] {
			if refersToTimeout(pass, st) {
				return
			}
			if firstUse(pass, st, errObj) != nil {
				ifs, _ = st.(*ast.IfStmt)
				break
			}
		}
	}
	if ifs == nil || ifs.Init != nil && ifs.Init != assign || !isErrNotNil(pass, ifs.Cond, errObj) || refersToTimeout(pass, ifs) {
		return
	}
	if firstUse(pass, ifs.Body, errObj) != nil {
		return // err is returned, wrapped, compared or passed on
	}
	for _, st := range ifs.Body.List {
		if ret, ok := st.(*ast.ReturnStmt); ok && len(ret.Results) > 0 {
			if tv, ok := pass.TypesInfo.Types[ret.Results[len(ret.Results)-1]]; ok && !tv.IsNil() {
				return // another error is returned: not a timeout path
			}
		}
	}
	ig.Report(analysis.Diagnostic{Pos: ifs.Pos(), End: ifs.Body.Lbrace,
		Related: []analysis.RelatedInformation{{Pos: s.Call.Pos(), End: s.Call.End(), Message: s.Name() + " " + idText(pass, s)}},
		Message: fmt.Sprintf("every error of %s %s is handled here as if the wait had timed out: a failed wait (an invalid If expression, a result that does not decode, a store failure) takes the timeout path and the run completes as if nobody answered; test errors.Is(%s, %s) for the timeout and return other errors",
			s.Name(), idText(pass, s), id.Name, s.Profile.TimeoutErrorName())})
}

// isErrNotNil reports whether cond is `err != nil`.
func isErrNotNil(pass *analysis.Pass, cond ast.Expr, errObj types.Object) bool {
	be, ok := ast.Unparen(cond).(*ast.BinaryExpr)
	if !ok || be.Op != token.NEQ {
		return false
	}
	isErr := func(e ast.Expr) bool {
		id, ok := ast.Unparen(e).(*ast.Ident)
		return ok && pass.TypesInfo.Uses[id] == errObj
	}
	isNil := func(e ast.Expr) bool {
		tv, ok := pass.TypesInfo.Types[e]
		return ok && tv.IsNil()
	}
	return (isErr(be.X) && isNil(be.Y)) || (isNil(be.X) && isErr(be.Y))
}

// maxStandIn is the longest fixed sleep taken for a stand-in for child
// runs: longer sleeps are business delays ("remind after three days").
const maxStandIn = time.Hour

// checkSleepForChildren reports a fixed sleep that follows events sent to
// start other runs and precedes a step that reads what they produced: the
// sleep guesses how long the children take.
func checkSleepForChildren(pass *analysis.Pass, insp *inspector.Inspector, ig *ignore.Reporter, res *durable.Result, sleep *durable.StepCall) {
	if len(sleep.Call.Args) < 3 {
		return
	}
	tv, ok := pass.TypesInfo.Types[sleep.Call.Args[2]]
	if !ok || tv.Value == nil {
		return // a computed duration may be a real schedule
	}
	if d, exact := constant.Int64Val(constant.ToInt(tv.Value)); !exact || time.Duration(d) > maxStandIn {
		return // hours or days: a business delay (a reminder), not a guess at the children's work
	}
	cur, ok := insp.Root().FindNode(sleep.Call)
	if !ok {
		return
	}
	// The statement holding the sleep, and its block.
	var stmt ast.Stmt
	var block *ast.BlockStmt
	for c := cur; c.Node() != nil; c = c.Parent() {
		if b, ok := c.Parent().Node().(*ast.BlockStmt); ok {
			stmt, _ = c.Node().(ast.Stmt)
			block = b
			break
		}
		if _, ok := c.Node().(*ast.FuncLit); ok {
			return
		}
	}
	if block == nil || stmt == nil {
		return
	}
	i := indexOf(block.List, stmt)
	// Scan back to the events sent, over statements that start no wait.
	var send *durable.StepCall
	for j := i - 1; j >= 0 && send == nil; j-- {
		stop := false
		ast.Inspect(block.List[j], func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || stop {
				return !stop
			}
			if st := res.Step(call); st != nil {
				switch st.Kind {
				case durable.SendEvent:
					send = st
				case durable.Sleep, durable.SleepUntil, durable.WaitForEvent, durable.Invoke:
					stop = true
				}
			}
			return true
		})
		if stop {
			break
		}
	}
	if send == nil {
		return
	}
	// Then a step that reads results.
	var read *durable.StepCall
	for _, st := range block.List[i+1:] {
		ast.Inspect(st, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok && read == nil {
				if s := res.Step(call); s != nil && s.Kind == durable.Run {
					read = s
				}
			}
			return read == nil
		})
		if read != nil {
			break
		}
	}
	if read == nil {
		return
	}
	ig.Report(analysis.Diagnostic{Pos: sleep.Call.Pos(), End: sleep.Call.End(), Category: "advice",
		Related: []analysis.RelatedInformation{
			{Pos: send.Call.Pos(), End: send.Call.End(), Message: "events sent here"},
			{Pos: read.Call.Pos(), End: read.Call.End(), Message: "results read here"},
		},
		Message: fmt.Sprintf("%s %s waits a fixed time after %s %s, then reads results: it guesses how long the runs those events start will take; when they take longer, %s %s reads results that are not there yet. Run each child with step.Invoke and use its result, or wait for the event the child sends when it is done with step.WaitForEvent",
			sleep.Name(), idText(pass, sleep), send.Name(), idText(pass, send), read.Name(), idText(pass, read))})
}
