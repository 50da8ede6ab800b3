package concurrency

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/internal/callchain"
	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/effects"
	"github.com/durable-go/durable/analyzers/internal/ignore"
	"github.com/durable-go/durable/analyzers/internal/triggers"
	"github.com/durable-go/durable/analyzers/internal/vendors"
)

//go:embed doc.go
var doc string

const name = "concurrency"

// Analyzer reports functions calling rate-limited services without limits.
var Analyzer = &analysis.Analyzer{
	Name:      name,
	Doc:       durable.ExtractDoc(doc, name),
	URL:       durable.DocURL(name),
	Requires:  []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	FactTypes: []analysis.Fact{(*RateLimited)(nil)},
	Run:       run,
}

var (
	services string
	httpToo  bool
)

func init() {
	Analyzer.Flags.StringVar(&services, "services", "",
		`comma-separated rate-limited services besides the defaults: "import/path" (the package's calls), "import/path.Func" or "import/path.Type.Method"`)
	Analyzer.Flags.BoolVar(&httpToo, "http", false, "count every outbound net/http client call as a call to a rate-limited service")
}

// RateLimited is the fact that a function calls a rate-limited service,
// through the calls of Chain.
type RateLimited struct{ Chain callchain.Chain }

func (*RateLimited) AFact()           {}
func (f *RateLimited) String() string { return "rateLimited(" + f.Chain.String() + ")" }

// counts reports whether a call of fn, a function of a rate-limited
// vendor's SDK (vendors.RateLimitedPackage), calls the service rather than
// building a client, a request or a parameter: a known vendor call, a
// function or method that takes a context.Context, a method of a client or
// service type, or a function named Send*. Methods that return their own
// receiver type (params.SetTo(...)) build parameters; constructors
// (New*Client) and helpers of the SDK's root package (stripe.String) do not
// call anything.
func counts(fn *types.Func) bool {
	if _, ok := vendors.Classify(fn); ok {
		return true
	}
	sig, _ := fn.Type().(*types.Signature)
	if sig == nil || !fn.Exported() {
		return false
	}
	if strings.HasPrefix(fn.Name(), "New") && strings.Contains(fn.Name(), "Client") {
		return false
	}
	if recv := sig.Recv(); recv != nil {
		rt := recv.Type()
		if p, ok := rt.(*types.Pointer); ok {
			rt = p.Elem()
		}
		for i := 0; i < sig.Results().Len(); i++ {
			r := sig.Results().At(i).Type()
			if p, ok := r.(*types.Pointer); ok {
				r = p.Elem()
			}
			if types.Identical(r, rt) {
				return false // a builder
			}
		}
		if takesContext(sig) || strings.HasPrefix(fn.Name(), "Send") {
			return true
		}
		if n, ok := types.Unalias(rt).(*types.Named); ok {
			name := n.Obj().Name()
			for _, suffix := range []string{"Client", "Service", "API", "Api", "Impl", "Session", "Bot", "Svc"} {
				if strings.HasSuffix(name, suffix) {
					return true
				}
			}
		}
		return false
	}
	return takesContext(sig) || strings.HasPrefix(fn.Name(), "Send")
}

