package goroutine

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/internal/callchain"
	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/ignore"
)

const name = "goroutine"

//go:embed doc.go
var doc string

// Analyzer reports goroutines, WaitGroups and channel operations around steps.
var Analyzer = &analysis.Analyzer{
	Name:     name,
	Doc:      durable.ExtractDoc(doc, name),
	URL:      durable.DocURL(name),
	Requires: []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	if !res.Relevant {
		return nil, nil
	}
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	rep := ignore.New(pass, name)
	defer rep.Finish()
	c := &checker{pass: pass, res: res, rep: rep}

	for _, b := range res.Bodies {
		c.unit(b.Profile, b.Name, func(visit func(ast.Node) bool) { res.WalkOutsideSteps(b, visit) })
	}
	// Helpers that start steps are body code too, wherever they are called from.
	for n := range ins.PreorderSeq((*ast.FuncDecl)(nil)) {
		fd := n.(*ast.FuncDecl)
		fn, _ := pass.TypesInfo.Defs[fd.Name].(*types.Func)
		if fn == nil || fd.Body == nil || res.BodyOf(fd) != nil || notDurable(pass, fn) {
			continue
		}
		if _, ok := res.StartsStep(fn); !ok {
			continue
		}
		walk := func(visit func(ast.Node) bool) {
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if n == nil {
					return false
				}
				if res.Prune(n) {
					return false
				}
				return visit(n)
			})
		}
		c.unit(c.profileOf(fd), durable.FuncDisplayName(fn), walk)
	}
	return nil, nil
}

// profileOf is the API a step-starting helper is written against: that of
// the steps it calls itself, else that of the durable API its package
// imports (the helper may start steps only through other helpers).
func (c *checker) profileOf(fd *ast.FuncDecl) durable.Profile {
	p := durable.None
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && p == durable.None {
			if s := c.res.Step(call); s != nil {
				p = s.Profile
			}
		}
		return p == durable.None
	})
	if p != durable.None {
		return p
	}
	for _, imp := range c.pass.Pkg.Imports() {
		if q := durable.ProfileOfPackage(imp.Path()); q != durable.None {
			p = q
			if q == durable.Durable {
				break
			}
		}
	}
	if p == durable.None {
		return durable.Durable
	}
	return p
}

type checker struct {
	pass *analysis.Pass
	res  *durable.Result
	rep  *ignore.Reporter
}

