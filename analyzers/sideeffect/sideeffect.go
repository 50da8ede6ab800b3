package sideeffect

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"
	"strings"
	"unicode"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/internal/callchain"
	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/effects"
	"github.com/durable-go/durable/analyzers/internal/ignore"
)

//go:embed doc.go
var doc string

// Analyzer flags I/O and nondeterminism outside steps in durable function bodies.
var Analyzer = &analysis.Analyzer{
	Name:             "sideeffect",
	Doc:              durable.ExtractDoc(doc, "sideeffect"),
	URL:              durable.DocURL("sideeffect"),
	Requires:         []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	FactTypes:        []analysis.Fact{(*Effect)(nil), (*hasEffects)(nil)},
	RunDespiteErrors: true,
	Run:              run,
}

var logging bool

func init() {
	Analyzer.Flags.BoolVar(&logging, "logging", false,
		"also advise on standard logging (fmt.Print*, log.Print*) outside steps in functions with steps: one note per function")
}

// Effect is the fact that a function performs a side effect, outside any
// step, through the calls of Chain (whose last hop is the effect).
type Effect struct {
	Kind  effects.Kind
	Chain callchain.Chain
}

func (*Effect) AFact() {}
func (f *Effect) String() string {
	return fmt.Sprintf("sideEffect(%s via %s)", f.Kind, f.Chain)
}

// hasEffects marks packages with Effect facts, for the fast path.
type hasEffects struct{}

func (*hasEffects) AFact()         {}
func (*hasEffects) String() string { return "hasEffects" }

func run(pass *analysis.Pass) (any, error) {
	if effects.InGOROOT(pass.Fset, pass.Files) || durable.ProfileOfPackage(pass.Pkg.Path()) != durable.None {
		return nil, nil // the effect table covers the standard library
	}
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	if !mayHaveEffects(pass) {
		return nil, nil // fast path: imports no effectful package
	}
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	info := pass.TypesInfo
	kinds := map[string]effects.Kind{} // hop name of a direct effect -> kind

	direct := func(n ast.Node) (string, bool) {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return "", false
		}
		fn := durable.Callee(info, call)
		e, ok := effects.ClassifyWithVendors(fn)
		if !ok || e.Advice {
			return "", false
		}
		name := callchain.FuncName(fn)
		kinds[name] = e.Kind
		return name, true
	}
	sums := callchain.Summarize(pass, insp, callchain.Config{
		Direct: direct,
		Imported: func(fn *types.Func) (callchain.Chain, bool) {
			var f Effect
			if pass.ImportObjectFact(fn, &f) {
				kinds[f.Chain.Last()] = f.Kind
				return f.Chain, true
			}
			return nil, false
		},
		// Effects inside a step's callback are where they belong.
		Prune: func(n ast.Node) bool {
			lit, ok := n.(*ast.FuncLit)
			return ok && (res.IsStepCallback(lit) || res.BodyOf(lit) != nil)
		},
		Dynamic: true,
	})
	fns, chains := sums.Local()
	isBody := map[*types.Func]bool{}
	for _, b := range res.Bodies {
		if b.Func != nil {
			isBody[b.Func] = true // a handler is checked as a body, not summarised
		}
	}
	exported := 0
	for _, fn := range fns {
		if isBody[fn] {
			continue
		}
		c := chains[fn]
		pass.ExportObjectFact(fn, &Effect{Kind: kinds[c.Last()], Chain: c})
		exported++
	}
	if exported > 0 {
		pass.ExportPackageFact(&hasEffects{})
	}
	if !res.Relevant || len(res.Bodies) == 0 {
		return nil, nil
	}

	ig := ignore.New(pass, "sideeffect")
	cl := newClosures(pass, res, sums, direct)
	for _, b := range res.Bodies {
		checkBody(pass, res, b, sums, cl, kinds, ig)
	}
	ig.Finish()
	return nil, nil
}

// finding is an effect found in a body, outside steps.
type finding struct {
	call  *ast.CallExpr
	chain callchain.Chain
	kind  effects.Kind
	// passed is true when call is given a closure that has the effect
	// (g.Go(work)) rather than having it itself: no fix wraps the call.
	passed bool
}

