package ignore_test

import (
	"go/ast"
	"testing"

	"golang.org/x/tools/go/analysis"

	"github.com/durable-go/durable/analyzers/internal/ignore"
	"github.com/durable-go/durable/analyzers/internal/testutil"
)

// toy flags every call to a function named bad.
var toy = &analysis.Analyzer{
	Name: "toy",
	Doc:  "flag calls to bad (test only)",
	Run: func(pass *analysis.Pass) (any, error) {
		ig := ignore.New(pass, "toy")
		for _, f := range pass.Files {
			ast.Inspect(f, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "bad" {
						ig.Reportf(call.Pos(), "call to bad")
					}
				}
				return true
			})
		}
		ig.Finish()
		return nil, nil
	},
}

func TestIgnore(t *testing.T) {
	testutil.Run(t, toy, "ig")
}

func TestUnknownAnalyzer(t *testing.T) {
	a := ignore.UnknownAnalyzer([]string{"toy"})
	testutil.Run(t, a, "unknown")
}
