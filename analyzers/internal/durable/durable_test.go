package durable_test

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"

	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/testutil"
)

// reporter turns what durable.Analyzer finds into diagnostics, so that the
// fixtures can state it with // want comments.
var reporter = &analysis.Analyzer{
	Name:     "durablereport",
	Doc:      "report what durable.Analyzer finds (test only)",
	Requires: []*analysis.Analyzer{durable.Analyzer},
	Run: func(pass *analysis.Pass) (any, error) {
		res := pass.ResultOf[durable.Analyzer].(*durable.Result)
		if !res.Relevant {
			if len(res.Bodies)+len(res.Definitions)+len(res.Steps) != 0 {
				return nil, fmt.Errorf("irrelevant package with findings")
			}
			return nil, nil
		}
		for _, b := range res.Bodies {
			pass.Reportf(b.Node.Pos(), "body %s", b.Name)
		}
		for _, d := range res.Definitions {
			handler := "<literal>"
			if d.HandlerFunc != nil {
				handler = durable.FuncDisplayName(d.HandlerFunc)
			}
			v := "_"
			if d.Var != nil {
				v = d.Var.Name()
			}
			body := "no"
			if d.Body != nil {
				body = "yes"
			}
			pass.Reportf(d.Call.Pos(), "definition %q var=%s handler=%s body=%s", d.ID, v, handler, body)
		}
		for _, s := range res.Steps {
			var b strings.Builder
			fmt.Fprintf(&b, "step %s", s.Name())
			if s.ID != nil {
				if tv := pass.TypesInfo.Types[s.ID]; tv.Value != nil {
					fmt.Fprintf(&b, " id=%s", tv.Value)
				}
			}
			if s.Body != nil {
				fmt.Fprintf(&b, " body=%s", s.Body.Name)
			}
			if s.Parent != nil {
				fmt.Fprintf(&b, " parent=%s", pass.TypesInfo.Types[s.Parent.ID].Value)
			}
			if len(s.Branches) > 0 {
				fmt.Fprintf(&b, " branches=%d", len(s.Branches))
			}
			if s.Opts != nil {
				b.WriteString(" opts")
			}
			pass.Reportf(s.Call.Pos(), "%s", b.String())
		}
		// StartsStepAt agrees with the facts for calls in bodies.
		for _, b := range res.Bodies {
			ast.Inspect(b.Block, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				fn := durable.Callee(pass.TypesInfo, call)
				if fn != nil && fn.Name() == "Charge" {
					if c, ok := res.StartsStepAt(call); !ok || c.String() != "helpers.Charge → step.Run" {
						pass.Reportf(call.Pos(), "StartsStepAt = %v, %v", c, ok)
					}
				}
				return true
			})
		}
		// Step-starting functions, from the facts.
		for _, f := range pass.Files {
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok {
					if fn, _ := pass.TypesInfo.Defs[fd.Name].(*types.Func); fn != nil {
						if c, ok := res.StartsStep(fn); ok {
							pass.Reportf(fd.Pos(), "startsStep(%s)", c)
						}
					}
				}
			}
		}
		return nil, nil
	},
}

func TestAnalyzer(t *testing.T) {
	testutil.Run(t, reporter, "helpers", "bodies", "plain", "indirect", "registry", "registryuse")
}

func TestDefinesFunctions(t *testing.T) {
	// Registration helpers carry DefinesFunctions (want Every:"..."); a
	// helper that only calls its closure does not.
	testutil.Run(t, durable.Analyzer, "definers")
}

func TestFacts(t *testing.T) {
	// durable.Analyzer reports nothing itself; its facts are what it leaves.
	res := testutil.Run(t, durable.Analyzer, "plain")
	for _, r := range res {
		if len(r.Facts) != 0 {
			t.Errorf("package plain got facts %v; the fast path must leave it alone", r.Facts)
		}
	}
}
