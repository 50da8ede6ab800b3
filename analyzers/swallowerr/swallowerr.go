package swallowerr

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/internal/callchain"
	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/ignore"
)

const name = "swallowerr"

// Analyzer reports step errors that are dropped or logged without being returned.
var Analyzer = &analysis.Analyzer{
	Name:      name,
	Doc:       "swallowerr: report step errors that are assigned to _, never looked at, or logged and then dropped",
	URL:       durable.DocURL(name),
	Requires:  []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	Run:       run,
	FactTypes: []analysis.Fact{new(startsStepFact)},
}

// startsStepFact marks a function that starts a step itself or through
// the functions it calls, not counting steps of durable functions it
// defines: its error result may be a step's error.
type startsStepFact struct {
	Chain callchain.Chain
}

func (*startsStepFact) AFact()           {}
func (f *startsStepFact) String() string { return "startsStep(" + f.Chain.String() + ")" }

func lastIsError(sig *types.Signature) bool {
	if sig == nil || sig.Results().Len() == 0 {
		return false
	}
	return types.Identical(sig.Results().At(sig.Results().Len()-1).Type(), errorType)
}

var errorType = types.Universe.Lookup("error").Type()

func run(pass *analysis.Pass) (any, error) {
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)

	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	if !res.Relevant {
		return nil, nil
	}
	// Functions that start steps themselves: not counting the steps of the
	// durable functions they define (a constructor returning
	// (*runtime.Function, error) does not return a step's error).
	sums := callchain.Summarize(pass, ins, callchain.Config{
		Direct: func(n ast.Node) (string, bool) {
			if call, ok := n.(*ast.CallExpr); ok {
				if s := res.Step(call); s != nil {
					return s.Name(), true
				}
			}
			return "", false
		},
		Imported: func(fn *types.Func) (callchain.Chain, bool) {
			var f startsStepFact
			if pass.ImportObjectFact(fn, &f) {
				return f.Chain, true
			}
			return nil, false
		},
		Prune: func(n ast.Node) bool {
			lit, ok := n.(*ast.FuncLit)
			return ok && (res.BodyOf(lit) != nil || res.IsStepCallback(lit))
		},
	})
	sums.ExportFacts(func(c callchain.Chain) analysis.Fact { return &startsStepFact{Chain: c} })
	rep := ignore.New(pass, name)
	c := &checker{pass: pass, res: res, sums: sums, rep: rep}
	for cur := range ins.Root().Preorder((*ast.ExprStmt)(nil), (*ast.AssignStmt)(nil)) {
		switch n := cur.Node().(type) {
		case *ast.ExprStmt:
			call, ok := ast.Unparen(n.X).(*ast.CallExpr)
			if !ok {
				continue
			}
			if e, ok := c.errCall(call); ok {
				c.report(n, call, e, "is never looked at (the call's results are discarded)", cur.Parent().Node())
			}
		case *ast.AssignStmt:
			c.assign(n, cur.Parent().Node())
		}
	}
	rep.Finish()
	return nil, nil
}

type checker struct {
	pass *analysis.Pass
	res  *durable.Result
	sums *callchain.Summaries
	rep  *ignore.Reporter
}

// erring describes a call whose error result is a step's error.
type erring struct {
	what    string // `step.Run "charge-card"`, `billing.Charge (→ step.Run)`
	errIdx  int    // index of the error result, -1 for group.Parallel's Results
	results int
	chain   callchain.Chain
}

