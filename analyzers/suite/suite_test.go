package suite_test

import (
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/durable-go/durable/analyzers/internal/testutil"
	"github.com/durable-go/durable/analyzers/suite"
)

func TestAnalyzersWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range suite.Analyzers() {
		if err := analysis.Validate([]*analysis.Analyzer{a}); err != nil {
			t.Errorf("%s: %v", a.Name, err)
		}
		if seen[a.Name] {
			t.Errorf("duplicate analyzer %s", a.Name)
		}
		seen[a.Name] = true
		if a.URL == "" || !strings.HasPrefix(a.Doc, a.Name+":") && a.Name != "durableignore" {
			t.Errorf("%s: Doc must start with %q and URL must be set (Doc=%.40q URL=%q)", a.Name, a.Name+":", a.Doc, a.URL)
		}
	}
}

// run loads patterns with go/packages from dir (under env) and runs the
// whole suite over them, returning the findings in the root packages.
func run(t *testing.T, dir string, env []string, patterns ...string) []string {
	findings, _ := runCount(t, dir, env, patterns...)
	return findings
}

func runCount(t *testing.T, dir string, env []string, patterns ...string) ([]string, int) {
	t.Helper()
	cfg := &packages.Config{Mode: packages.LoadAllSyntax, Dir: dir, Env: append(os.Environ(), env...), Tests: false}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		t.Fatalf("load %v: %v", patterns, err)
	}
	if n := packages.PrintErrors(pkgs); n > 0 {
		t.Fatalf("%d errors loading %v", n, patterns)
	}
	res, err := checker.Analyze(suite.Analyzers(), pkgs, nil)
	if err != nil {
		t.Fatalf("analyze: %v", err)
	}
	var findings []string
	for _, act := range res.Roots {
		if act.Err != nil {
			t.Errorf("%s: %v", act, act.Err)
			continue
		}
		for _, d := range act.Diagnostics {
			findings = append(findings, position(act.Package.Fset, d.Pos)+": "+act.Analyzer.Name+": "+d.Message)
		}
	}
	return findings, len(res.Roots)
}

func position(fset *token.FileSet, pos token.Pos) string { return fset.Position(pos).String() }

// TestIdiomatic: correct, idiomatic functions covering every step kind of
// both profiles produce no finding.
func TestIdiomatic(t *testing.T) {
	gopath := testutil.GOPATH(t, "testdata")
	findings := run(t, filepath.Join(gopath, "src"), []string{"GOPATH=" + gopath, "GO111MODULE=off", "GOWORK=off"}, "idiomatic")
	for _, f := range findings {
		t.Error(f)
	}
}

// TestExamples: the runnable examples produce no finding.
func TestExamples(t *testing.T) {
	root := filepath.Join("..", "..", "examples")
	hasGo := false
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") {
			hasGo = true
		}
		return nil
	})
	if !hasGo {
		t.Skip("examples/ has no Go code yet")
	}
	for _, f := range run(t, root, nil, "./...") {
		t.Error(f)
	}
}

// TestStdlib: the suite neither panics nor reports anything over a broad
// body of real code, the standard library (with its dependencies analysed
// for facts).
func TestStdlib(t *testing.T) {
	patterns := []string{"std"}
	if testing.Short() {
		patterns = []string{"net/http", "database/sql", "os/exec", "net/smtp", "encoding/json", "go/types", "crypto/tls", "log/slog"}
	}
	findings, roots := runCount(t, ".", nil, patterns...)
	t.Logf("analysed %d root packages", roots)
	if !testing.Short() && roots < 150 {
		t.Errorf("only %d standard library packages analysed; want the whole of std", roots)
	}
	for _, f := range findings {
		t.Error(f)
	}
}
