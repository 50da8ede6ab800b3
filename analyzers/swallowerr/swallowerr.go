package swallowerr

import (
	"bytes"
	_ "embed"
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"
	"regexp"
	"slices"
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

//go:embed doc.go
var doc string

// Analyzer reports step errors that are dropped or logged without being returned.
var Analyzer = &analysis.Analyzer{
	Name:     name,
	Doc:      durable.ExtractDoc(doc, name),
	URL:      durable.DocURL(name),
	Requires: []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	Run:      run,
}

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
	rep := ignore.New(pass, name)
	c := &checker{pass: pass, res: res, rep: rep, comments: comments(pass)}
	c.stepResults = c.stepResultVars(ins)
	for cur := range ins.Root().Preorder((*ast.ExprStmt)(nil), (*ast.AssignStmt)(nil), (*ast.ValueSpec)(nil)) {
		switch n := cur.Node().(type) {
		case *ast.ExprStmt:
			call, ok := ast.Unparen(n.X).(*ast.CallExpr)
			if !ok {
				continue
			}
			if e, ok := c.errCall(call); ok {
				if !c.explained(n) {
					c.report(n, call, e, "is never looked at (the call's results are discarded)", cur.Parent().Node())
				}
				continue
			}
			c.ignoredError(n, call, true)
		case *ast.AssignStmt:
			c.assign(n, cur.Parent().Node())
			c.overwritten(n, cur.Parent().Node())
			if len(n.Rhs) == 1 {
				if call, ok := ast.Unparen(n.Rhs[0]).(*ast.CallExpr); ok {
					c.ignoredError(n, call, false)
				}
			}
		case *ast.ValueSpec:
			// var _, _ = inngestgo.CreateFunction(...)
			if len(n.Values) == 1 {
				if call, ok := ast.Unparen(n.Values[0]).(*ast.CallExpr); ok {
					if sig, ok := c.pass.TypesInfo.TypeOf(call.Fun).(*types.Signature); ok && lastIsError(sig) && len(n.Names) == sig.Results().Len() && n.Names[len(n.Names)-1].Name == "_" {
						c.ignoredError(n, call, false)
					}
				}
			}
		}
	}
	rep.Finish()
	return nil, nil
}

type checker struct {
	pass *analysis.Pass
	res  *durable.Result
	rep  *ignore.Reporter
	// comments are the comments of the package by file and line.
	comments map[lineKey][]*ast.Comment
	// stepResults are the variables holding a step's result.
	stepResults map[types.Object]string
	// decls are the function declarations of the package, built on demand.
	decls map[*types.Func]*ast.FuncDecl
}

