package steploop

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/ignore"
)

//go:embed doc.go
var doc string

const name = "steploop"

// Analyzer reports steps started once per element of a data-sized loop.
var Analyzer = &analysis.Analyzer{
	Name:     name,
	Doc:      durable.ExtractDoc(doc, name),
	URL:      durable.DocURL(name),
	Requires: []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	Run:      run,
}

var maxIterations = 20

func init() {
	Analyzer.Flags.IntVar(&maxIterations, "max-iterations", 20,
		"loops with a constant bound (or a literal of elements) of at most this many iterations may start steps")
}

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	if !res.Relevant {
		return nil, nil
	}
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	ig := ignore.New(pass, name)
	defer ig.Finish()
	c := &checker{pass: pass, res: res, ig: ig, done: map[ast.Node]bool{}}
	for _, b := range res.Bodies {
		c.walk(b.Block)
	}
	// Helpers that start steps (not bodies: those are walked above).
	for cur := range insp.Root().Preorder((*ast.FuncDecl)(nil)) {
		fd := cur.Node().(*ast.FuncDecl)
		if fd.Body == nil || res.BodyOf(fd) != nil {
			continue
		}
		fn, _ := pass.TypesInfo.Defs[fd.Name].(*types.Func)
		if fn == nil {
			continue
		}
		if _, ok := res.StartsStep(fn); ok {
			c.walk(fd.Body)
		}
	}
	return nil, nil
}

type checker struct {
	pass *analysis.Pass
	res  *durable.Result
	ig   *ignore.Reporter
	done map[ast.Node]bool // loops already reported
}

// walk visits block, tracking the data-sized loops around each statement;
// function literals start afresh (a literal built in a loop does not run
// in it), and step callbacks and other bodies are skipped.
func (c *checker) walk(block *ast.BlockStmt) {
	var loops []ast.Node // innermost last; only data-sized loops
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case nil:
			return false
		case *ast.FuncLit:
			if c.res.BodyOf(n) != nil || c.res.IsStepCallback(n) {
				return false
			}
			saved := loops
			loops = nil
			ast.Inspect(n.Body, visit)
			loops = saved
			return false
		case *ast.RangeStmt, *ast.ForStmt:
			if why := c.dataSized(n); why != "" && !c.interpretsPlan(n) {
				loops = append(loops, n)
				c.children(n, visit)
				loops = loops[:len(loops)-1]
				return false
			}
		case *ast.CallExpr:
			if len(loops) == 0 {
				return true
			}
			loop := loops[len(loops)-1]
			if c.done[loop] {
				return true
			}
			if s := c.res.Step(n); s != nil {
				if s.Kind == durable.Parallel {
					return true
				}
				c.report(loop, n, describe(s), s.Kind == durable.SendEvent)
				return true
			}
			if chain, ok := c.res.StartsStepAt(n); ok {
				c.report(loop, n, fmt.Sprintf("%s (which starts %s)", types.ExprString(n.Fun), chain.Last()), false)
			}
		}
		return true
	}
	ast.Inspect(block, visit)
}

// children visits the parts of a loop that run once per iteration.
func (c *checker) children(loop ast.Node, visit func(ast.Node) bool) {
	switch l := loop.(type) {
	case *ast.RangeStmt:
		ast.Inspect(l.Body, visit)
	case *ast.ForStmt:
		if l.Cond != nil {
			ast.Inspect(l.Cond, visit)
		}
		if l.Post != nil {
			ast.Inspect(l.Post, visit)
		}
		ast.Inspect(l.Body, visit)
	}
}

func describe(s *durable.StepCall) string {
	if id, ok := s.ID.(*ast.BasicLit); ok {
		return s.Name() + " " + id.Value
	}
	return s.Name()
}

func (c *checker) report(loop ast.Node, call *ast.CallExpr, what string, send bool) {
	c.done[loop] = true
	why := c.dataSized(loop)
	advice := "batch the items inside one step, or send one event per item (in one step.SendEvent call) to a function with a Concurrency limit"
	if send {
		advice = "build the events in the loop and send them all with one step.SendEvent call"
	}
	c.ig.Report(analysis.Diagnostic{
		Pos: call.Pos(), End: call.End(), Category: "advice",
		Message: fmt.Sprintf("%s runs once per %s: every iteration adds a journal entry and a store round trip, and is replayed on every resume; %s", what, why, advice),
		Related: []analysis.RelatedInformation{{Pos: loop.Pos(), End: loop.Pos() + token.Pos(len("for")), Message: "the loop"}},
	})
}

