package idempotency

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"regexp"
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

// Analyzer reports non-idempotent calls in functions with no idempotency key.
var Analyzer = &analysis.Analyzer{
	Name:      "idempotency",
	Doc:       durable.ExtractDoc(doc, "idempotency"),
	URL:       durable.DocURL("idempotency"),
	Requires:  []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	FactTypes: []analysis.Fact{(*NonIdempotent)(nil)},
	Run:       run,
}

var extraCalls string

func init() {
	Analyzer.Flags.StringVar(&extraCalls, "calls", "",
		`comma-separated non-idempotent calls besides the defaults: "import/path.Func" or "import/path.Type.Method"`)
}

// NonIdempotent is the fact that a function makes a non-idempotent call
// without a key, through the calls of Chain.
type NonIdempotent struct{ Chain callchain.Chain }

func (*NonIdempotent) AFact()           {}
func (f *NonIdempotent) String() string { return "nonIdempotent(" + f.Chain.String() + ")" }

var defaults = map[string]bool{
	"net/smtp.SendMail":        true,
	"net/http.Post":            true,
	"net/http.PostForm":        true,
	"net/http.Client.Post":     true,
	"net/http.Client.PostForm": true,
}

var stripe = regexp.MustCompile(`^github\.com/stripe/stripe-go(/v\d+)?/(charge|paymentintent|refund|payout|transfer|invoice)\.(New|Pay)$`)

var sqlExec = map[string]bool{}

func init() {
	for _, t := range []string{"DB", "Tx", "Conn", "Stmt"} {
		sqlExec["database/sql."+t+".Exec"] = true
		sqlExec["database/sql."+t+".ExecContext"] = true
	}
}

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	if effects.InGOROOT(pass.Fset, pass.Files) || durable.ProfileOfPackage(pass.Pkg.Path()) != durable.None {
		return nil, nil
	}
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	info := pass.TypesInfo
	extra := map[string]bool{}
	for _, c := range strings.Split(extraCalls, ",") {
		if c = strings.TrimSpace(c); c != "" {
			extra[c] = true
		}
	}

	// Functions (declared or literal) that pass an idempotency key, and
	// those that build a request with a non-idempotent HTTP method.
	var keyed, unsafeReq []ast.Node
	for cur := range insp.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		n := cur.Node()
		var body *ast.BlockStmt
		switch f := n.(type) {
		case *ast.FuncDecl:
			body = f.Body
		case *ast.FuncLit:
			body = f.Body
		}
		if body == nil {
			continue
		}
		k, u := scan(info, body)
		if k {
			keyed = append(keyed, n)
		}
		if u {
			unsafeReq = append(unsafeReq, n)
		}
	}
	within := func(list []ast.Node, pos token.Pos) bool {
		for _, n := range list {
			if n.Pos() <= pos && pos < n.End() {
				return true
			}
		}
		return false
	}
	direct := func(n ast.Node) (string, bool) {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return "", false
		}
		fn := durable.Callee(info, call)
		key := effects.Key(fn)
		if key == "" || within(keyed, call.Pos()) {
			return "", false
		}
		switch {
		case defaults[key] || extra[key] || stripe.MatchString(key):
		case key == "net/http.Client.Do" && within(unsafeReq, call.Pos()):
		case sqlExec[key] && writesSQL(info, call):
		default:
			return "", false
		}
		return callchain.FuncName(fn), true
	}
	sums := callchain.Summarize(pass, insp, callchain.Config{
		Direct: direct,
		Imported: func(fn *types.Func) (callchain.Chain, bool) {
			var f NonIdempotent
			if pass.ImportObjectFact(fn, &f) {
				return f.Chain, true
			}
			return nil, false
		},
	})
	sums.ExportFacts(func(c callchain.Chain) analysis.Fact { return &NonIdempotent{Chain: c} })
	if !res.Relevant || len(res.Definitions) == 0 {
		return nil, nil
	}

	ig := ignore.New(pass, "idempotency")
	for _, d := range res.Definitions {
		if d.OptsLit == nil || hasKey(pass, d) {
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
		} else if c, ok := sums.Of(d.HandlerFunc); ok {
			chain = c.Prepend(callchain.HopAt(pass.Fset, d.Handler.Pos(), callchain.FuncName(d.HandlerFunc)))
			at = d.Handler
		}
		if chain == nil {
			continue
		}
		name := d.ID
		if name == "" {
			name = types.ExprString(d.Call.Fun)
		}
		via := ""
		if len(chain) > 1 {
			via = " via " + chain.String()
		}
		related := append([]analysis.RelatedInformation{{Pos: at.Pos(), Message: "non-idempotent call"}}, chain.Related(pass.Fset)...)
		ig.Report(analysis.Diagnostic{Pos: d.OptsLit.Pos(), End: d.OptsLit.End(), Related: related,
			Message: fmt.Sprintf("durable function %q makes the non-idempotent call %s%s but has no Idempotency key: a duplicate event runs it twice; set FunctionOpts.Idempotency (e.g. \"event.data.id\") or pass an idempotency key to the call",
				name, chain.Last(), via)})
	}
	ig.Finish()
	return nil, nil
}

