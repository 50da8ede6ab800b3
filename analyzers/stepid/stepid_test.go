package stepid_test

import (
	"strings"
	"testing"

	"github.com/durable-go/durable/analyzers/internal/testutil"
	"github.com/durable-go/durable/analyzers/stepid"
)

func TestStepID(t *testing.T) {
	testutil.Run(t, stepid.Analyzer, "a", "flows", "ing", "workflows", "pipeline")
}

// TestCategories checks the severity class of each kind of finding: advice
// (a note) for naming, an error for what breaks replay.
func TestCategories(t *testing.T) {
	results := testutil.Run(t, stepid.Analyzer, "a", "pipeline", "workflows")
	tests := []struct {
		contains, category string
	}{
		{"is generic", "advice"},
		{"an element of the list this loop ranges over", "advice"},
		{"is already used in this function", ""},
		{"differs when the run is replayed", ""},
	}
	for _, tt := range tests {
		seen := 0
		for _, r := range results {
			for _, d := range r.Diagnostics {
				if !strings.Contains(d.Message, tt.contains) {
					continue
				}
				seen++
				if d.Category != tt.category {
					t.Errorf("%q: category %q, want %q", d.Message, d.Category, tt.category)
				}
			}
		}
		if seen == 0 {
			t.Errorf("no finding contains %q", tt.contains)
		}
	}
}