// erring describes a call whose error result is a step's error.
type erring struct {
	what    string // `step.Run "charge-card"`, `billing.Charge (→ step.Run)`
	errIdx  int    // index of the error result, -1 for group.Parallel's Results
	results int
	chain   callchain.Chain
	step    *durable.StepCall // the step call itself, or nil for a helper
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
		if st := c.res.Step(call); st != nil {
			what = st.Name()
		}
		if kind != durable.Parallel && len(call.Args) > 1 {
			if tv, ok := info.Types[call.Args[1]]; ok && tv.Value != nil {
				what += " " + tv.Value.ExactString()
			}
		}
		st := c.res.Step(call)
		if st != nil && st.Kind == durable.Run && !c.canFail(st) {
			return erring{}, false // only the engine could fail it; nothing of the user's is lost
		}
		switch {
		case lastIsError(sig):
			return erring{what: what, errIdx: n - 1, results: n, step: st}, true
		case kind == durable.Parallel && profile == durable.Inngest && n == 1:
			return erring{what: what, errIdx: -1, results: n, step: st}, true
		}
		return erring{}, false
	}
	if !lastIsError(sig) {
		return erring{}, false
	}
	chain, ok := c.res.StartsStep(fn)
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
		if !c.explained(as) {
			c.report(as, call, e, "is assigned to _", parent)
		}
		return
	}
	if e.errIdx < 0 {
		return
	}
	if e.step != nil && (e.step.Kind == durable.WaitForEvent || e.step.Kind == durable.Invoke) {
		return // an error handled as a timeout is waittimeout's finding
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
	if how, ok := c.swallows(ifs.Body, obj); ok && !c.explainedBlock(ifs) {
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
			if answersHTTP(info, n) {
				escapes = true // the error is the HTTP response
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
	case logged:
		return "", false // a logged fallback is deliberate: the operator sees it
	case ends:
		if sig := c.enclosingSig(body.Pos()); sig == nil || !lastIsError(sig) {
			return "is dropped by a return that reports nothing", true
		}
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

// canFail reports whether a step.Run's callback can return a non-nil
// error: false only when every return of the callback (a literal, or a
// function of this package) has a nil literal error, or returns the
// results of a function of this package of which that holds.
func (c *checker) canFail(s *durable.StepCall) bool {
	if s.CallbackLit != nil {
		return c.bodyCanFail(s.CallbackLit.Body, 0)
	}
	if fn := durable.FuncOf(c.pass.TypesInfo, s.Callback); fn != nil {
		if fd := c.decl(fn); fd != nil {
			return c.bodyCanFail(fd.Body, 0)
		}
	}
	return true
}

func (c *checker) bodyCanFail(body *ast.BlockStmt, depth int) bool {
	if depth > 3 {
		return true
	}
	info := c.pass.TypesInfo
	fails := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			switch len(n.Results) {
			case 2:
				if tv, ok := info.Types[n.Results[1]]; !ok || !tv.IsNil() {
					fails = true
				}
			case 1:
				// return load(ctx): fails if load can.
				call, ok := ast.Unparen(n.Results[0]).(*ast.CallExpr)
				if !ok {
					fails = true
					break
				}
				fd := c.decl(durable.Callee(info, call))
				if fd == nil || c.bodyCanFail(fd.Body, depth+1) {
					fails = true
				}
			default:
				fails = true // a bare return of named results
			}
		}
		return !fails
	})
	return fails
}

// decl returns the declaration of fn when it is a function of this
// package with a body, or nil.
func (c *checker) decl(fn *types.Func) *ast.FuncDecl {
	if fn == nil || fn.Pkg() != c.pass.Pkg {
		return nil
	}
	if c.decls == nil {
		c.decls = map[*types.Func]*ast.FuncDecl{}
		for _, f := range c.pass.Files {
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
					if obj, ok := c.pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
						c.decls[obj] = fd
					}
				}
			}
		}
	}
	return c.decls[fn.Origin()]
}

// answersHTTP reports whether call writes an HTTP error response: in an
// HTTP handler that is how the error is handled. It is http.Error,
// ResponseWriter.WriteHeader, or any call given an http.Status* constant
// (gin's c.JSON(http.StatusBadGateway, ...), echo's c.NoContent(...)).
func answersHTTP(info *types.Info, call *ast.CallExpr) bool {
	if fn := durable.Callee(info, call); fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "net/http" {
		switch fn.Name() {
		case "Error", "WriteHeader", "Redirect", "NotFound":
			return true
		}
	}
	for _, a := range call.Args {
		if sel, ok := ast.Unparen(a).(*ast.SelectorExpr); ok && strings.HasPrefix(sel.Sel.Name, "Status") {
			if c, ok := info.Uses[sel.Sel].(*types.Const); ok && c.Pkg() != nil && c.Pkg().Path() == "net/http" {
				return true
			}
		}
	}
	return false
}

type lineKey struct {
	file string
	line int
}

// comments indexes the package's comments by the lines they cover.
func comments(pass *analysis.Pass) map[lineKey][]*ast.Comment {
	out := map[lineKey][]*ast.Comment{}
	for _, f := range pass.Files {
		for _, g := range f.Comments {
			for _, cm := range g.List {
				p := pass.Fset.Position(cm.Pos())
				k := lineKey{p.Filename, p.Line}
				out[k] = append(out[k], cm)
			}
		}
	}
	return out
}

// directive matches comments that are not explanations: tool directives
// and test expectations (analysistest's want, the real-world corpus's silent
// markers), which must not pass for explanations.
var directive = regexp.MustCompile("^(//|/\\*)\\s*(durable:|nolint|lint:|go:|silent:|want\\s+(\\w+:)?[`\"])")

