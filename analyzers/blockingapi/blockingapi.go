package blockingapi

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
)

//go:embed doc.go
var doc string

const name = "blockingapi"

// Analyzer reports HTTP handlers doing slow side effects inline.
var Analyzer = &analysis.Analyzer{
	Name:      name,
	Doc:       durable.ExtractDoc(doc, name),
	URL:       durable.DocURL(name),
	Requires:  []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	FactTypes: []analysis.Fact{(*Slow)(nil)},
	Run:       run,
}

var maxHTTP = 1

func init() {
	Analyzer.Flags.IntVar(&maxHTTP, "max-http", 1, "report HTTP handlers making more than this many outbound HTTP calls inline")
}

// Slow is the fact that a function does slow work: sends email (Email is
// the chain to the sending call) or makes HTTP outbound calls (HTTP counts
// them, capped; HTTPChain reaches one).
type Slow struct {
	Email     callchain.Chain
	HTTP      int
	HTTPChain callchain.Chain
}

func (*Slow) AFact() {}
func (f *Slow) String() string {
	var parts []string
	if f.Email != nil {
		parts = append(parts, "email="+f.Email.String())
	}
	if f.HTTP > 0 {
		parts = append(parts, fmt.Sprintf("http=%d", f.HTTP))
	}
	return "slow(" + strings.Join(parts, " ") + ")"
}

const httpCap = 10

var emailPackages = []string{
	"net/smtp",
	"github.com/sendgrid/sendgrid-go",
	"github.com/mailgun/mailgun-go",
	"github.com/mailjet/mailjet-apiv3-go",
	"github.com/keighl/postmark",
	"github.com/mrz1836/postmark",
	"github.com/resend/resend-go",
	"github.com/twilio/twilio-go",
	"github.com/aws/aws-sdk-go-v2/service/ses",
	"github.com/aws/aws-sdk-go-v2/service/sesv2",
}

func isEmail(fn *types.Func) bool {
	if fn == nil || fn.Pkg() == nil || !fn.Exported() {
		return false
	}
	if e, ok := effects.Classify(fn); ok && e.Kind == effects.Email {
		return true
	}
	p := fn.Pkg().Path()
	if p == "net/smtp" {
		return false // only the calls the effect table lists
	}
	for _, ep := range emailPackages {
		if p == ep || strings.HasPrefix(p, ep+"/") {
			sig, _ := fn.Type().(*types.Signature)
			return sig != nil && sig.Recv() != nil && !strings.HasPrefix(fn.Name(), "New")
		}
	}
	return false
}

func isHTTP(fn *types.Func) bool {
	e, ok := effects.Classify(fn)
	return ok && e.Kind == effects.Network && fn.Pkg().Path() == "net/http"
}

func isEngineRun(fn *types.Func) bool {
	return effects.Key(fn) == durable.DurableRuntimePath+".Engine.Run"
}

type checker struct {
	pass  *analysis.Pass
	decls map[*types.Func]*ast.FuncDecl
	local map[*types.Func]*Slow
}