// checkBody reports the effects of a durable function's body outside its
// steps.
func checkBody(pass *analysis.Pass, res *durable.Result, b *durable.Body, sums *callchain.Summaries, cl *closures, kinds map[string]effects.Kind, ig *ignore.Reporter) {
	info := pass.TypesInfo
	replayed := len(b.Steps) > 0
	var found []finding
	var logs []*ast.CallExpr
	var possible []*ast.CallExpr
	res.WalkOutsideSteps(b, func(n ast.Node) bool {
		if lit, ok := n.(*ast.FuncLit); ok && cl.bound[lit] {
			return false // a local closure: its effects are reported where it is called
		}
		if !replayed {
			if _, ok := res.StartsStepAt(n); ok {
				replayed = true // steps through a helper
			}
		}
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		fn := durable.Callee(info, call)
		if e, ok := effects.ClassifyWithVendors(fn); ok && e.Advice {
			logs = append(logs, call)
			return true
		}
		c, ok := sums.At(call)
		if !ok {
			c, ok = cl.at(call)
		}
		if ok {
			found = append(found, finding{call: call, chain: c, kind: kinds[c.Last()]})
			return false // one finding per call tree
		}
		if c, ok := cl.passed(call); ok {
			found = append(found, finding{call: call, chain: c, kind: kinds[c.Last()], passed: true})
			return false
		}
		if m := callchain.InterfaceMethod(info, call); m != nil && durable.ProfileOfPackage(m.Pkg().Path()) == durable.None &&
			takesContext(m) && len(sums.Implementations(m)) == 0 {
			possible = append(possible, call)
		}
		return true
	})

	if !replayed {
		reportNoSteps(pass, b, found, ig)
		return
	}
	for _, f := range found {
		via := ""
		if len(f.chain) > 1 {
			via = " via " + f.chain.String()
		}
		fix := "move it into step.Run"
		if f.kind == effects.EventSend {
			fix = "send the events with step.SendEvent, which the engine records once"
			if b.Profile == durable.Inngest {
				fix = "send the events with step.Send, which Inngest records once"
			}
		}
		d := analysis.Diagnostic{
			Pos: f.call.Pos(), End: f.call.End(), Category: string(f.kind),
			Message: fmt.Sprintf("%s %s outside a step in durable function %s%s: it runs again on every replay of this run; %s",
				f.kind, f.chain.Last(), b.Name, via, fix),
		}
		if len(f.chain) > 1 {
			d.Related = f.chain.Related(pass.Fset)
		}
		if f.kind != effects.EventSend && !f.passed {
			if fix, ok := wrapFix(pass, b, f.call); ok {
				d.SuggestedFixes = []analysis.SuggestedFix{fix}
			}
		}
		ig.Report(d)
	}
	for _, call := range possible {
		ig.Report(analysis.Diagnostic{Pos: call.Pos(), End: call.End(), Category: "advice",
			Message: fmt.Sprintf("advice: %s outside a step in durable function %s calls an interface method that takes a context.Context, and no implementation is visible here: if it does I/O it runs again on every replay of this run; move it into step.Run",
				types.ExprString(call.Fun), b.Name)})
	}
	if logging && len(logs) > 0 {
		more := ""
		if len(logs) > 1 {
			more = fmt.Sprintf(" (and %d more log call(s) outside steps)", len(logs)-1)
		}
		ig.Report(analysis.Diagnostic{Pos: logs[0].Pos(), End: logs[0].End(), Category: "advice",
			Message: fmt.Sprintf("advice: %s in durable function %s logs again on every replay of this run%s; log inside a step, or use a replay-aware logger",
				callchain.FuncName(durable.Callee(info, logs[0])), b.Name, more)})
	}
}

