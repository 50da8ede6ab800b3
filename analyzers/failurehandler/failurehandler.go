package failurehandler

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/types"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/internal/callchain"
	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/effects"
	"github.com/durable-go/durable/analyzers/internal/ignore"
	"github.com/durable-go/durable/analyzers/internal/vendors"
)

//go:embed doc.go
var doc string

const name = "failurehandler"

// Analyzer reports programs with durable functions and no failure handler.
var Analyzer = &analysis.Analyzer{
	Name:      name,
	Doc:       durable.ExtractDoc(doc, name),
	URL:       durable.DocURL(name),
	Requires:  []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	FactTypes: []analysis.Fact{(*Program)(nil), (*Irreversible)(nil), (*irreversibleHelpers)(nil)},
	Run:       run,
}

// Program is the package fact describing the durable functions defined and
// the engines started in a package and in every package it imports, at any
// depth. It is cumulative because go vet gives a package the package facts
// of its direct imports only: main reads its direct imports' Program facts
// and sees the whole program, whichever driver runs it.
type Program struct {
	// Funcs are the durable functions, sorted by Key (a set: a package
	// imported along two paths counts once).
	Funcs []Func
	// Engines are the import paths of the packages that start an engine
	// (runtime.New) or an Inngest client (inngestgo.NewClient), sorted.
	Engines []string
}

// Func is one durable function definition.
type Func struct {
	// Key identifies the definition in the program: "path.Var" for a
	// package-level variable, else "path file.go:line:col".
	Key string
	// Name is the function ID when constant, else the Go expression.
	Name    string
	Profile durable.Profile
	// OnFailure is set when the options give a non-nil OnFailure handler.
	OnFailure bool
	// HandlesFailure is set when the function is triggered by its
	// profile's failure event.
	HandlesFailure bool
	// Effect is the call chain through which the function reaches an
	// irreversible effect ("mailer.Send → smtp.SendMail"), or "";
	// EffectCategory says what the effect is ("email", "payment").
	Effect, EffectCategory string
}

func (*Program) AFact() {}
func (p *Program) String() string {
	var names, handlers, irreversible []string
	onFailure := 0
	for _, f := range p.Funcs {
		names = append(names, f.Name)
		if f.OnFailure {
			onFailure++
		}
		if f.HandlesFailure {
			handlers = append(handlers, f.Name)
		}
		if f.Effect != "" {
			irreversible = append(irreversible, f.Name)
		}
	}
	return fmt.Sprintf("program(functions=%v onFailure=%d handlers=%v irreversible=%v engines=%v)", names, onFailure, handlers, irreversible, p.Engines)
}

// Irreversible is the fact that a function reaches an irreversible effect
// (see irreversible) of the given category through the calls of Chain,
// inside steps or not.
type Irreversible struct {
	Category vendors.Category
	Chain    callchain.Chain
}

func (*Irreversible) AFact()           {}
func (f *Irreversible) String() string { return "irreversible(" + f.Chain.String() + ")" }

// irreversibleHelpers marks packages with Irreversible facts, so that a
// package importing none of them (nor an effect package) is not summarised.
type irreversibleHelpers struct{ N int }

func (*irreversibleHelpers) AFact()         {}
func (*irreversibleHelpers) String() string { return "irreversibleHelpers" }

// Names of the failure events of each profile.
const (
	DurableFailed = "durable/function.failed"
	InngestFailed = "inngest/function.failed"
)

func failureEvent(p durable.Profile) string {
	if p == durable.Inngest {
		return InngestFailed
	}
	return DurableFailed
}

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	if durable.ProfileOfPackage(pass.Pkg.Path()) != durable.None {
		return nil, nil
	}
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	// Nothing imports a main package: its facts would be read by no one.
	isMain := pass.Pkg.Name() == "main"
	irr := summarizeIrreversible(pass, insp, !isMain)

	// The program below this package: the union of the direct imports' facts.
	funcs := map[string]Func{}
	engines := map[string]bool{}
	for _, imp := range pass.Pkg.Imports() {
		var p Program
		if pass.ImportPackageFact(imp, &p) {
			for _, f := range p.Funcs {
				funcs[f.Key] = f
			}
			for _, e := range p.Engines {
				engines[e] = true
			}
		}
	}
	if !res.Relevant && len(funcs) == 0 && len(engines) == 0 {
		return nil, nil // fast path: no durable function in sight
	}

	info := pass.TypesInfo
	for _, d := range res.Definitions {
		v := res.PackageVar(d)
		f := Func{Key: definitionKey(pass, d, v), Name: d.ID, Profile: d.Profile, HandlesFailure: triggersOnFailure(info, d.Trigger, failureEvent(d.Profile))}
		if f.Name == "" {
			f.Name = types.ExprString(d.Call.Fun)
			if v != nil {
				f.Name = v.Name()
			}
		}
		if v := d.Field("OnFailure"); v != nil {
			if tv, ok := info.Types[v]; !ok || !tv.IsNil() {
				f.OnFailure = true
			}
		}
		if c, ok := definitionEffect(pass, irr, d); ok {
			f.Effect, f.EffectCategory = c.String(), string(irr.categories[c.Last()])
		}
		funcs[f.Key] = f
	}
	if res.Relevant {
		for cur := range insp.Root().Preorder((*ast.CallExpr)(nil)) {
			fn := durable.Callee(info, cur.Node().(*ast.CallExpr))
			if durable.IsPkgFunc(fn, durable.DurableRuntimePath, "New") || durable.IsPkgFunc(fn, durable.InngestPath, "NewClient") {
				engines[pass.Pkg.Path()] = true
				break
			}
		}
	}
	prog := &Program{}
	for _, f := range funcs {
		prog.Funcs = append(prog.Funcs, f)
	}
	slices.SortFunc(prog.Funcs, func(a, b Func) int { return strings.Compare(a.Key, b.Key) })
	for e := range engines {
		prog.Engines = append(prog.Engines, e)
	}
	slices.Sort(prog.Engines)
	if !isMain {
		if len(prog.Funcs) > 0 || len(prog.Engines) > 0 {
			pass.ExportPackageFact(prog)
		}
		return nil, nil
	}
	if mainDecl := findMain(pass); mainDecl != nil && len(prog.Engines) > 0 {
		report(pass, mainDecl, prog)
	}
	return nil, nil
}