// reason matches comments that say why an error may be dropped.
var reason = regexp.MustCompile(`(?i)\bignor|best[- ]effort|\boptional|fall ?back|non-?critical|not critical|(does not|doesn't|don't|do not|won't) (matter|care|need)|intentional|deliberate|on purpose|\bfine\b|\bok to\b|\bokay\b|safe to|allowed to|(can|may|might) fail|non-?fatal|not fatal|\berr(or)?s?\b|\bfail|\bretr(y|ies|ied)\b|\bskip|harmless|advisory|not worth|acceptable|tolerat|no need`)

// explained reports whether a comment on the statement's lines, or on the
// line just above it, says why the error is dropped (`_ = step.Sleep(...)
// // best effort: ...`). A comment that only describes the step does not.
func (c *checker) explained(stmt ast.Node) bool {
	p := c.pass.Fset.Position(stmt.Pos())
	end := c.pass.Fset.Position(stmt.End())
	for _, line := range []int{p.Line - 1, p.Line, end.Line} {
		for _, cm := range c.comments[lineKey{p.Filename, line}] {
			if !directive.MatchString(cm.Text) && reason.MatchString(cm.Text) {
				return true
			}
		}
	}
	return false
}

// explainedBlock reports whether the `if err != nil` statement carries a
// comment (on its line or inside its block) that says why the error is
// not returned.
func (c *checker) explainedBlock(ifs *ast.IfStmt) bool {
	p := c.pass.Fset.Position(ifs.Pos())
	end := c.pass.Fset.Position(ifs.Body.Rbrace)
	for line := p.Line; line <= end.Line; line++ {
		for _, cm := range c.comments[lineKey{p.Filename, line}] {
			if !directive.MatchString(cm.Text) {
				return true
			}
		}
	}
	return false
}

// stepResultVars maps the variables assigned a step's result (by a step
// call or a helper that starts one) to what produced it.
func (c *checker) stepResultVars(ins *inspector.Inspector) map[types.Object]string {
	out := map[types.Object]string{}
	for n := range ins.PreorderSeq((*ast.AssignStmt)(nil)) {
		as := n.(*ast.AssignStmt)
		if len(as.Rhs) != 1 || len(as.Lhs) < 2 {
			continue
		}
		call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
		if !ok {
			continue
		}
		e, ok := c.errCallAny(call)
		if !ok {
			continue
		}
		if id, ok := as.Lhs[0].(*ast.Ident); ok && id.Name != "_" {
			if obj := c.pass.TypesInfo.ObjectOf(id); obj != nil {
				out[obj] = e.what
			}
		}
	}
	return out
}

// errCallAny is errCall that also accepts step.Run calls whose callback
// cannot fail: their result is still a step's.
func (c *checker) errCallAny(call *ast.CallExpr) (erring, bool) {
	if e, ok := c.errCall(call); ok {
		return e, true
	}
	if s := c.res.Step(call); s != nil && s.Kind == durable.Run {
		return erring{what: stepLabel(c.pass, s), step: s}, true
	}
	return erring{}, false
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

// ignoredError reports a discarded error that matters around durable
// functions although it is not a step's: defining a function
// (inngestgo.CreateFunction), decoding a step's result (json.Unmarshal),
// sending events through a client (inngestgo.Client.Send, Engine.Send).
// stmt is the statement, call the call whose error is dropped.
func (c *checker) ignoredError(stmt ast.Node, call *ast.CallExpr, discarded bool) {
	info := c.pass.TypesInfo
	fn := durable.Callee(info, call)
	if fn == nil || fn.Pkg() == nil {
		return
	}
	if as, ok := stmt.(*ast.AssignStmt); ok {
		sig, _ := info.TypeOf(call.Fun).(*types.Signature)
		if sig == nil || !lastIsError(sig) || len(as.Lhs) != sig.Results().Len() || !isBlank(as.Lhs[len(as.Lhs)-1]) {
			return
		}
	}
	how := "is assigned to _"
	if discarded {
		how = "is never looked at (the call's results are discarded)"
	}
	var msg string
	switch {
	case durable.ClassifyDefine(fn) == durable.Inngest:
		msg = fmt.Sprintf("the error of inngestgo.CreateFunction %s: when the options or trigger are invalid the function is not created, so its events start nothing and nobody is told; check the error at startup (log.Fatal is fine there)", how)
	case fn.Pkg().Path() == "encoding/json" && fn.Name() == "Unmarshal" && len(call.Args) == 2:
		what, ok := c.stepResultIn(call.Args[0])
		if !ok {
			return
		}
		msg = fmt.Sprintf("the error of json.Unmarshal of the result of %s %s: a result that does not decode (a changed type, a replayed journal written by older code) leaves the target zero and the function carries on with it; return the error", what, how)
	case isClientSend(fn):
		msg = fmt.Sprintf("the error of %s %s: an event that was not accepted starts no run and nothing retries it; return or handle the error", callchain.FuncName(fn), how)
	default:
		return
	}
	if c.explained(stmt) {
		return
	}
	c.rep.Report(analysis.Diagnostic{Pos: call.Pos(), End: call.End(), Message: msg})
}

// stepResultIn reports whether e is built from a variable holding a step's
// result (raw, []byte(raw), res.Body), and which step.
func (c *checker) stepResultIn(e ast.Expr) (string, bool) {
	var what string
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && what == "" {
			if w, ok := c.stepResults[c.pass.TypesInfo.Uses[id]]; ok {
				what = w
			}
		}
		return what == ""
	})
	return what, what != ""
}

