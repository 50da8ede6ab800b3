package suite_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/durable-go/durable/analyzers/suite"
)

func TestRulesMatchAnalyzers(t *testing.T) {
	rules, analyzers := suite.Rules(), suite.Analyzers()
	if len(rules) != len(analyzers) {
		t.Fatalf("%d rules, %d analyzers", len(rules), len(analyzers))
	}
	for i, r := range rules {
		if r.Analyzer != analyzers[i] {
			t.Errorf("rule %d is %s, analyzer %d is %s: want one order, one analyzer value", i, r.Analyzer.Name, i, analyzers[i].Name)
		}
		switch r.Severity {
		case suite.SeverityError, suite.SeverityWarning, suite.SeverityNote:
		default:
			t.Errorf("%s: severity %q", r.Analyzer.Name, r.Severity)
		}
		if r.Category == "" || r.Since == "" {
			t.Errorf("%s: category %q, since %q: both are required", r.Analyzer.Name, r.Category, r.Since)
		}
		got, ok := suite.Lookup(r.Analyzer.Name)
		if !ok || got != r {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v", r.Analyzer.Name, got, ok, r)
		}
	}
	if last := rules[len(rules)-1].Analyzer.Name; last != "durableignore" {
		t.Errorf("last rule is %s, want durableignore", last)
	}
	if _, ok := suite.Lookup("nosuchanalyzer"); ok {
		t.Error("Lookup found an analyzer that does not exist")
	}
}

func TestSeverityOf(t *testing.T) {
	for _, tc := range []struct {
		analyzer, category string
		want               suite.Severity
	}{
		{"sideeffect", "", suite.SeverityError},
		{"sideeffect", "advice", suite.SeverityNote},
		{"sideeffect", "ignore", suite.SeverityWarning},
		{"idempotency", "", suite.SeverityWarning},
		{"steploop", "", suite.SeverityNote},
		{"durableignore", "", suite.SeverityWarning},
	} {
		r, ok := suite.Lookup(tc.analyzer)
		if !ok {
			t.Fatalf("no rule %s", tc.analyzer)
		}
		if got := r.SeverityOf(tc.category); got != tc.want {
			t.Errorf("%s.SeverityOf(%q) = %s, want %s", tc.analyzer, tc.category, got, tc.want)
		}
	}
}

// TestNoteSeverities: an analyzer defaults to note exactly when every
// finding its code reports is marked as advice, read from its source: each
// analysis.Diagnostic literal and Reportf call of its package.
func TestNoteSeverities(t *testing.T) {
	for _, r := range suite.Rules() {
		src, _ := docSource(t, r)
		dir := filepath.Join(moduleRoot, filepath.Dir(src))
		advice, other := reportKinds(t, dir)
		if advice+other == 0 {
			t.Errorf("%s: found no analysis.Diagnostic literal or Reportf call in %s", r.Analyzer.Name, dir)
			continue
		}
		adviceOnly := other == 0
		if adviceOnly != (r.Severity == suite.SeverityNote) {
			t.Errorf("%s: default severity %s, but %d of its %d reports are advice: an analyzer defaults to note exactly when all are",
				r.Analyzer.Name, r.Severity, advice, advice+other)
		}
	}
}

// reportKinds counts the reports in the non-test Go files of dir whose
// Category is the literal "advice", and the others.
func reportKinds(t *testing.T, dir string) (advice, other int) {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				if sel, ok := n.Type.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Diagnostic" {
					return true
				}
				if isAdvice(n) {
					advice++
				} else {
					other++
				}
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Reportf" {
					other++
				}
			}
			return true
		})
	}
	return advice, other
}

func isAdvice(lit *ast.CompositeLit) bool {
	for _, e := range lit.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Category" {
			v, ok := kv.Value.(*ast.BasicLit)
			return ok && v.Value == `"`+suite.DiagnosticCategoryAdvice+`"`
		}
	}
	return false
}