func (c *checker) errCall(call *ast.CallExpr) (erring, bool) {
	info := c.pass.TypesInfo
	fn := durable.Callee(info, call)
	if fn == nil {
		return erring{}, false
	}
	sig, _ := info.TypeOf(call.Fun).(*types.Signature)
	if sig == nil {
		return erring{}, false
	}
	n := sig.Results().Len()
	if kind, profile := durable.ClassifyStep(fn); kind != durable.NotAStep {
		what := kind.Name(profile)
		if kind != durable.Parallel && len(call.Args) > 1 {
			if tv, ok := info.Types[call.Args[1]]; ok && tv.Value != nil {
				what += " " + tv.Value.ExactString()
			}
		}
		switch {
		case lastIsError(sig):
			return erring{what: what, errIdx: n - 1, results: n}, true
		case kind == durable.Parallel && profile == durable.Inngest && n == 1:
			return erring{what: what, errIdx: -1, results: n}, true
		}
		return erring{}, false
	}
	if !lastIsError(sig) {
		return erring{}, false
	}
	chain, ok := c.sums.Of(fn)
	if !ok {
		return erring{}, false
	}
	full := chain.Prepend(callchain.HopAt(c.pass.Fset, call.Pos(), callchain.FuncName(fn)))
	return erring{what: callchain.FuncName(fn) + " (which runs " + chain.Last() + ")", errIdx: n - 1, results: n, chain: full}, true
}

func (c *checker) report(stmt ast.Stmt, call *ast.CallExpr, e erring, how string, parent ast.Node) {
	msg := fmt.Sprintf("the error of %s %s: a failed step then looks like a success to the engine, and the run completes with no retry and no failure handler; return the error", e.what, how)
	if e.errIdx < 0 {
		how = strings.Replace(how, "is ", "are ", 1)
		msg = fmt.Sprintf("the results of %s %s, and with them its branches' errors: a failed branch then looks like a success to the engine; check Results.AnyError() and return it", e.what, how)
	}
	d := analysis.Diagnostic{Pos: call.Pos(), End: call.End(), Message: msg}
	if e.chain != nil {
		d.Related = e.chain.Related(c.pass.Fset)
	}
	if fix, ok := c.fix(stmt, call, e, parent); ok {
		d.SuggestedFixes = []analysis.SuggestedFix{fix}
	}
	c.rep.Report(d)
}

func isBlank(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "_"
}

func (c *checker) assign(as *ast.AssignStmt, parent ast.Node) {
	if len(as.Rhs) != 1 {
		return
	}
	call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
	if !ok {
		return
	}
	e, ok := c.errCall(call)
	if !ok {
		return
	}
	idx := e.errIdx
	if idx < 0 {
		idx = 0
	}
	if len(as.Lhs) != e.results || idx >= len(as.Lhs) {
		return
	}
	lhs := as.Lhs[idx]
	if isBlank(lhs) {
		c.report(as, call, e, "is assigned to _", parent)
		return
	}
	if e.errIdx < 0 {
		return
	}
	id, ok := lhs.(*ast.Ident)
	if !ok {
		return
	}
	obj := c.pass.TypesInfo.ObjectOf(id)
	if obj == nil {
		return
	}
	// The check that follows: `if err != nil {...}` right after the
	// assignment, or with the assignment as its init statement.
	var ifs *ast.IfStmt
	if is, ok := parent.(*ast.IfStmt); ok && is.Init == as {
		ifs = is
	} else if list := stmtList(parent); list != nil {
		for i, s := range list {
			if s != as {
				continue
			}
			// Skip checks of specific errors (errors.Is(err, step.ErrTimeout))
			// that come before the general one.
			for _, next := range list[i+1:] {
				is, ok := next.(*ast.IfStmt)
				if !ok || is.Init != nil {
					break
				}
				if isNotNil(c.pass.TypesInfo, is.Cond, obj) || !c.specificCheck(is, obj) {
					ifs = is
					break
				}
			}
			break
		}
	}
	if ifs == nil || !isNotNil(c.pass.TypesInfo, ifs.Cond, obj) {
		return
	}
	if how, ok := c.swallows(ifs.Body, obj); ok {
		d := analysis.Diagnostic{Pos: call.Pos(), End: call.End(),
			Message: fmt.Sprintf("the error of %s %s: a failed step then looks like a success to the engine, and the run completes with no retry and no failure handler; return the error", e.what, how)}
		if e.chain != nil {
			d.Related = e.chain.Related(c.pass.Fset)
		}
		d.Related = append(d.Related, analysis.RelatedInformation{Pos: ifs.Pos(), End: ifs.Body.Lbrace, Message: "the error is handled here"})
		c.rep.Report(d)
	}
}

