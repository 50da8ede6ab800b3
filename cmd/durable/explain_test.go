package main

import (
	"strings"
	"testing"

	"github.com/durable-go/durable/analyzers/suite"
)

// TestExplainRule: explain prints every analyzer's full documentation (more
// than its summary) and the metadata of its rule.
func TestExplainRule(t *testing.T) {
	for _, r := range suite.Rules() {
		t.Run(r.Analyzer.Name, func(t *testing.T) {
			code, out, errs := runIn(t, ".", "explain", r.Analyzer.Name)
			if code != 0 {
				t.Fatalf("code %d: %s", code, errs)
			}
			doc, meta, ok := strings.Cut(out, "\n# Rule\n")
			if !ok {
				t.Fatalf("no # Rule section:\n%s", out)
			}
			if _, body, _ := strings.Cut(strings.TrimSpace(doc), "\n\n"); strings.TrimSpace(body) == "" {
				t.Errorf("explain %s prints only a summary; its doc.go must say what it reports, why it matters and how to fix it", r.Analyzer.Name)
			}
			for _, want := range []string{
				"default severity  " + string(r.Severity) + "\n",
				"category          " + r.Category + "\n",
				"since             " + r.Since + "\n",
				"Documentation: " + r.Analyzer.URL + "\n",
			} {
				if !strings.Contains(meta, want) {
					t.Errorf("explain %s lacks %q:\n%s", r.Analyzer.Name, want, meta)
				}
			}
		})
	}
}

func TestExplainFlagDefaults(t *testing.T) {
	for _, tc := range []struct{ analyzer, want string }{
		{"steploop", "max-iterations (default 20): durable lint -steploop.max-iterations"},
		{"cronspec", "min-interval (default 1m0s)"},
		{"idempotency", "  calls: durable lint -idempotency.calls"}, // no default to show
	} {
		code, out, _ := runIn(t, ".", "explain", tc.analyzer)
		if code != 0 || !strings.Contains(out, tc.want) {
			t.Errorf("explain %s: code %d, want %q in\n%s", tc.analyzer, code, tc.want, out)
		}
	}
}
