package registry

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/durable-go/durable/analyzers/unregistered"
	"github.com/durable-go/durable/internal/pkgload"
)

// The definitions both the registry scan and the unregistered analyzer
// classify, one package each. want lists what both must see: "id=Var" for
// a function the registry lists, "id=var (unexported)" for one it skips,
// "?=Var" for one whose ID is not constant (an error for the scan, an
// empty ID for the analyzer). Every package has h, a handler, and trig, a
// trigger (see agreeCommon).
var agreeCases = []struct {
	name  string
	files map[string]string // file name -> source after the package clause
	want  []string
}{
	{"plain", map[string]string{"a.go": `
import "github.com/durable-go/durable/runtime"
var Plain = runtime.NewFunction(runtime.FunctionOpts{ID: "plain"}, trig, h)
`}, []string{"plain=Plain"}},
	{"aliased", map[string]string{"a.go": `
import rt "github.com/durable-go/durable/runtime"
var Aliased = rt.NewFunction(rt.FunctionOpts{ID: "aliased"}, trig, h)
`}, []string{"aliased=Aliased"}},
	{"dotted", map[string]string{"a.go": `
import . "github.com/durable-go/durable/runtime"
var Dotted = NewFunction(FunctionOpts{ID: "dotted"}, trig, h)
`}, []string{"dotted=Dotted"}},
	{"generic", map[string]string{"a.go": `
import "github.com/durable-go/durable/runtime"
var Generic = runtime.NewFunction[map[string]any](runtime.FunctionOpts{ID: "generic"}, trig, h)
`}, []string{"generic=Generic"}},
	{"grouped", map[string]string{"a.go": `
import "github.com/durable-go/durable/runtime"
var (
	First, Second = runtime.NewFunction(runtime.FunctionOpts{ID: "first"}, trig, h), runtime.NewFunction(runtime.FunctionOpts{ID: "second"}, trig, h)
	Paren         = (runtime.NewFunction(runtime.FunctionOpts{ID: "paren"}, trig, h))
)
`}, []string{"first=First", "paren=Paren", "second=Second"}},
	{"constants", map[string]string{
		"a.go": `
import (
	"github.com/durable-go/durable/runtime"
	"example.com/agree/ids/v2"
	. "example.com/agree/dotids"
)
var (
	SameFile   = runtime.NewFunction(runtime.FunctionOpts{ID: local + "-file"}, trig, h)
	OtherFile  = runtime.NewFunction(runtime.FunctionOpts{ID: fromOtherFile}, trig, h)
	OtherPkg   = runtime.NewFunction(runtime.FunctionOpts{ID: ids.Prefix + "pkg"}, trig, h)
	Converted  = runtime.NewFunction(runtime.FunctionOpts{ID: string(ids.Name("converted"))}, trig, h)
	Typed      = runtime.NewFunction(runtime.FunctionOpts{ID: string(ids.Typed)}, trig, h)
	DotConst   = runtime.NewFunction(runtime.FunctionOpts{ID: DotID}, trig, h)
	NotAConst  = runtime.NewFunction(runtime.FunctionOpts{ID: lower("X")}, trig, h)
	FromVar    = runtime.NewFunction(runtime.FunctionOpts{ID: variable}, trig, h)
	FromOpts   = runtime.NewFunction(opts, trig, h)
)
var opts = runtime.FunctionOpts{ID: "opts"}
const local = "same"
var variable = "v"
func lower(s string) string { return s }
`,
		"b.go": `
const fromOtherFile = "other-file"
`,
	}, []string{"?=FromOpts", "?=FromVar", "?=NotAConst", "converted=Converted", "dot-id=DotConst", "ids-pkg=OtherPkg", "other-file=OtherFile", "same-file=SameFile", "typed=Typed"}},
	{"infunc", map[string]string{"a.go": `
import "github.com/durable-go/durable/runtime"
var (
	Late    *runtime.Function
	Shadow  *runtime.Function
	later   *runtime.Function
)
func init() {
	Late = runtime.NewFunction(runtime.FunctionOpts{ID: "late"}, trig, h)
	later = runtime.NewFunction(runtime.FunctionOpts{ID: "later"}, trig, h)
	local := runtime.NewFunction(runtime.FunctionOpts{ID: "local"}, trig, h)
	var declared = runtime.NewFunction(runtime.FunctionOpts{ID: "declared"}, trig, h)
	_, _ = local, declared
}
func Setup(s bool) {
	var Shadow *runtime.Function
	Shadow = runtime.NewFunction(runtime.FunctionOpts{ID: "shadow"}, trig, h)
	_ = Shadow
}
`}, []string{"late=Late", "later=later (unexported)"}},
	{"helpers", map[string]string{"a.go": `
import "github.com/durable-go/durable/runtime"
func define(id string) *runtime.Function {
	return runtime.NewFunction(runtime.FunctionOpts{ID: id}, trig, h)
}
var Wrapped = define("wrapped")
var All = []*runtime.Function{runtime.NewFunction(runtime.FunctionOpts{ID: "in-slice"}, trig, h)}
var hidden = runtime.NewFunction(runtime.FunctionOpts{ID: "hidden"}, trig, h)
`}, []string{"hidden=hidden (unexported)"}},
	{"discards", map[string]string{"a.go": `
import "github.com/durable-go/durable/runtime"
var _ = runtime.NewFunction(runtime.FunctionOpts{ID: "blank"}, trig, h)
func init() {
	_ = runtime.NewFunction(runtime.FunctionOpts{ID: "blank-in-func"}, trig, h)
	runtime.NewFunction(runtime.FunctionOpts{ID: "dropped"}, trig, h)
}
`}, nil},
	{"inngest", map[string]string{"a.go": `
import (
	"context"

	"github.com/inngest/inngestgo"
)
var client, _ = inngestgo.NewClient(inngestgo.ClientOpts{AppID: "app"})
var Ing, IngErr = inngestgo.CreateFunction(client, inngestgo.FunctionOpts{ID: "ing"}, inngestgo.EventTrigger("a/b.c", nil),
	func(ctx context.Context, in inngestgo.Input[map[string]any]) (any, error) { return nil, nil })
`}, nil},
}