// specificCheck reports whether is tests err against a specific error
// (errors.Is, errors.As, ==) and leaves err alone otherwise, so that the
// general `if err != nil` may follow it.
func (c *checker) specificCheck(is *ast.IfStmt, errObj types.Object) bool {
	info := c.pass.TypesInfo
	mentions := false
	ast.Inspect(is.Cond, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && info.ObjectOf(id) == errObj {
			mentions = true
		}
		return !mentions
	})
	if !mentions {
		return false
	}
	assigned := false
	ast.Inspect(is, func(n ast.Node) bool {
		if as, ok := n.(*ast.AssignStmt); ok {
			for _, l := range as.Lhs {
				if id, ok := l.(*ast.Ident); ok && info.ObjectOf(id) == errObj {
					assigned = true
				}
			}
		}
		return !assigned
	})
	return !assigned
}

func stmtList(n ast.Node) []ast.Stmt {
	switch n := n.(type) {
	case *ast.BlockStmt:
		return n.List
	case *ast.CaseClause:
		return n.Body
	case *ast.CommClause:
		return n.Body
	}
	return nil
}

// isNotNil reports whether cond is `v != nil` (or `nil != v`).
func isNotNil(info *types.Info, cond ast.Expr, v types.Object) bool {
	be, ok := ast.Unparen(cond).(*ast.BinaryExpr)
	if !ok || be.Op != token.NEQ {
		return false
	}
	isV := func(e ast.Expr) bool {
		id, ok := ast.Unparen(e).(*ast.Ident)
		return ok && info.ObjectOf(id) == v
	}
	isNil := func(e ast.Expr) bool {
		tv, ok := info.Types[e]
		return ok && tv.IsNil()
	}
	return (isV(be.X) && isNil(be.Y)) || (isNil(be.X) && isV(be.Y))
}

// swallows reports whether the block handling err != nil drops err: err is
// used only to be logged, nothing panics or returns a non-nil error, and the
// block either returns a nil error or falls through.
func (c *checker) swallows(body *ast.BlockStmt, errObj types.Object) (string, bool) {
	info := c.pass.TypesInfo
	logged := false
	escapes := false
	var logDepth int
	var walk func(n ast.Node) bool
	walk = func(n ast.Node) bool {
		if escapes {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			// A closure might do anything with err.
			ast.Inspect(n.Body, func(m ast.Node) bool {
				if id, ok := m.(*ast.Ident); ok && info.ObjectOf(id) == errObj {
					escapes = true
				}
				return !escapes
			})
			return false
		case *ast.ReturnStmt:
			if len(n.Results) == 0 {
				// A bare return may return a named error result.
				escapes = escapes || hasNamedResults(c.pass, body, n)
				return true
			}
			last := n.Results[len(n.Results)-1]
			if tv, ok := info.Types[last]; !ok || !tv.IsNil() {
				escapes = true
				return false
			}
		case *ast.BranchStmt:
			// continue, break, goto: handled elsewhere; do not guess.
			escapes = true
			return false
		case *ast.CallExpr:
			if isPanicOrExit(info, n) {
				escapes = true
				return false
			}
			if isLogCall(info, n) {
				logDepth++
				for _, a := range n.Args {
					ast.Inspect(a, walk)
				}
				ast.Inspect(n.Fun, walk)
				logDepth--
				return false
			}
		case *ast.Ident:
			if info.ObjectOf(n) == errObj {
				if logDepth > 0 {
					logged = true
				} else {
					escapes = true
				}
			}
		}
		return true
	}
	for _, s := range body.List {
		ast.Inspect(s, walk)
	}
	if escapes {
		return "", false
	}
	ends := false
	if len(body.List) > 0 {
		_, ends = body.List[len(body.List)-1].(*ast.ReturnStmt)
	}
	switch {
	case logged && ends:
		return "is logged, then dropped by returning a nil error", true
	case logged:
		return "is logged, then dropped: execution goes on", true
	case ends:
		return "is dropped by returning a nil error", true
	default:
		return "is checked, then ignored", true
	}
}