// hasKey reports whether the definition's options set an Idempotency key.
func hasKey(pass *analysis.Pass, d *durable.Definition) bool {
	v := d.Field("Idempotency")
	if v == nil {
		return false
	}
	tv, ok := pass.TypesInfo.Types[v]
	if !ok {
		return true
	}
	if tv.IsNil() {
		return false
	}
	if tv.Value != nil && tv.Value.Kind() == constant.String {
		return strings.TrimSpace(constant.StringVal(tv.Value)) != ""
	}
	return true
}

var unsafeMethods = map[string]bool{"POST": true, "PUT": true, "PATCH": true, "DELETE": true}

// scan reports whether body passes an idempotency key, and whether it
// builds an HTTP request with a non-idempotent method.
func scan(info *types.Info, body *ast.BlockStmt) (keyed, unsafe bool) {
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.KeyValueExpr:
			if id, ok := n.Key.(*ast.Ident); ok && id.Name == "IdempotencyKey" {
				keyed = true
			}
		case *ast.SelectorExpr:
			if n.Sel.Name == "IdempotencyKey" || n.Sel.Name == "SetIdempotencyKey" {
				keyed = true
			}
		case *ast.CallExpr:
			fn := durable.Callee(info, n)
			switch effects.Key(fn) {
			case "net/http.Header.Set", "net/http.Header.Add":
				if len(n.Args) > 0 {
					if s, ok := stringConst(info, n.Args[0]); ok && strings.EqualFold(s, "Idempotency-Key") {
						keyed = true
					}
				}
			case "net/http.NewRequest", "net/http.NewRequestWithContext":
				i := 0
				if fn.Name() == "NewRequestWithContext" {
					i = 1
				}
				if i < len(n.Args) {
					if s, ok := stringConst(info, n.Args[i]); !ok || unsafeMethods[strings.ToUpper(s)] {
						unsafe = true
					}
				}
			}
		}
		return true
	})
	return keyed, unsafe
}

// writesSQL reports whether an Exec call's query writes (INSERT, UPDATE,
// DELETE, UPSERT, MERGE), or is not a constant.
func writesSQL(info *types.Info, call *ast.CallExpr) bool {
	for _, a := range call.Args {
		if t := info.TypeOf(a); t != nil && types.Identical(t.Underlying(), types.Typ[types.String]) {
			s, ok := stringConst(info, a)
			if !ok {
				return true
			}
			f := strings.Fields(strings.ToUpper(s))
			return len(f) > 0 && (f[0] == "INSERT" || f[0] == "UPDATE" || f[0] == "DELETE" || f[0] == "UPSERT" || f[0] == "MERGE" || f[0] == "WITH")
		}
	}
	return false
}

func stringConst(info *types.Info, e ast.Expr) (string, bool) {
	tv, ok := info.Types[e]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
		return "", false
	}
	return constant.StringVal(tv.Value), true
}
