package stepcapture_test

import (
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/stepcapture"
)

// BenchmarkIrrelevant measures stepcapture on packages that import no
// durable API (this module's codegen and its dependencies), where it only
// computes which pointer parameters functions write through, against
// durable.Analyzer alone, which every durable analyzer requires anyway.
func BenchmarkIrrelevant(b *testing.B) {
	cfg := &packages.Config{Mode: packages.LoadAllSyntax, Dir: "../.."}
	pkgs, err := packages.Load(cfg, "./codegen/...")
	if err != nil || packages.PrintErrors(pkgs) > 0 {
		b.Fatalf("loading: %v", err)
	}
	for _, bc := range []struct {
		name string
		a    *analysis.Analyzer
	}{
		{"durablefuncs", durable.Analyzer},
		{"stepcapture", stepcapture.Analyzer},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := checker.Analyze([]*analysis.Analyzer{bc.a}, pkgs, &checker.Options{Sequential: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