func hasNamedResults(pass *analysis.Pass, body *ast.BlockStmt, ret *ast.ReturnStmt) bool {
	// Find the innermost function around ret.
	for _, f := range pass.Files {
		if f.Pos() <= ret.Pos() && ret.Pos() < f.End() {
			var sig *types.Signature
			ast.Inspect(f, func(n ast.Node) bool {
				if n == nil || n.Pos() > ret.Pos() || n.End() <= ret.Pos() {
					return false
				}
				switch n := n.(type) {
				case *ast.FuncDecl:
					if fn, ok := pass.TypesInfo.Defs[n.Name].(*types.Func); ok {
						sig = fn.Type().(*types.Signature)
					}
				case *ast.FuncLit:
					sig, _ = pass.TypesInfo.TypeOf(n).(*types.Signature)
				}
				return true
			})
			return sig != nil && sig.Results().Len() > 0 && sig.Results().At(0).Name() != ""
		}
	}
	return false
}

func isPanicOrExit(info *types.Info, call *ast.CallExpr) bool {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := info.Uses[id].(*types.Builtin); ok && b.Name() == "panic" {
			return true
		}
	}
	fn := durable.Callee(info, call)
	if fn == nil || fn.Pkg() == nil {
		return false
	}
	switch fn.Pkg().Path() + "." + fn.Name() {
	case "os.Exit", "log.Fatal", "log.Fatalf", "log.Fatalln", "log.Panic", "log.Panicf", "log.Panicln", "runtime.Goexit":
		return true
	}
	return strings.HasPrefix(fn.Name(), "Fatal") || strings.HasPrefix(fn.Name(), "Panic")
}

// logPrefixes are the method names of common loggers (log, slog, zap,
// logrus, zerolog, testing.T...).
var logPrefixes = []string{"Print", "Info", "Warn", "Error", "Debug", "Trace", "Log", "Msg", "Err", "Notice"}

func isLogCall(info *types.Info, call *ast.CallExpr) bool {
	fn := durable.Callee(info, call)
	if fn == nil || fn.Pkg() == nil {
		return false
	}
	path := fn.Pkg().Path()
	sig := fn.Type().(*types.Signature)
	if sig.Recv() == nil {
		switch path {
		case "log", "log/slog":
			return true
		case "fmt":
			return strings.HasPrefix(fn.Name(), "Print") || strings.HasPrefix(fn.Name(), "Fprint")
		}
		// slog.Any-style attribute constructors of other logging packages.
		return strings.Contains(path, "log") && !strings.HasPrefix(fn.Name(), "New")
	}
	for _, p := range logPrefixes {
		if strings.HasPrefix(fn.Name(), p) && !(fn.Name() == "Error" && sig.Params().Len() == 0) {
			return true
		}
	}
	return false
}

