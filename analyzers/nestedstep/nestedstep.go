package nestedstep

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"

	"github.com/durable-go/durable/analyzers/internal/callchain"
	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/ignore"
)

//go:embed doc.go
var doc string

// Analyzer reports steps started inside another step's callback.
var Analyzer = &analysis.Analyzer{
	Name:     "nestedstep",
	Doc:      durable.ExtractDoc(doc, "nestedstep"),
	URL:      durable.DocURL("nestedstep"),
	Requires: []*analysis.Analyzer{durable.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	if !res.Relevant || len(res.Steps) == 0 {
		return nil, nil
	}
	ig := ignore.New(pass, "nestedstep")
	for _, s := range res.Steps {
		if s.Kind != durable.Run {
			continue
		}
		outer := label(pass, s)
		if s.CallbackLit == nil {
			// A named callback: does it start steps?
			fn := durable.FuncOf(pass.TypesInfo, s.Callback)
			if _, isCall := ast.Unparen(s.Callback).(*ast.CallExpr); isCall {
				fn = nil // a callback built by a call: its body is not known
			}
			if c, ok := res.StartsStep(fn); ok {
				c = c.Prepend(callchain.HopAt(pass.Fset, s.Callback.Pos(), callchain.FuncName(fn)))
				ig.Report(analysis.Diagnostic{Pos: s.Callback.Pos(), End: s.Callback.End(), Related: c.Related(pass.Fset),
					Message: fmt.Sprintf("the callback of %s starts %s via %s: steps cannot nest; start it in the function body instead", outer, c.Last(), c)})
			}
			continue
		}
		ast.Inspect(s.CallbackLit.Body, func(n ast.Node) bool {
			if lit, ok := n.(*ast.FuncLit); ok && (res.IsStepCallback(lit) || res.BodyOf(lit) != nil) {
				return false // nested callbacks report their own steps
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if inner := res.Step(call); inner != nil {
				ig.Report(analysis.Diagnostic{Pos: call.Pos(), End: call.End(),
					Related: []analysis.RelatedInformation{{Pos: s.Call.Pos(), Message: "outer step " + outer}},
					Message: fmt.Sprintf("%s is started inside the callback of %s: steps cannot nest; start it in the function body instead",
						label(pass, inner), outer)})
				return inner.Kind != durable.Run // its own callback is checked as an outer step
			}
			if c, ok := res.StartsStepAt(call); ok {
				ig.Report(analysis.Diagnostic{Pos: call.Pos(), End: call.End(), Related: c.Related(pass.Fset),
					Message: fmt.Sprintf("%s is started inside the callback of %s via %s: steps cannot nest; start it in the function body instead",
						c.Last(), outer, c)})
				return false
			}
			return true
		})
	}
	ig.Finish()
	return nil, nil
}

// label is the step's name and ID: `step.Run "charge"`.
func label(pass *analysis.Pass, s *durable.StepCall) string {
	if s.ID == nil {
		return s.Name()
	}
	if tv, ok := pass.TypesInfo.Types[s.ID]; ok && tv.Value != nil {
		return s.Name() + " " + tv.Value.ExactString()
	}
	return s.Name() + " " + types.ExprString(s.ID)
}