// reportNoSteps reports a body with no steps that has several I/O effects:
// it is never replayed, but a retry after a failure runs all of it again
// (an LLM call, then a chat reply: the user gets two replies). Clock reads
// and random values are harmless there, and so is a single effect (a retry
// of the function is then a retry of that call).
func reportNoSteps(pass *analysis.Pass, b *durable.Body, found []finding, ig *ignore.Reporter) {
	var io []finding
	for _, f := range found {
		if !f.kind.Nondeterministic() {
			io = append(io, f)
		}
	}
	if len(io) < 2 {
		return
	}
	names := make([]string, len(io))
	var related []analysis.RelatedInformation
	for i, f := range io {
		names[i] = f.chain.Last()
		related = append(related, analysis.RelatedInformation{Pos: f.call.Pos(), End: f.call.End(), Message: fmt.Sprintf("%s %s", f.kind, f.chain.Last())})
	}
	ig.Report(analysis.Diagnostic{Pos: io[0].call.Pos(), End: io[0].call.End(), Category: string(io[0].kind), Related: related,
		Message: fmt.Sprintf("durable function %s has no steps but makes %d calls with effects (%s): a retry after a failure runs all of them again (a second reply, a second charge); put each in its own step.Run, whose result is recorded once",
			b.Name, len(io), strings.Join(names, ", "))})
}

func takesContext(fn *types.Func) bool {
	sig, _ := fn.Type().(*types.Signature)
	if sig == nil {
		return false
	}
	for i := 0; i < sig.Params().Len(); i++ {
		if n, ok := types.Unalias(sig.Params().At(i).Type()).(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context" {
			return true
		}
	}
	return false
}

// closures are the function literals of the package bound to a local
// variable (markStatus := func(s string) { db.Exec(...) }): calls of the
// variable are followed into the literal.
type closures struct {
	pass   *analysis.Pass
	res    *durable.Result
	sums   *callchain.Summaries
	direct func(ast.Node) (string, bool)
	of     map[types.Object]*ast.FuncLit
	bound  map[*ast.FuncLit]bool
	memo   map[*ast.FuncLit]callchain.Chain
	busy   map[*ast.FuncLit]bool
}

func newClosures(pass *analysis.Pass, res *durable.Result, sums *callchain.Summaries, direct func(ast.Node) (string, bool)) *closures {
	c := &closures{pass: pass, res: res, sums: sums, direct: direct, of: map[types.Object]*ast.FuncLit{},
		bound: map[*ast.FuncLit]bool{}, memo: map[*ast.FuncLit]callchain.Chain{}, busy: map[*ast.FuncLit]bool{}}
	bind := func(id *ast.Ident, v ast.Expr) {
		lit, ok := ast.Unparen(v).(*ast.FuncLit)
		if !ok || res.BodyOf(lit) != nil || res.IsStepCallback(lit) {
			return
		}
		if obj := pass.TypesInfo.ObjectOf(id); obj != nil {
			if _, isVar := obj.(*types.Var); isVar && obj.Parent() != pass.Pkg.Scope() {
				c.of[obj] = lit
				c.bound[lit] = true
			}
		}
	}
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				if len(n.Lhs) == len(n.Rhs) {
					for i, l := range n.Lhs {
						if id, ok := l.(*ast.Ident); ok {
							bind(id, n.Rhs[i])
						}
					}
				}
			case *ast.ValueSpec:
				if len(n.Names) == len(n.Values) {
					for i, id := range n.Names {
						bind(id, n.Values[i])
					}
				}
			}
			return true
		})
	}
	return c
}

// at returns the chain of a call of a closure variable that reaches an
// effect, outside the steps of the closure.
func (c *closures) at(call *ast.CallExpr) (callchain.Chain, bool) {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return nil, false
	}
	obj := c.pass.TypesInfo.Uses[id]
	lit := c.of[obj]
	if lit == nil {
		return nil, false
	}
	ch := c.chain(lit)
	if ch == nil {
		return nil, false
	}
	return ch.Prepend(callchain.HopAt(c.pass.Fset, call.Pos(), id.Name)), true
}

// passed returns the chain of a closure variable given as an argument to a
// call that runs it outside a step (g.Go(work), step.Parallel(ctx, branch)),
// but not to step.Run, whose callback is the step.
func (c *closures) passed(call *ast.CallExpr) (callchain.Chain, bool) {
	if s := c.res.Step(call); s != nil && s.Kind == durable.Run {
		return nil, false
	}
	for _, a := range call.Args {
		id, ok := ast.Unparen(a).(*ast.Ident)
		if !ok {
			continue
		}
		lit := c.of[c.pass.TypesInfo.Uses[id]]
		if lit == nil {
			continue
		}
		if ch := c.chain(lit); ch != nil {
			return ch.Prepend(callchain.HopAt(c.pass.Fset, a.Pos(), id.Name)), true
		}
	}
	return nil, false
}