// fix returns a fix that handles the error, for a discarded call or a call
// whose error is assigned to _, in a function whose last result is an error
// and whose other results have zero values that can be spelled here.
func (c *checker) fix(stmt ast.Stmt, call *ast.CallExpr, e erring, parent ast.Node) (analysis.SuggestedFix, bool) {
	if e.errIdx < 0 {
		return analysis.SuggestedFix{}, false
	}
	if _, ok := parent.(*ast.BlockStmt); !ok {
		return analysis.SuggestedFix{}, false
	}
	sig := c.enclosingSig(stmt.Pos())
	if sig == nil || !lastIsError(sig) {
		return analysis.SuggestedFix{}, false
	}
	var zeros []string
	for i := 0; i < sig.Results().Len()-1; i++ {
		z, ok := c.zero(sig.Results().At(i).Type())
		if !ok {
			return analysis.SuggestedFix{}, false
		}
		zeros = append(zeros, z)
	}
	ret := "return " + strings.Join(append(zeros, "err"), ", ")
	callText := c.text(call)
	if callText == "" {
		return analysis.SuggestedFix{}, false
	}
	indent := strings.Repeat("\t", indentOf(c.pass, stmt))
	switch s := stmt.(type) {
	case *ast.ExprStmt:
		if e.results != 1 {
			return analysis.SuggestedFix{}, false
		}
		return analysis.SuggestedFix{
			Message: "Return the step's error",
			TextEdits: []analysis.TextEdit{{Pos: stmt.Pos(), End: stmt.End(),
				NewText: []byte("if err := " + callText + "; err != nil {\n" + indent + "\t" + ret + "\n" + indent + "}")}},
		}, true
	case *ast.AssignStmt:
		lhs := s.Lhs[e.errIdx]
		if len(s.Lhs) == 1 {
			return analysis.SuggestedFix{
				Message: "Return the step's error",
				TextEdits: []analysis.TextEdit{{Pos: stmt.Pos(), End: stmt.End(),
					NewText: []byte("if err := " + callText + "; err != nil {\n" + indent + "\t" + ret + "\n" + indent + "}")}},
			}, true
		}
		scope := c.pass.Pkg.Scope().Innermost(stmt.Pos())
		if scope == nil {
			return analysis.SuggestedFix{}, false
		}
		if s.Tok == token.DEFINE {
			// Reuse an err declared before in the same scope; declare one
			// only if no later statement of the scope declares its own.
			if obj := scope.Lookup("err"); obj != nil && (obj.Pos() > stmt.Pos() || !types.Identical(obj.Type(), errorType)) {
				return analysis.SuggestedFix{}, false
			}
		} else {
			_, obj := scope.LookupParent("err", stmt.Pos())
			if v, ok := obj.(*types.Var); !ok || !types.Identical(v.Type(), errorType) {
				return analysis.SuggestedFix{}, false
			}
		}
		return analysis.SuggestedFix{
			Message: "Return the step's error",
			TextEdits: []analysis.TextEdit{
				{Pos: lhs.Pos(), End: lhs.End(), NewText: []byte("err")},
				{Pos: stmt.End(), End: stmt.End(), NewText: []byte("\n" + indent + "if err != nil {\n" + indent + "\t" + ret + "\n" + indent + "}")},
			},
		}, true
	}
	return analysis.SuggestedFix{}, false
}

// indentOf is the indentation of the statement n, in tabs (gofmt style).
func indentOf(pass *analysis.Pass, n ast.Node) int {
	tf := pass.Fset.File(n.Pos())
	if tf == nil {
		return 0
	}
	return int(n.Pos() - tf.LineStart(tf.Line(n.Pos())))
}

func (c *checker) text(n ast.Node) string {
	var buf bytes.Buffer
	if err := format.Node(&buf, c.pass.Fset, n); err != nil {
		return ""
	}
	return buf.String()
}

func (c *checker) enclosingSig(pos token.Pos) *types.Signature {
	var sig *types.Signature
	for _, f := range c.pass.Files {
		if f.Pos() > pos || pos >= f.End() {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if n == nil || n.Pos() > pos || n.End() <= pos {
				return false
			}
			switch n := n.(type) {
			case *ast.FuncDecl:
				if fn, ok := c.pass.TypesInfo.Defs[n.Name].(*types.Func); ok {
					sig = fn.Type().(*types.Signature)
				}
			case *ast.FuncLit:
				sig, _ = c.pass.TypesInfo.TypeOf(n).(*types.Signature)
			}
			return true
		})
	}
	return sig
}

// zero spells the zero value of t, or reports false.
func (c *checker) zero(t types.Type) (string, bool) {
	switch u := t.Underlying().(type) {
	case *types.Pointer, *types.Slice, *types.Map, *types.Chan, *types.Signature, *types.Interface:
		return "nil", true
	case *types.Basic:
		switch {
		case u.Info()&types.IsBoolean != 0:
			return "false", true
		case u.Info()&types.IsString != 0:
			if _, named := t.(*types.Named); named {
				return `""`, true
			}
			return strconv.Quote(""), true
		case u.Info()&types.IsNumeric != 0:
			return "0", true
		}
	case *types.Struct:
		if n, ok := types.Unalias(t).(*types.Named); ok && n.Obj().Pkg() == c.pass.Pkg && n.TypeArgs() == nil {
			return n.Obj().Name() + "{}", true
		}
	}
	return "", false
}
