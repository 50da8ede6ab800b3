package callchain_test

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/durable-go/durable/analyzers/concurrency"
	"github.com/durable-go/durable/analyzers/eventname"
	"github.com/durable-go/durable/analyzers/exprcheck"
	"github.com/durable-go/durable/analyzers/idempotency"
	"github.com/durable-go/durable/analyzers/internal/testutil"
	"github.com/durable-go/durable/analyzers/sideeffect"
)

// BenchmarkRealWorld runs the analyzers that summarise call chains (and
// follow interfaces) over the real-world corpus, dependencies included;
// loading is not timed.
func BenchmarkRealWorld(b *testing.B) {
	gopath := testutil.GOPATH(b, filepath.Join("..", "..", "..", "testdata", "realworld"))
	cfg := &packages.Config{
		Mode: packages.LoadAllSyntax,
		Dir:  filepath.Join(gopath, "src"),
		Env:  append(os.Environ(), "GOPATH="+gopath, "GO111MODULE=off", "GOWORK=off", "GOFLAGS="),
	}
	pkgs, err := packages.Load(cfg, "acme.dev/...")
	if err != nil || packages.PrintErrors(pkgs) > 0 {
		b.Fatalf("load: %v", err)
	}
	as := []*analysis.Analyzer{sideeffect.Analyzer, idempotency.Analyzer, concurrency.Analyzer, eventname.Analyzer, exprcheck.Analyzer}
	b.ResetTimer()
	for b.Loop() {
		if _, err := checker.Analyze(as, pkgs, nil); err != nil {
			b.Fatal(err)
		}
	}
}
