package exprcheck_test

import (
	"os"
	"strings"
	"testing"

	"github.com/durable-go/durable/analyzers/exprcheck"
	"github.com/durable-go/durable/analyzers/internal/testutil"
)

func TestExprcheck(t *testing.T) {
	testutil.Run(t, exprcheck.Analyzer, "expr", "exprcat", "expring", "exprtypes", "exprbuilt", "expringnocat")
}

// TestPointsAtField: a finding about a field starts at that field's name
// inside the string literal, and spans it.
func TestPointsAtField(t *testing.T) {
	results := testutil.Run(t, exprcheck.Analyzer, "expr")
	found := 0
	for _, r := range results {
		for _, d := range r.Diagnostics {
			if !strings.Contains(d.Message, `no field "orderId"`) && !strings.Contains(d.Message, `no field "zip"`) {
				continue
			}
			found++
			f := r.Action.Package.Fset.File(d.Pos)
			src, err := os.ReadFile(f.Name())
			if err != nil {
				t.Fatal(err)
			}
			got := string(src[f.Offset(d.Pos):f.Offset(d.End)])
			if got != "orderId" && got != "zip" {
				t.Errorf("%s: finding spans %q, want the field name", r.Action.Package.Fset.Position(d.Pos), got)
			}
		}
	}
	if found != 2 {
		t.Errorf("found %d findings about orderId and zip, want 2", found)
	}
}