// report reports main once per profile whose functions include one with an
// irreversible effect and no OnFailure, when no function of that profile
// handles the failure event.
func report(pass *analysis.Pass, mainDecl *ast.FuncDecl, prog *Program) {
	ig := ignore.New(pass, name)
	defer ig.Finish()
	for _, p := range []durable.Profile{durable.Durable, durable.Inngest} {
		var all, exposed []Func
		handled := false
		for _, f := range prog.Funcs {
			if f.Profile != p {
				continue
			}
			all = append(all, f)
			handled = handled || f.HandlesFailure
			if f.Effect != "" && !f.OnFailure {
				exposed = append(exposed, f)
			}
		}
		if handled || len(exposed) == 0 {
			continue
		}
		first := exposed[0]
		example := fmt.Sprintf("e.g. %q: %s through %s", first.Name, first.EffectCategory, first.Effect)
		var msg string
		switch p {
		case durable.Inngest:
			msg = fmt.Sprintf("this program runs %d Inngest function(s) and none is triggered by %s; %d of them have irreversible effects (%s), so a run that fails for good leaves them half done and nobody learns of it; create a function triggered by inngestgo.EventTrigger(%q, nil) that alerts or compensates",
				len(all), InngestFailed, len(exposed), example, InngestFailed)
		default:
			msg = fmt.Sprintf("this program runs %d durable function(s) and none handles %s; %d of them have irreversible effects and no OnFailure (%s), so a run that fails for good leaves them half done and nobody learns of it; define a function triggered by runtime.FunctionFailed.Trigger() that alerts or compensates, or set OnFailure on those functions",
				len(all), DurableFailed, len(exposed), example)
		}
		ig.Report(analysis.Diagnostic{Pos: mainDecl.Name.Pos(), End: mainDecl.Name.End(), Message: msg})
	}
}

func findMain(pass *analysis.Pass) *ast.FuncDecl {
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" {
				return fd
			}
		}
	}
	return nil
}

// definitionKey identifies a definition across the program, with no
// absolute path in it (facts are cached and compared across machines): by
// the package-level variable that holds it (pkgVar, or nil), else by place.
func definitionKey(pass *analysis.Pass, d *durable.Definition, pkgVar *types.Var) string {
	if pkgVar != nil {
		return pass.Pkg.Path() + "." + pkgVar.Name()
	}
	p := pass.Fset.Position(d.Call.Pos())
	return fmt.Sprintf("%s %s:%d:%d", pass.Pkg.Path(), filepath.Base(p.Filename), p.Line, p.Column)
}

// irreversible reports whether calling fn has an effect that no retry or
// compensation takes back: it moves money or reaches a person (a payment,
// an email, an SMS, a push notification, a chat message), as the vendors
// table knows them (the one idempotency reserves its errors for). Reads,
// HTTP requests in general and writes to the program's own database are
// not: the program can repeat or undo them.
func irreversible(fn *types.Func) (vendors.Category, bool) {
	c, ok := vendors.Classify(fn)
	return c.Category, ok
}