// isClientSend reports whether fn sends events from outside a step:
// inngestgo's Client.Send/SendMany and package Send, or this runtime's
// Engine.Send.
func isClientSend(fn *types.Func) bool {
	if fn.Name() != "Send" && fn.Name() != "SendMany" {
		return false
	}
	switch fn.Pkg().Path() {
	case durable.InngestPath:
		return true
	case durable.DurableRuntimePath:
		sig := fn.Type().(*types.Signature)
		return sig.Recv() != nil && strings.HasSuffix(types.TypeString(sig.Recv().Type(), nil), ".Engine")
	}
	return false
}

// overwritten reports a step's error assigned to a variable that the next
// statements assign again before anything reads it:
//
//	a, err := step.Run(ctx, "a", ...)
//	b, err := step.Run(ctx, "b", ...) // the first error is lost
func (c *checker) overwritten(as *ast.AssignStmt, parent ast.Node) {
	if len(as.Rhs) != 1 {
		return
	}
	call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
	if !ok {
		return
	}
	e, ok := c.errCall(call)
	if !ok || e.errIdx < 0 || len(as.Lhs) != e.results {
		return
	}
	id, ok := as.Lhs[e.errIdx].(*ast.Ident)
	if !ok || id.Name == "_" {
		return
	}
	info := c.pass.TypesInfo
	obj := info.ObjectOf(id)
	list := stmtList(parent)
	i := slices.Index(list, ast.Stmt(as))
	if obj == nil || i < 0 {
		return
	}
	for _, next := range list[i+1:] {
		reads, writes := false, false
		ast.Inspect(next, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && info.Uses[id] == obj {
				reads = true
			}
			return !reads
		})
		if a, ok := next.(*ast.AssignStmt); ok {
			reads = false
			for _, r := range a.Rhs {
				ast.Inspect(r, func(n ast.Node) bool {
					if id, ok := n.(*ast.Ident); ok && info.Uses[id] == obj {
						reads = true
					}
					return !reads
				})
			}
			for _, l := range a.Lhs {
				if lid, ok := l.(*ast.Ident); ok && info.ObjectOf(lid) == obj {
					writes = true
				} else if l != nil {
					ast.Inspect(l, func(n ast.Node) bool {
						if id, ok := n.(*ast.Ident); ok && info.Uses[id] == obj {
							reads = true
						}
						return !reads
					})
				}
			}
		}
		if reads {
			return
		}
		if writes {
			d := analysis.Diagnostic{Pos: call.Pos(), End: call.End(),
				Message: fmt.Sprintf("the error of %s is overwritten at line %d before it is read: if this step fails, the function carries on as if it had succeeded; check %s right after the call", e.what, c.pass.Fset.Position(next.Pos()).Line, id.Name),
				Related: []analysis.RelatedInformation{{Pos: next.Pos(), End: next.End(), Message: id.Name + " is assigned again here"}}}
			if e.chain != nil {
				d.Related = append(e.chain.Related(c.pass.Fset), d.Related...)
			}
			c.rep.Report(d)
			return
		}
		switch next.(type) {
		case *ast.ReturnStmt, *ast.BranchStmt:
			return
		}
	}
}
