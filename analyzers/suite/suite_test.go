package suite_test

import (
	"go/constant"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/testutil"
	"github.com/durable-go/durable/analyzers/suite"
	"github.com/durable-go/durable/analyzers/unregistered"
	"github.com/durable-go/durable/internal/pkgload"
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

// analyze loads patterns with go/packages from dir (under env) and runs
// the whole suite over them.
func analyze(t *testing.T, dir string, env []string, patterns ...string) *checker.Graph {
	t.Helper()
	cfg := &packages.Config{Mode: packages.LoadAllSyntax, Dir: dir, Env: append(os.Environ(), env...)}
	pkgs, err := packages.Load(cfg, patterns...)
	return analyzeLoaded(t, pkgs, err, patterns)
}

// analyzeOwnCode is analyze with the function bodies of everything outside
// dir left out (pkgload.Own): for code that calls no third-party package.
func analyzeOwnCode(t *testing.T, dir string, env []string, patterns ...string) *checker.Graph {
	t.Helper()
	pkgs, err := pkgload.Own(&packages.Config{Dir: dir, Env: append(os.Environ(), env...)}, dir, patterns...)
	return analyzeLoaded(t, pkgs, err, patterns)
}

func analyzeLoaded(t *testing.T, pkgs []*packages.Package, err error, patterns []string) *checker.Graph {
	t.Helper()
	if err != nil {
		t.Fatalf("load %v: %v", patterns, err)
	}
	if n := packages.PrintErrors(pkgs); n > 0 {
		t.Fatalf("%d errors loading %v", n, patterns)
	}
	// durable.Analyzer reports nothing; as a root its Result is kept, for
	// tests to read what the suite saw.
	graph, err := checker.Analyze(append(suite.Analyzers(), durable.Analyzer), pkgs, nil)
	if err != nil {
		t.Fatalf("analyze: %v", err)
	}
	return graph
}

// findings are the diagnostics of the root packages.
func findings(t *testing.T, graph *checker.Graph) []string {
	t.Helper()
	var out []string
	for _, act := range graph.Roots {
		if act.Err != nil {
			t.Errorf("%s: %v", act, act.Err)
			continue
		}
		for _, d := range act.Diagnostics {
			out = append(out, position(act.Package.Fset, d.Pos)+": "+act.Analyzer.Name+": "+d.Message)
		}
	}
	return out
}

func position(fset *token.FileSet, pos token.Pos) string { return fset.Position(pos).String() }

// TestIdiomatic: correct, idiomatic functions covering every step kind of
// both profiles produce no finding.
func TestIdiomatic(t *testing.T) {
	t.Parallel()
	gopath := testutil.GOPATH(t, "testdata")
	graph := analyze(t, filepath.Join(gopath, "src"), []string{"GOPATH=" + gopath, "GO111MODULE=off", "GOWORK=off"}, "idiomatic")
	for _, f := range findings(t, graph) {
		t.Error(f)
	}
}

// TestExamples: the analyzers see the example app's durable functions,
// their steps and their registration through the generated registry, and
// find nothing wrong with it.
func TestExamples(t *testing.T) {
	t.Parallel()
	// The examples import only the standard library and this module.
	graph := analyzeOwnCode(t, filepath.Join("..", ".."), nil, "./examples/...")
	for _, f := range findings(t, graph) {
		t.Error(f)
	}

	const orders = "github.com/durable-go/durable/examples/shop/orders"
	// Each body (named by its function's ID) with its steps in source order.
	wantSteps := map[string][]string{
		`"process-order"`: {
			`step.Run "reserve-stock"`, `step.WaitForEvent "await-payment"`, `step.Run "release-stock"`,
			`step.Sleep "fraud-window"`, `step.Run "ship"`, `step.SendEvent "announce-shipment"`,
		},
		`"send-shipping-email"`: {`step.Run "send-email"`},
		`"alert-on-failure"`:    {`step.Run "page-on-call"`},
	}
	wantDefs := []string{
		"alert-on-failure=" + orders + ".AlertOnFailure",
		"process-order=" + orders + ".ProcessOrder",
		"send-shipping-email=" + orders + ".SendShippingEmail",
	}
	gotSteps := map[string][]string{}
	var gotDefs []string
	var registered []string
	for act := range graph.All() {
		if !act.IsRoot {
			continue
		}
		switch act.Analyzer {
		case durable.Analyzer:
			if act.Package.PkgPath != orders {
				continue
			}
			res := act.Result.(*durable.Result)
			for _, b := range res.Bodies {
				gotSteps[b.Name] = []string{}
				for _, s := range b.Steps {
					id := act.Package.TypesInfo.Types[s.ID].Value
					if id == nil || id.Kind() != constant.String {
						t.Errorf("%s: step %s has no constant ID", b.Name, s.Name())
						continue
					}
					gotSteps[b.Name] = append(gotSteps[b.Name], s.Name()+" "+id.ExactString())
				}
			}
			for _, d := range res.Definitions {
				v := "<none>"
				if d.Var != nil {
					v = d.Var.Pkg().Path() + "." + d.Var.Name()
				}
				gotDefs = append(gotDefs, d.ID+"="+v)
			}
		case unregistered.Analyzer:
			var f unregistered.Program
			if act.Package.Name == "registry" && act.PackageFact(act.Package.Types, &f) {
				registered = append(registered, f.Registered...)
			}
		}
	}
	if !reflect.DeepEqual(gotSteps, wantSteps) {
		t.Errorf("bodies and steps in %s:\n got %v\nwant %v", orders, gotSteps, wantSteps)
	}
	slices.Sort(gotDefs)
	if !slices.Equal(gotDefs, wantDefs) {
		t.Errorf("definitions in %s:\n got %v\nwant %v", orders, gotDefs, wantDefs)
	}
	wantRegistered := []string{orders + ".AlertOnFailure", orders + ".ProcessOrder", orders + ".SendShippingEmail"}
	if !slices.Equal(registered, wantRegistered) {
		t.Errorf("the generated registry registers %v, want %v", registered, wantRegistered)
	}
}

// slowTestsEnv asks for the tests that walk large bodies of code (the whole
// standard library: about 0.8 GB and many times the CPU under -race);
// .ci/run sets it. Without it they skip, with it they must run.
const slowTestsEnv = "DURABLE_SLOW_TESTS"

// TestStdlib: the suite neither panics nor reports anything over a broad
// body of real code, the whole standard library (with its dependencies
// analysed for facts).
func TestStdlib(t *testing.T) {
	if os.Getenv(slowTestsEnv) == "" {
		t.Skipf("analyses the whole standard library; set %s=1 to run it", slowTestsEnv)
	}
	graph := analyze(t, ".", nil, "std")
	roots := map[*packages.Package]bool{}
	for _, act := range graph.Roots {
		roots[act.Package] = true
	}
	t.Logf("analysed %d root packages", len(roots))
	if len(roots) < 150 {
		t.Errorf("only %d standard library packages analysed; want the whole of std", len(roots))
	}
	for _, f := range findings(t, graph) {
		t.Error(f)
	}
}