// notDurable reports whether fn is a program's entry point or a test: code
// that defines, registers and drives durable functions, but that no engine
// replays, whatever helpers it calls.
func notDurable(pass *analysis.Pass, fn *types.Func) bool {
	name := fn.Name()
	if sig := fn.Type().(*types.Signature); sig.Recv() != nil {
		return false
	}
	if (name == "main" && fn.Pkg().Name() == "main") || name == "init" {
		return true
	}
	if !strings.HasSuffix(pass.Fset.Position(fn.Pos()).Filename, "_test.go") {
		return false
	}
	for _, p := range []string{"Test", "Benchmark", "Fuzz", "Example"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func parallelName(p durable.Profile) string {
	if p == durable.Inngest {
		return "group.Parallel"
	}
	return "step.Parallel"
}

// launch is a goroutine started in a body: a go statement, or a call to
// WaitGroup.Go / errgroup.Group.Go.
type launch struct {
	node ast.Node
	fn   ast.Expr // the function run in the goroutine
	call *ast.CallExpr
	how  string
}

// unit checks the code of one body or step-starting helper.
func (c *checker) unit(profile durable.Profile, fname string, walk func(visit func(ast.Node) bool)) {
	info := c.pass.TypesInfo
	var launches []launch
	var coord []ast.Node // channel operations and waits
	walk(func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			launches = append(launches, launch{node: n, fn: n.Call.Fun, call: n.Call, how: "go statement"})
			return false
		case *ast.CallExpr:
			if fn := durable.Callee(info, n); fn != nil && len(n.Args) >= 1 {
				switch methodKey(fn) {
				case "sync.WaitGroup.Go", "golang.org/x/sync/errgroup.Group.Go", "golang.org/x/sync/errgroup.Group.TryGo", "time.AfterFunc":
					launches = append(launches, launch{node: n, fn: n.Args[len(n.Args)-1], how: callchain.FuncName(fn)})
					return false
				}
			}
			if fn := durable.Callee(info, n); fn != nil {
				switch methodKey(fn) {
				case "sync.WaitGroup.Wait", "golang.org/x/sync/errgroup.Group.Wait":
					coord = append(coord, n)
				}
			}
		case *ast.SendStmt, *ast.SelectStmt:
			coord = append(coord, n)
			if _, ok := n.(*ast.SelectStmt); ok {
				return false // one finding for the whole select
			}
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				coord = append(coord, n)
			}
		case *ast.RangeStmt:
			if tv, ok := info.Types[n.X]; ok {
				if _, ok := tv.Type.Underlying().(*types.Chan); ok {
					coord = append(coord, n)
				}
			}
		}
		return true
	})
	par := parallelName(profile)
	for _, l := range launches {
		if chain, ok := c.startsStep(l); ok {
			d := analysis.Diagnostic{
				Pos: l.node.Pos(), End: l.node.End(),
				Message: fmt.Sprintf("%s in %s starts steps in another goroutine (%s): the order in which steps reach the journal then changes from run to run, so a replay meets steps it does not expect, and the engine cannot wait for the goroutine when the run suspends; run concurrent branches with %s",
					l.how, fname, chain, par),
			}
			if len(chain) > 1 {
				d.Related = chain.Related(c.pass.Fset)
			}
			c.rep.Report(d)
			continue
		}
		c.rep.Report(analysis.Diagnostic{
			Pos: l.node.Pos(), End: l.node.End(),
			Message: fmt.Sprintf("%s in %s, outside any step: the goroutine runs again on every replay, its work is not journaled, and it can outlive the run when the run suspends; do the work inside a step, or use %s for concurrent branches of steps",
				l.how, fname, par),
		})
	}
	if len(launches) > 0 {
		return // the coordination belongs to the goroutines already reported
	}
	for _, n := range coord {
		var what string
		switch n := n.(type) {
		case *ast.SendStmt:
			what = "channel send"
		case *ast.SelectStmt:
			what = "select statement"
		case *ast.UnaryExpr:
			what = "channel receive"
		case *ast.RangeStmt:
			what = "range over a channel"
		case *ast.CallExpr:
			what = callchain.FuncName(durable.Callee(info, n)) + " call"
		}
		c.rep.Report(analysis.Diagnostic{
			Pos: n.Pos(), End: n.End(),
			Message: fmt.Sprintf("%s in %s, outside any step: values and timing that come from other goroutines are not journaled, so a replay can see different values or block; pass data through step results, wait with step.Sleep/step.WaitForEvent, and use %s for concurrent branches",
				what, fname, par),
		})
	}
}

// startsStep reports the chain through which the goroutine of l starts a step.
func (c *checker) startsStep(l launch) (callchain.Chain, bool) {
	if lit, ok := ast.Unparen(l.fn).(*ast.FuncLit); ok {
		var found callchain.Chain
		ast.Inspect(lit.Body, func(n ast.Node) bool {
			if found != nil || n == nil {
				return false
			}
			if c.res.Prune(n) {
				return false
			}
			if chain, ok := c.res.StartsStepAt(n); ok {
				found = chain
				return false
			}
			return true
		})
		return found, found != nil
	}
	if l.call != nil {
		if chain, ok := c.res.StartsStepAt(l.call); ok {
			return chain, true
		}
	}
	// A function value handed to WaitGroup.Go: a named function or method.
	if fn := durable.FuncOf(c.pass.TypesInfo, l.fn); fn != nil {
		if chain, ok := c.res.StartsStep(fn); ok {
			return chain.Prepend(callchain.HopAt(c.pass.Fset, l.fn.Pos(), callchain.FuncName(fn))), true
		}
	}
	return nil, false
}

// methodKey is "path.Type.Method" for methods and "path.Func" for functions.
func methodKey(fn *types.Func) string {
	if fn.Pkg() == nil {
		return ""
	}
	sig, _ := fn.Type().(*types.Signature)
	if sig == nil || sig.Recv() == nil {
		return fn.Pkg().Path() + "." + fn.Name()
	}
	t := sig.Recv().Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return ""
	}
	return fn.Pkg().Path() + "." + n.Obj().Name() + "." + fn.Name()
}