func (c *closures) chain(lit *ast.FuncLit) callchain.Chain {
	if ch, ok := c.memo[lit]; ok || c.busy[lit] {
		return ch
	}
	c.busy[lit] = true
	var found callchain.Chain
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		if found != nil || n == nil {
			return false
		}
		if l, ok := n.(*ast.FuncLit); ok && (c.res.IsStepCallback(l) || c.res.BodyOf(l) != nil || c.bound[l]) {
			return false
		}
		if ch, ok := c.sums.At(n); ok {
			found = ch
			return false
		}
		if call, ok := n.(*ast.CallExpr); ok {
			if ch, ok := c.at(call); ok {
				found = ch
				return false
			}
		}
		return true
	})
	c.busy[lit] = false
	c.memo[lit] = found
	return found
}

// mayHaveEffects reports whether some import of the package is a package
// with known effects or one whose functions have Effect facts.
func mayHaveEffects(pass *analysis.Pass) bool {
	for _, imp := range pass.Pkg.Imports() {
		if effects.SinkPackage(imp.Path()) || pass.ImportPackageFact(imp, new(hasEffects)) {
			return true
		}
	}
	return false
}

// wrapFix wraps a one-statement effect in step.Run:
//
//	v, err := CALL      → v, err := step.Run(ctx, "id", func(ctx context.Context) (T, error) { return CALL })
//	v := CALL           → v, err := step.Run(ctx, "id", func(ctx context.Context) (T, error) { return CALL, nil })
//	                      if err != nil { return nil, err }
//	CALL (error result) → if _, err := step.Run(ctx, "id", func(ctx context.Context) (struct{}, error) { return struct{}{}, CALL }); err != nil { return nil, err }
//
// It applies only in the top level of the body's block (so that
// "return nil, err" fits the handler), when the handler's context parameter
// is named, and when the file imports the step and context packages.
func wrapFix(pass *analysis.Pass, b *durable.Body, call *ast.CallExpr) (analysis.SuggestedFix, bool) {
	if b.Ctx == nil {
		return analysis.SuggestedFix{}, false
	}
	var stmt ast.Stmt
	for _, s := range b.Block.List {
		if s.Pos() <= call.Pos() && call.End() <= s.End() {
			stmt = s
		}
	}
	if stmt == nil {
		return analysis.SuggestedFix{}, false
	}
	file := fileOf(pass, call.Pos())
	stepName, ctxName := importName(pass, file, b.Profile.StepPackage()), importName(pass, file, "context")
	if stepName == "" || ctxName == "" {
		return analysis.SuggestedFix{}, false
	}
	sig, _ := pass.TypesInfo.TypeOf(call.Fun).Underlying().(*types.Signature)
	if sig == nil {
		return analysis.SuggestedFix{}, false
	}
	qual := func(p *types.Package) string {
		if p == pass.Pkg {
			return ""
		}
		return importName(pass, file, p.Path())
	}
	typeStr := func(t types.Type) (string, bool) {
		s := types.TypeString(t, qual)
		ok := true
		types.TypeString(t, func(p *types.Package) string {
			if p != pass.Pkg && importName(pass, file, p.Path()) == "" {
				ok = false
			}
			return p.Name()
		})
		return s, ok
	}
	src := nodeText(pass, call)
	ctx := b.Ctx.Name()
	id := stepID(pass, call)
	isErr := func(t types.Type) bool { return types.Identical(t, types.Universe.Lookup("error").Type()) }
	var text string
	switch s := stmt.(type) {
	case *ast.AssignStmt:
		if s.Tok != token.DEFINE || len(s.Rhs) != 1 || s.Rhs[0] != call {
			return analysis.SuggestedFix{}, false
		}
		lhs := make([]string, len(s.Lhs))
		for i, l := range s.Lhs {
			lhs[i] = nodeText(pass, l)
		}
		switch {
		case len(s.Lhs) == 2 && sig.Results().Len() == 2 && isErr(sig.Results().At(1).Type()):
			t, ok := typeStr(sig.Results().At(0).Type())
			if !ok {
				return analysis.SuggestedFix{}, false
			}
			text = fmt.Sprintf("%s, %s := %s.Run(%s, %q, func(%s %s.Context) (%s, error) { return %s })",
				lhs[0], lhs[1], stepName, ctx, id, ctx, ctxName, t, src)
		case len(s.Lhs) == 1 && sig.Results().Len() == 1 && !isErr(sig.Results().At(0).Type()) && lhs[0] != "err":
			t, ok := typeStr(sig.Results().At(0).Type())
			if !ok {
				return analysis.SuggestedFix{}, false
			}
			text = fmt.Sprintf("%s, err := %s.Run(%s, %q, func(%s %s.Context) (%s, error) { return %s, nil })\nif err != nil {\nreturn nil, err\n}",
				lhs[0], stepName, ctx, id, ctx, ctxName, t, src)
		default:
			return analysis.SuggestedFix{}, false
		}
	case *ast.ExprStmt:
		if s.X != call || sig.Results().Len() != 1 || !isErr(sig.Results().At(0).Type()) {
			return analysis.SuggestedFix{}, false
		}
		text = fmt.Sprintf("if _, err := %s.Run(%s, %q, func(%s %s.Context) (struct{}, error) { return struct{}{}, %s }); err != nil {\nreturn nil, err\n}",
			stepName, ctx, id, ctx, ctxName, src)
	default:
		return analysis.SuggestedFix{}, false
	}
	if formatted, err := format.Source([]byte(text)); err == nil {
		text = string(formatted)
	}
	return analysis.SuggestedFix{
		Message:   fmt.Sprintf("Wrap in %s.Run(ctx, %q, ...)", stepName, id),
		TextEdits: []analysis.TextEdit{{Pos: stmt.Pos(), End: stmt.End(), NewText: []byte(strings.TrimSpace(indent(text, pass, stmt)))}},
	}, true
}