// summarizeIrreversible finds the functions of the package that reach an
// irreversible effect and exports Irreversible facts on them; it returns
// nil when no import of the package can lead to one.
func summarizeIrreversible(pass *analysis.Pass, insp *inspector.Inspector, export bool) *irreversibles {
	if effects.InGOROOT(pass.Fset, pass.Files) {
		return nil // the effect table describes the standard library
	}
	may := false
	for _, imp := range pass.Pkg.Imports() {
		// Only the vendor SDKs (net/smtp among them) have irreversible
		// calls: most packages import neither them nor a helper of one.
		if vendorPackage(imp.Path()) || pass.ImportPackageFact(imp, new(irreversibleHelpers)) {
			may = true
			break
		}
	}
	if !may {
		return nil
	}
	info := pass.TypesInfo
	categories := map[string]vendors.Category{} // last hop -> what it does
	sums := callchain.Summarize(pass, insp, callchain.Config{
		Direct: func(n ast.Node) (string, bool) {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return "", false
			}
			fn := durable.Callee(info, call)
			cat, ok := irreversible(fn)
			if !ok {
				return "", false
			}
			name := callchain.FuncName(fn)
			categories[name] = cat
			return name, true
		},
		Imported: func(fn *types.Func) (callchain.Chain, bool) {
			var f Irreversible
			if pass.ImportObjectFact(fn, &f) {
				categories[f.Chain.Last()] = f.Category
				return f.Chain, true
			}
			return nil, false
		},
	})
	if export {
		sums.ExportFacts(func(c callchain.Chain) analysis.Fact {
			return &Irreversible{Category: categories[c.Last()], Chain: c}
		})
		if fns, _ := sums.Local(); len(fns) > 0 {
			pass.ExportPackageFact(&irreversibleHelpers{N: len(fns)})
		}
	}
	return &irreversibles{sums, categories}
}

// irreversibles are the package's irreversible-effect summaries, with what
// the last hop of each chain does.
type irreversibles struct {
	sums       *callchain.Summaries
	categories map[string]vendors.Category
}

// vendorPackage is vendors.Known, remembered: every package asks it about
// each of its imports, mostly the same standard-library paths.
func vendorPackage(path string) bool {
	if v, ok := knownVendors.Load(path); ok {
		return v.(bool)
	}
	v := vendors.Known(path)
	knownVendors.Store(path, v)
	return v
}

var knownVendors sync.Map // import path -> bool

// definitionEffect returns the chain through which the definition's
// handler reaches an irreversible effect: in a literal handler, the first
// such call in source order; for a named handler or a factory, its fact.
func definitionEffect(pass *analysis.Pass, irr *irreversibles, d *durable.Definition) (callchain.Chain, bool) {
	if irr == nil {
		return nil, false
	}
	sums := irr.sums
	if lit, ok := ast.Unparen(d.Handler).(*ast.FuncLit); ok {
		var chain callchain.Chain
		ast.Inspect(lit.Body, func(n ast.Node) bool {
			if chain != nil || n == nil {
				return false
			}
			if c, ok := sums.At(n); ok {
				chain = c
				return false
			}
			return true
		})
		return chain, chain != nil
	}
	if d.HandlerFunc == nil {
		return nil, false
	}
	c, ok := sums.Of(d.HandlerFunc)
	if !ok {
		return nil, false
	}
	return c.Prepend(callchain.HopAt(pass.Fset, d.Handler.Pos(), callchain.FuncName(d.HandlerFunc))), true
}

// triggersOnFailure reports whether a trigger expression includes the
// failure event named event.
func triggersOnFailure(info *types.Info, e ast.Expr, event string) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || found {
			return !found
		}
		fn := durable.Callee(info, call)
		switch {
		case durable.IsPkgFunc(fn, durable.DurableRuntimePath, "EventTrigger"), durable.IsPkgFunc(fn, durable.InngestPath, "EventTrigger"):
			if len(call.Args) > 0 && isName(info, call.Args[0], event) {
				found = true
			}
		case event == DurableFailed && fn != nil && (fn.Name() == "Trigger" || fn.Name() == "TriggerIf") && fn.Pkg() != nil && fn.Pkg().Path() == durable.DurableRuntimePath:
			// runtime.FunctionFailed.Trigger(), or any EventType of the failure event.
			if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
				v, _ := objOf(info, sel.X).(*types.Var)
				if v != nil && v.Pkg() != nil && v.Pkg().Path() == durable.DurableRuntimePath && v.Name() == "FunctionFailed" {
					found = true
				}
			}
		}
		return !found
	})
	if !found {
		// inngestgo.Trigger{Event: "inngest/function.failed"} literals.
		ast.Inspect(e, func(n ast.Node) bool {
			if lit, ok := n.(*ast.CompositeLit); ok {
				if v := durable.FieldOf(lit, "Event"); v != nil && isName(info, v, event) {
					found = true
				}
			}
			return !found
		})
	}
	return found
}

func objOf(info *types.Info, e ast.Expr) types.Object {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		return info.Uses[x]
	case *ast.SelectorExpr:
		return info.Uses[x.Sel]
	}
	return nil
}

func isName(info *types.Info, e ast.Expr, want string) bool {
	tv, ok := info.Types[e]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
		return false
	}
	return constant.StringVal(tv.Value) == want
}
