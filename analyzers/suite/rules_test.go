package suite_test

import (
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