// indent re-indents continuation lines of text to the statement's column.
func indent(text string, pass *analysis.Pass, stmt ast.Stmt) string {
	col := pass.Fset.Position(stmt.Pos()).Column - 1
	prefix := strings.Repeat("\t", col) // gofmt indents with tabs, one column each
	lines := strings.Split(strings.TrimSpace(text), "\n")
	for i := 1; i < len(lines); i++ {
		lines[i] = prefix + lines[i]
	}
	return strings.Join(lines, "\n")
}

// stepID derives a kebab-case step ID from the callee: sendWelcomeMail → "send-welcome-mail".
func stepID(pass *analysis.Pass, call *ast.CallExpr) string {
	name := "side-effect"
	if fn := durable.Callee(pass.TypesInfo, call); fn != nil {
		name = fn.Name()
		if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() == nil && fn.Pkg() != nil && fn.Pkg() != pass.Pkg {
			name = fn.Pkg().Name() + "-" + name
		}
	}
	var b strings.Builder
	prevLower := false
	for _, r := range name {
		if unicode.IsUpper(r) && prevLower {
			b.WriteByte('-')
		}
		if r == '_' || r == '.' {
			r = '-'
		}
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func fileOf(pass *analysis.Pass, pos token.Pos) *ast.File {
	for _, f := range pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return f
		}
	}
	return nil
}

// importName returns the name under which file imports path, or "".
func importName(pass *analysis.Pass, file *ast.File, path string) string {
	if file == nil {
		return ""
	}
	for _, imp := range file.Imports {
		pn := pass.TypesInfo.PkgNameOf(imp)
		if pn == nil || pn.Imported().Path() != path || pn.Name() == "_" || pn.Name() == "." {
			continue
		}
		return pn.Name()
	}
	return ""
}

func nodeText(pass *analysis.Pass, n ast.Node) string {
	var b strings.Builder
	if err := format.Node(&b, pass.Fset, n); err != nil {
		return ""
	}
	return b.String()
}