func run(pass *analysis.Pass) (any, error) {
	if effects.InGOROOT(pass.Fset, pass.Files) || durable.ProfileOfPackage(pass.Pkg.Path()) != durable.None {
		return nil, nil
	}
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	c := &checker{pass: pass, decls: map[*types.Func]*ast.FuncDecl{}, local: map[*types.Func]*Slow{}}
	for cur := range insp.Root().Preorder((*ast.FuncDecl)(nil)) {
		fd := cur.Node().(*ast.FuncDecl)
		if fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok && fd.Body != nil {
			c.decls[fn] = fd
		}
	}
	// Summaries of local functions, to a fixed point (counts are capped).
	for range 6 {
		changed := false
		for fn, fd := range c.decls {
			s := c.summarize(fd.Body, false)
			old := c.local[fn]
			if !same(old, s) {
				c.local[fn] = s
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	for fn, s := range c.local {
		if s != nil && (s.Email != nil || s.HTTP > 0) {
			pass.ExportObjectFact(fn, s)
		}
	}
	if !res.Relevant {
		return nil, nil
	}
	ig := ignore.New(pass, name)
	defer ig.Finish()
	for cur := range insp.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		var ft *ast.FuncType
		var body *ast.BlockStmt
		var at ast.Node
		label := "HTTP handler"
		switch n := cur.Node().(type) {
		case *ast.FuncDecl:
			ft, body, at = n.Type, n.Body, n.Name
			if fn, ok := pass.TypesInfo.Defs[n.Name].(*types.Func); ok {
				label = "HTTP handler " + durable.FuncDisplayName(fn)
			}
		case *ast.FuncLit:
			ft, body, at = n.Type, n.Body, n.Type
		}
		if body == nil || !isHandler(pass.TypesInfo, ft) {
			continue
		}
		s := c.summarize(body, true)
		switch {
		case s.Email != nil:
			ig.Report(analysis.Diagnostic{Pos: at.Pos(), End: at.End(), Category: "advice", Related: s.Email.Related(pass.Fset),
				Message: fmt.Sprintf("%s sends email inline (%s): the request waits on the mail server, and a timeout or a deploy loses the email or sends it twice; send an event and return, and send the email from a durable function", label, s.Email)})
		case s.HTTP > maxHTTP:
			n := fmt.Sprint(s.HTTP)
			if s.HTTP >= httpCap {
				n = "many"
			}
			ig.Report(analysis.Diagnostic{Pos: at.Pos(), End: at.End(), Category: "advice", Related: s.HTTPChain.Related(pass.Fset),
				Message: fmt.Sprintf("%s makes %s outbound HTTP calls inline (%s...): the API is only as fast and available as its slowest dependency, and a failure halfway leaves the work half-done; send an event and return, and make the calls in steps of a durable function", label, n, s.HTTPChain)})
		}
		if poll := c.polls(body); poll != nil {
			ig.Report(analysis.Diagnostic{Pos: poll.Pos(), End: poll.End(), Category: "advice",
				Message: fmt.Sprintf("%s waits for a durable run's result by polling Engine.Run: the request holds a connection for as long as the run takes and fails when the client gives up; answer 202 Accepted with the run ID and let the client poll, or notify it when the run completes", label)})
		}
	}
	return nil, nil
}

func same(a, b *Slow) bool {
	if a == nil || b == nil {
		return a == b
	}
	return (a.Email == nil) == (b.Email == nil) && a.HTTP == b.HTTP
}

// isHandler reports whether ft is func(http.ResponseWriter, *http.Request).
func isHandler(info *types.Info, ft *ast.FuncType) bool {
	if ft.Results != nil && len(ft.Results.List) > 0 {
		return false
	}
	var ts []types.Type
	for _, f := range ft.Params.List {
		n := len(f.Names)
		if n == 0 {
			n = 1
		}
		for range n {
			ts = append(ts, info.TypeOf(f.Type))
		}
	}
	if len(ts) != 2 || ts[0] == nil || ts[1] == nil {
		return false
	}
	w, ok := types.Unalias(ts[0]).(*types.Named)
	if !ok || w.Obj().Pkg() == nil || w.Obj().Pkg().Path() != "net/http" || w.Obj().Name() != "ResponseWriter" {
		return false
	}
	p, ok := ts[1].(*types.Pointer)
	if !ok {
		return false
	}
	r, ok := types.Unalias(p.Elem()).(*types.Named)
	return ok && r.Obj().Pkg() != nil && r.Obj().Pkg().Path() == "net/http" && r.Obj().Name() == "Request"
}

// summarize computes what body does, through local summaries and facts.
// Function literals are included (they usually run inline: handlers,
// callbacks) except those started with go.
func (c *checker) summarize(body *ast.BlockStmt, _ bool) *Slow {
	s := &Slow{}
	info := c.pass.TypesInfo
	var visit func(n ast.Node, loop bool) bool
	var walk func(n ast.Node, loop bool)
	walk = func(n ast.Node, loop bool) {
		ast.Inspect(n, func(n ast.Node) bool { return visit(n, loop) })
	}
	visit = func(n ast.Node, loop bool) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			return false
		case *ast.ForStmt:
			walk(n.Body, true)
			return false
		case *ast.RangeStmt:
			walk(n.Body, true)
			return false
		case *ast.CallExpr:
			fn := durable.Callee(info, n)
			if fn == nil {
				return true
			}
			weight := 1
			if loop {
				weight = httpCap
			}
			hop := callchain.HopAt(c.pass.Fset, n.Pos(), callchain.FuncName(fn))
			switch {
			case isEmail(fn):
				if s.Email == nil {
					s.Email = callchain.Chain{hop}
				}
			case isHTTP(fn):
				s.HTTP = min(httpCap, s.HTTP+weight)
				if s.HTTPChain == nil {
					s.HTTPChain = callchain.Chain{hop}
				}
			default:
				var sub *Slow
				if fn.Pkg() == c.pass.Pkg {
					sub = c.local[fn]
				} else {
					var f Slow
					if c.pass.ImportObjectFact(fn, &f) {
						sub = &f
					}
				}
				if sub != nil {
					if sub.Email != nil && s.Email == nil {
						s.Email = sub.Email.Prepend(hop)
					}
					if sub.HTTP > 0 {
						s.HTTP = min(httpCap, s.HTTP+sub.HTTP*weight)
						if s.HTTPChain == nil {
							s.HTTPChain = sub.HTTPChain.Prepend(hop)
						}
					}
				}
			}
		}
		return true
	}
	walk(body, false)
	return s
}

// polls returns a call of Engine.Run inside a loop of body, or nil.
func (c *checker) polls(body *ast.BlockStmt) ast.Node {
	var found ast.Node
	var inLoop func(n ast.Node, loop bool)
	inLoop = func(n ast.Node, loop bool) {
		ast.Inspect(n, func(n ast.Node) bool {
			if found != nil {
				return false
			}
			switch n := n.(type) {
			case *ast.GoStmt, *ast.FuncLit:
				return false
			case *ast.ForStmt:
				inLoop(n.Body, true)
				return false
			case *ast.RangeStmt:
				inLoop(n.Body, true)
				return false
			case *ast.CallExpr:
				if loop && isEngineRun(durable.Callee(c.pass.TypesInfo, n)) {
					found = n
				}
			}
			return true
		})
	}
	inLoop(body, false)
	return found
}