func takesContext(sig *types.Signature) bool {
	for i := 0; i < sig.Params().Len(); i++ {
		if t, ok := types.Unalias(sig.Params().At(i).Type()).(*types.Named); ok && t.Obj().Pkg() != nil && t.Obj().Pkg().Path() == "context" && t.Obj().Name() == "Context" {
			return true
		}
	}
	return false
}

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	if effects.InGOROOT(pass.Fset, pass.Files) || durable.ProfileOfPackage(pass.Pkg.Path()) != durable.None {
		return nil, nil
	}
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	info := pass.TypesInfo
	var pkgs []string
	exact := map[string]bool{}
	for _, s := range strings.Split(services, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		// "path.Func" or "path.Type.Method": a dot after the last slash.
		if i := strings.LastIndexByte(s, '/'); strings.Contains(s[i+1:], ".") {
			exact[s] = true
		} else {
			pkgs = append(pkgs, s)
		}
	}
	direct := func(n ast.Node) (string, bool) {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return "", false
		}
		fn := durable.Callee(info, call)
		if fn == nil || fn.Pkg() == nil {
			return "", false
		}
		if exact[effects.Key(fn)] {
			return callchain.FuncName(fn), true
		}
		if fn.Pkg() == pass.Pkg {
			return "", false
		}
		if httpToo {
			if e, ok := effects.Classify(fn); ok && e.Kind == effects.Network && fn.Pkg().Path() == "net/http" {
				return callchain.FuncName(fn), true
			}
		}
		if (vendors.RateLimitedPackage(fn.Pkg().Path()) || vendors.Under(fn.Pkg().Path(), pkgs)) && counts(fn) {
			return callchain.FuncName(fn), true
		}
		return "", false
	}
	sums := callchain.Summarize(pass, insp, callchain.Config{
		Direct: direct,
		Imported: func(fn *types.Func) (callchain.Chain, bool) {
			var f RateLimited
			if pass.ImportObjectFact(fn, &f) {
				return f.Chain, true
			}
			return nil, false
		},
		Dynamic: true,
	})
	sums.ExportFacts(func(c callchain.Chain) analysis.Fact { return &RateLimited{Chain: c} })
	if !res.Relevant || len(res.Definitions) == 0 {
		return nil, nil
	}
	ig := ignore.New(pass, name)
	defer ig.Finish()
	for _, d := range res.Definitions {
		if d.OptsLit == nil || limited(info, d) || triggers.CronOnly(info, d.Trigger) {
			continue
		}
		var chain callchain.Chain
		var at ast.Node
		if lit, ok := ast.Unparen(d.Handler).(*ast.FuncLit); ok {
			ast.Inspect(lit.Body, func(n ast.Node) bool {
				if chain != nil || n == nil {
					return false
				}
				if c, ok := sums.At(n); ok {
					chain, at = c, n
					return false
				}
				return true
			})
		} else if d.HandlerFunc != nil {
			if c, ok := sums.Of(d.HandlerFunc); ok {
				chain = c.Prepend(callchain.HopAt(pass.Fset, d.Handler.Pos(), callchain.FuncName(d.HandlerFunc)))
				at = d.Handler
			}
		}
		if chain == nil {
			continue
		}
		fname := d.ID
		if fname == "" {
			fname = types.ExprString(d.Call.Fun)
		}
		via := ""
		if len(chain) > 1 {
			via = " via " + chain.String()
		}
		example := "Concurrency: []runtime.Concurrency{{Limit: 10}}"
		if d.Profile == durable.Inngest {
			example = "Concurrency: []inngestgo.ConfigStepConcurrency{{Limit: 10}}"
		}
		related := append([]analysis.RelatedInformation{{Pos: at.Pos(), Message: "call to a rate-limited service"}}, chain.Related(pass.Fset)...)
		ig.Report(analysis.Diagnostic{Pos: d.OptsLit.Pos(), End: d.OptsLit.End(), Category: "advice", Related: related,
			Message: fmt.Sprintf("durable function %q calls the rate-limited service %s%s with no Concurrency, Throttle or RateLimit: a burst of events runs every call at once and the provider answers 429; set %s or a Throttle",
				fname, chain.Last(), via, example)})
	}
	return nil, nil
}

// limited reports whether the options bound the runs: a concurrency limit,
// a throttle or rate limit, a singleton or a debounce.
func limited(info *types.Info, d *durable.Definition) bool {
	for _, f := range []string{"Concurrency", "Throttle", "RateLimit", "Singleton", "Debounce"} {
		v := d.Field(f)
		if v == nil {
			continue
		}
		if tv, ok := info.Types[v]; ok && tv.IsNil() {
			continue
		}
		if lit, ok := ast.Unparen(v).(*ast.CompositeLit); ok && len(lit.Elts) == 0 {
			if _, isSlice := info.TypeOf(lit).Underlying().(*types.Slice); isSlice {
				continue
			}
		}
		return true
	}
	return false
}