// interpretsPlan reports whether loop ranges over a list of instructions
// rather than of data: its body switches on the element and starts steps
// in at least two cases (a playbook of emails, waits and tasks). Such
// steps are ordered and of different kinds, so they can be neither batched
// into one step nor fanned out.
func (c *checker) interpretsPlan(loop ast.Node) bool {
	r, ok := loop.(*ast.RangeStmt)
	if !ok {
		return false
	}
	var elems []types.Object
	for _, e := range []ast.Expr{r.Key, r.Value} {
		if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
			if obj := c.pass.TypesInfo.ObjectOf(id); obj != nil {
				elems = append(elems, obj)
			}
		}
	}
	if len(elems) == 0 {
		return false
	}
	found := false
	ast.Inspect(r.Body, func(n ast.Node) bool {
		if found {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.SwitchStmt:
			found = n.Tag != nil && c.mentions(n.Tag, elems) && c.casesStartingSteps(n.Body) >= 2
		case *ast.TypeSwitchStmt:
			found = c.mentions(n.Assign, elems) && c.casesStartingSteps(n.Body) >= 2
		}
		return !found
	})
	return found
}

// mentions reports whether n uses one of objs.
func (c *checker) mentions(n ast.Node, objs []types.Object) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			for _, o := range objs {
				if c.pass.TypesInfo.Uses[id] == o {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// casesStartingSteps counts the clauses of a switch body that start a step.
func (c *checker) casesStartingSteps(body *ast.BlockStmt) int {
	count := 0
	for _, clause := range body.List {
		cc, ok := clause.(*ast.CaseClause)
		if !ok {
			continue
		}
		starts := false
		for _, st := range cc.Body {
			ast.Inspect(st, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok && !starts {
					if c.res.Step(call) != nil {
						starts = true
					} else if _, ok := c.res.StartsStepAt(call); ok {
						starts = true
					}
				}
				return !starts
			})
		}
		if starts {
			count++
		}
	}
	return count
}

// dataSized says why loop iterates a number of times that is not a small
// constant ("element of users"), or returns "".
func (c *checker) dataSized(loop ast.Node) string {
	info := c.pass.TypesInfo
	switch l := loop.(type) {
	case *ast.RangeStmt:
		x := ast.Unparen(l.X)
		t := info.TypeOf(x)
		if t == nil {
			return ""
		}
		if tv := info.Types[x]; tv.Value != nil {
			if n, ok := constant.Int64Val(constant.ToInt(tv.Value)); ok && n <= int64(maxIterations) {
				return ""
			}
			if tv.Value.Kind() == constant.String && int64(len(constant.StringVal(tv.Value))) <= int64(maxIterations) {
				return ""
			}
			return fmt.Sprintf("iteration of a range over %s", types.ExprString(x))
		}
		under := t.Underlying()
		if p, ok := under.(*types.Pointer); ok {
			under = p.Elem().Underlying()
		}
		switch u := under.(type) {
		case *types.Array:
			if u.Len() <= int64(maxIterations) {
				return ""
			}
		case *types.Basic:
			if u.Info()&types.IsInteger != 0 {
				return fmt.Sprintf("iteration of a range over %s, which is not a constant", types.ExprString(x))
			}
		}
		if lit, ok := x.(*ast.CompositeLit); ok && len(lit.Elts) <= maxIterations {
			return ""
		}
		return fmt.Sprintf("element of %s, a loop over data of unknown size", types.ExprString(x))
	case *ast.ForStmt:
		if bin, ok := ast.Unparen(l.Cond).(*ast.BinaryExpr); ok {
			for _, side := range []ast.Expr{bin.Y, bin.X} {
				if tv := info.Types[side]; tv.Value != nil {
					if n, ok := constant.Int64Val(constant.ToInt(tv.Value)); ok && n <= int64(maxIterations) && n >= -int64(maxIterations) {
						return ""
					}
				}
			}
		}
		if l.Cond == nil {
			return "iteration of a loop with no condition"
		}
		return fmt.Sprintf("iteration of a loop while %s, which has no small constant bound", types.ExprString(l.Cond))
	}
	return ""
}