// agreeCommon is a file of every case's package: a handler and a trigger.
const agreeCommon = `
import (
	"context"

	"github.com/durable-go/durable/runtime"
)

var trig = runtime.EventTrigger("a/b.c", "")

func h(ctx context.Context, in runtime.Input[map[string]any]) (any, error) { return nil, nil }
`

// TestScanAgreesWithAnalyzer writes one package per case into a module that
// uses the analyzers' stubs of the runtime and the Inngest SDK (which a test
// keeps true to the real runtime), scans it, runs the unregistered analyzer
// over it, and checks that both see the definitions each case expects.
func TestScanAgreesWithAnalyzer(t *testing.T) {
	dir := t.TempDir()
	stubs := filepath.Join("..", "..", "..", "analyzers", "internal", "testdata", "src", "github.com")
	write := func(name, data string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, stub := range []struct{ mod, dir string }{
		{"github.com/durable-go/durable", "durable-go/durable"},
		{"github.com/inngest/inngestgo", "inngest/inngestgo"},
	} {
		if err := os.CopyFS(filepath.Join(dir, "stubs", stub.dir), os.DirFS(filepath.Join(stubs, stub.dir))); err != nil {
			t.Fatal(err)
		}
		write("stubs/"+stub.dir+"/go.mod", "module "+stub.mod+"\n\ngo 1.26\n")
	}
	write("app/go.mod", `module example.com/agree

go 1.26

require (
	github.com/durable-go/durable v0.0.0
	github.com/inngest/inngestgo v0.0.0
)

replace github.com/durable-go/durable => ../stubs/durable-go/durable

replace github.com/inngest/inngestgo => ../stubs/inngest/inngestgo
`)
	write("app/ids/v2/ids.go", "package ids\n\nconst Prefix = \"ids-\"\n\ntype Name string\n\nconst Typed Name = \"typed\"\n")
	write("app/dotids/dotids.go", "package dotids\n\nconst DotID = \"dot-id\"\n")
	for _, c := range agreeCases {
		write("app/"+c.name+"/common.go", "package "+c.name+"\n"+agreeCommon)
		for name, src := range c.files {
			write("app/"+c.name+"/"+name, "package "+c.name+"\n"+src)
		}
	}
	app := filepath.Join(dir, "app")
	env := append(os.Environ(), "GOPROXY=off", "GOWORK=off")

	// What the registry scan sees.
	res, err := Scan(context.Background(), app, Options{Env: env})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range res.Warnings {
		if strings.Contains(w.Msg, "may be missing") {
			t.Fatalf("the fixture does not build: %s", w)
		}
	}
	scanned := map[string][]string{}
	add := func(fns []Function, format string) {
		for _, f := range fns {
			scanned[f.PkgName] = append(scanned[f.PkgName], fmt.Sprintf(format, f.ID, f.Var))
		}
	}
	add(res.Functions, "%s=%s")
	add(res.Unreadable, "?%s=%s")
	for _, f := range res.Skipped {
		scanned[f.PkgName] = append(scanned[f.PkgName], f.ID+"="+f.Var+" (unexported)")
	}

	// What the unregistered analyzer sees (its package fact is what its
	// stale-registry check compares a generated registry with).
	// The fixture and the stubs import only the standard library.
	pkgs, err := pkgload.Own(&packages.Config{Dir: app, Env: env}, dir, "./...")
	if err != nil {
		t.Fatal(err)
	}
	if packages.PrintErrors(pkgs) > 0 {
		t.Fatal("the fixture does not type-check")
	}
	graph, err := checker.Analyze([]*analysis.Analyzer{unregistered.Analyzer}, pkgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	analysed := map[string][]string{}
	for _, act := range graph.Roots {
		var prog unregistered.Program
		if act.Err != nil {
			t.Fatalf("%s: %v", act, act.Err)
		}
		if !act.PackageFact(act.Package.Types, &prog) {
			continue
		}
		for _, d := range prog.Defined {
			pkgPath, name := d.Var[:strings.LastIndexByte(d.Var, '.')], d.Var[strings.LastIndexByte(d.Var, '.')+1:]
			if pkgPath != act.Package.PkgPath {
				continue // defined in an import
			}
			id := d.ID
			if id == "" {
				id = "?"
			}
			s := id + "=" + name
			if !d.Exported {
				s += " (unexported)"
			}
			analysed[act.Package.Name] = append(analysed[act.Package.Name], s)
		}
	}

	for _, c := range agreeCases {
		t.Run(c.name, func(t *testing.T) {
			s, a := scanned[c.name], analysed[c.name]
			slices.Sort(s)
			slices.Sort(a)
			if !slices.Equal(s, c.want) {
				t.Errorf("registry scan sees %q, want %q", s, c.want)
			}
			if !slices.Equal(a, c.want) {
				t.Errorf("unregistered analyzer sees %q, want %q", a, c.want)
			}
		})
	}
}
