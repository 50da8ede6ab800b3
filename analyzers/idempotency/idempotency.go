package idempotency

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"
	"unicode"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/internal/callchain"
	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/effects"
	"github.com/durable-go/durable/analyzers/internal/ignore"
	"github.com/durable-go/durable/analyzers/internal/stdlib"
	"github.com/durable-go/durable/analyzers/internal/triggers"
	"github.com/durable-go/durable/analyzers/internal/vendors"
)

//go:embed doc.go
var doc string

// Analyzer reports non-idempotent calls in functions with no idempotency key.
var Analyzer = &analysis.Analyzer{
	Name:      "idempotency",
	Doc:       durable.ExtractDoc(doc, "idempotency"),
	URL:       durable.DocURL("idempotency"),
	Requires:  []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	FactTypes: []analysis.Fact{(*NonIdempotent)(nil), (*SendsEvents)(nil), (*PassesKey)(nil)},
	Run:       run,
}

var extraCalls string

func init() {
	Analyzer.Flags.StringVar(&extraCalls, "calls", "",
		`comma-separated non-idempotent calls besides the vendor SDKs known by default: "import/path.Func" or "import/path.Type.Method"`)
}

// NonIdempotent is the fact that a function makes a call that moves money
// or reaches a person (What: "sends an email"), without an idempotency
// key, through the calls of Chain.
type NonIdempotent struct {
	What  string
	Chain callchain.Chain
}

func (*NonIdempotent) AFact()           {}
func (f *NonIdempotent) String() string { return "nonIdempotent(" + f.Chain.String() + ")" }

// SendsEvents is the fact that a function sends events through a client
// (not through a step), without event IDs, through the calls of Chain.
type SendsEvents struct{ Chain callchain.Chain }

func (*SendsEvents) AFact()           {}
func (f *SendsEvents) String() string { return "sendsEvents(" + f.Chain.String() + ")" }

// PassesKey is the fact that a function passes an idempotency key to a
// call, itself or through the calls of Chain.
type PassesKey struct{ Chain callchain.Chain }

func (*PassesKey) AFact()           {}
func (f *PassesKey) String() string { return "passesKey(" + f.Chain.String() + ")" }

// what describes a vendor call's category as a verb phrase.
var what = map[vendors.Category]string{
	vendors.Payment: "moves money",
	vendors.Email:   "sends an email",
	vendors.SMS:     "sends an SMS",
	vendors.Push:    "sends a push notification",
	vendors.Chat:    "posts a chat message",
}

// clientSends are the calls that send events through a client rather than
// through a step: "path.Func" or "path.Type.Method".
var clientSends = map[string]bool{
	durable.DurableRuntimePath + ".Engine.Send": true,
	durable.InngestPath + ".Client.Send":        true,
	durable.InngestPath + ".Client.SendMany":    true,
	durable.InngestPath + ".Send":               true,
	durable.InngestPath + ".SendMany":           true,
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

	// Functions (declared or literal) that pass an idempotency key to a
	// call, and those that give the events they send an ID.
	var keyed, withIDs []ast.Node
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
		k, ids := scan(info, body)
		if k {
			keyed = append(keyed, n)
		}
		if ids {
			withIDs = append(withIDs, n)
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

	prog := callchain.NewProgram(pass.Pkg)
	whatOf := map[string]string{} // last hop name -> what the call does
	sums := callchain.Summarize(pass, insp, callchain.Config{
		Direct: func(n ast.Node) (string, bool) {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return "", false
			}
			fn := durable.Callee(info, call)
			if fn == nil || within(keyed, call.Pos()) {
				return "", false
			}
			name := callchain.FuncName(fn)
			if c, ok := vendors.Classify(fn); ok {
				whatOf[name] = what[c.Category]
				return name, true
			}
			if extra[effects.Key(fn)] {
				whatOf[name] = "makes the non-idempotent call " + name
				return name, true
			}
			return "", false
		},
		Imported: func(fn *types.Func) (callchain.Chain, bool) {
			var f NonIdempotent
			if pass.ImportObjectFact(fn, &f) {
				whatOf[f.Chain.Last()] = f.What
				return f.Chain, true
			}
			return nil, false
		},
		Dynamic: true,
		Program: prog,
	})
	sums.ExportFacts(func(c callchain.Chain) analysis.Fact { return &NonIdempotent{What: whatOf[c.Last()], Chain: c} })

	sends := callchain.Summarize(pass, insp, callchain.Config{
		Direct: func(n ast.Node) (string, bool) {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return "", false
			}
			fn := durable.Callee(info, call)
			if fn == nil || !clientSends[effects.Key(fn)] || within(withIDs, call.Pos()) {
				return "", false
			}
			return callchain.FuncName(fn), true
		},
		Imported: func(fn *types.Func) (callchain.Chain, bool) {
			var f SendsEvents
			if pass.ImportObjectFact(fn, &f) {
				return f.Chain, true
			}
			return nil, false
		},
		Dynamic: true,
		Program: prog,
	})
	sends.ExportFacts(func(c callchain.Chain) analysis.Fact { return &SendsEvents{Chain: c} })
	passesKey := callchain.Summarize(pass, insp, callchain.Config{
		Direct: func(n ast.Node) (string, bool) {
			if keyNode(info, n) {
				return "idempotency key", true
			}
			return "", false
		},
		Imported: func(fn *types.Func) (callchain.Chain, bool) {
			var f PassesKey
			if pass.ImportObjectFact(fn, &f) {
				return f.Chain, true
			}
			return nil, false
		},
		Dynamic: true,
		Program: prog,
	})
	passesKey.ExportFacts(func(c callchain.Chain) analysis.Fact { return &PassesKey{Chain: c} })
	if !res.Relevant {
		return nil, nil
	}

	ig := ignore.New(pass, "idempotency")
	defer ig.Finish()
	reportClientSends(pass, res, sends, ig)

	for _, d := range res.Definitions {
		if d.OptsLit == nil || hasKey(pass, d) || triggers.CronOnly(pass.TypesInfo, d.Trigger) {
			continue // a cron starts one run per tick: no duplicate event to dedupe
		}
		name := d.ID
		if name == "" {
			name = types.ExprString(d.Call.Fun)
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
			if s := irreversibleStep(pass, d, passesKey); s != nil {
				ig.Report(analysis.Diagnostic{Pos: d.OptsLit.Pos(), End: d.OptsLit.End(), Category: "advice",
					Related: []analysis.RelatedInformation{{Pos: s.ID.Pos(), End: s.ID.End(), Message: "step named for an irreversible action"}},
					Message: fmt.Sprintf("advice: durable function %q has a step named for an irreversible action (%s) but no Idempotency key: a duplicate event starts a second run, which runs it again; %s",
						name, types.ExprString(s.ID), keyAdvice(d.Profile, false))})
			}
			continue
		}
		does := whatOf[chain.Last()]
		if does == "" {
			does = "makes the non-idempotent call " + chain.Last()
		}
		via := ""
		if len(chain) > 1 {
			via = " via " + chain.String()
		}
		related := append([]analysis.RelatedInformation{{Pos: at.Pos(), Message: "non-idempotent call"}}, chain.Related(pass.Fset)...)
		ig.Report(analysis.Diagnostic{Pos: d.OptsLit.Pos(), End: d.OptsLit.End(), Related: related,
			Message: fmt.Sprintf("durable function %q %s (%s%s) but has no Idempotency key: a duplicate event starts a second run, which does it again; %s",
				name, does, chain.Last(), via, keyAdvice(d.Profile, true))})
	}
	return nil, nil
}

// keyAdvice is the fix, in the vocabulary of the profile.
func keyAdvice(p durable.Profile, orCall bool) string {
	s := `set FunctionOpts.Idempotency (e.g. Idempotency: "event.data.order_id")`
	if p == durable.Inngest {
		s = `set Idempotency: inngestgo.StrPtr("event.data.order_id") in inngestgo.FunctionOpts`
	}
	if orCall {
		s += ", or pass an idempotency key derived from the event to the call"
	}
	return s
}

// reportClientSends reports the step callbacks that send events through a
// client without event IDs.
func reportClientSends(pass *analysis.Pass, res *durable.Result, sends *callchain.Summaries, ig *ignore.Reporter) {
	for _, s := range res.Steps {
		if s.CallbackLit == nil {
			continue
		}
		ast.Inspect(s.CallbackLit.Body, func(n ast.Node) bool {
			if n == nil {
				return false
			}
			if lit, ok := n.(*ast.FuncLit); ok && (res.IsStepCallback(lit) || res.BodyOf(lit) != nil) {
				return false // reported with its own step
			}
			c, ok := sends.At(n)
			if !ok {
				return true
			}
			via := ""
			if len(c) > 1 {
				via = " via " + c.String()
			}
			stepSend, event := "step.SendEvent", "runtime.Event"
			if s.Profile == durable.Inngest {
				stepSend, event = "step.Send", "inngestgo.Event"
			}
			id := "its callback"
			if s.ID != nil {
				id = types.ExprString(s.ID)
			}
			d := analysis.Diagnostic{Pos: n.Pos(), End: n.End(),
				Message: fmt.Sprintf("step %s sends events through %s%s, with no event IDs: a retried step sends them again and starts duplicate runs; send them with %s (recorded once per run), or give each %s an ID derived from the run",
					id, c.Last(), via, stepSend, event)}
			if len(c) > 1 {
				d.Related = c.Related(pass.Fset)
			}
			ig.Report(d)
			return false
		})
	}
}

// irreversibleVerbs, leading a step ID, name an action whose repetition
// people see or pay for ("charge-card", "email-receipt", "transfer-funds").
var irreversibleVerbs = map[string]bool{
	"charge": true, "pay": true, "payout": true, "refund": true, "transfer": true, "withdraw": true,
	"disburse": true, "bill": true, "email": true, "mail": true, "sms": true, "text": true, "notify": true,
}

// moneyNouns after a generic leading verb ("create-charge",
// "capture-payment", "issue-refund") name a movement of money.
var moneyNouns = map[string]bool{
	"charge": true, "payment": true, "payout": true, "refund": true, "transfer": true, "withdrawal": true,
}

var genericVerbs = map[string]bool{
	"create": true, "capture": true, "issue": true, "process": true, "make": true, "execute": true,
	"initiate": true, "submit": true, "confirm": true,
}

// messageNouns after "send" name something that reaches a person
// ("send-email", "sendWelcomeMail", "send-receipt").
var messageNouns = map[string]bool{
	"email": true, "mail": true, "sms": true, "text": true, "notification": true, "notifications": true,
	"receipt": true, "invoice": true, "message": true, "reminder": true, "push": true, "payment": true,
	"money": true, "emails": true, "messages": true, "reminders": true,
}

// irreversibleName reports whether a step ID names an irreversible
// action: its first word is such a verb ("transfer-funds", not
// "record-payout" or "disable-email"), a generic verb is followed by a
// money noun, or "send" is followed by something that reaches a person.
func irreversibleName(id string) bool {
	w := words(id)
	if len(w) == 0 {
		return false
	}
	if irreversibleVerbs[w[0]] {
		return true
	}
	for i, x := range w[1:] {
		switch {
		case genericVerbs[w[0]] && moneyNouns[x]:
			return true
		case w[i] == "send" && messageNouns[x], w[0] == "send" && messageNouns[x]:
			return true
		}
	}
	return false
}

// irreversibleStep returns the first step.Run of the definition's body whose
// constant ID names an irreversible action and whose callback passes no
// idempotency key, or nil.
func irreversibleStep(pass *analysis.Pass, d *durable.Definition, passesKey *callchain.Summaries) *durable.StepCall {
	if d.Body == nil {
		return nil
	}
	for _, s := range d.Body.Steps {
		if s.Kind != durable.Run || s.ID == nil {
			continue
		}
		tv, ok := pass.TypesInfo.Types[s.ID]
		if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
			continue
		}
		if s.CallbackLit != nil && passesKeyThroughout(pass, s.CallbackLit, passesKey) {
			continue
		}
		if irreversibleName(constant.StringVal(tv.Value)) {
			return s
		}
	}
	return nil
}

// passesKeyThroughout reports whether a step's callback passes an
// idempotency key and calls none of the program's own functions (outside
// the standard library, vendor SDKs and the durable APIs) without one: a
// keyed Stripe call next to an unkeyed call of your own bank client still
// deserves the advice.
func passesKeyThroughout(pass *analysis.Pass, lit *ast.FuncLit, passesKey *callchain.Summaries) bool {
	keyed, unkeyedOwn := false, false
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		if n == nil || unkeyedOwn {
			return false
		}
		if _, ok := passesKey.At(n); ok {
			keyed = true
			return false
		}
		if keyNode(pass.TypesInfo, n) {
			keyed = true
		}
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		fn := durable.Callee(pass.TypesInfo, call)
		if fn == nil {
			fn = callchain.InterfaceMethod(pass.TypesInfo, call)
		}
		if fn != nil && fn.Pkg() != nil && !stdlib.Path(fn.Pkg().Path()) && !vendors.Known(fn.Pkg().Path()) &&
			durable.ProfileOfPackage(fn.Pkg().Path()) == durable.None {
			unkeyedOwn = true
		}
		return true
	})
	return keyed && !unkeyedOwn
}

// words splits an ID into lowercase words at separators and case changes.
func words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = nil
		}
	}
	prevLower := false
	for _, r := range s {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
			prevLower = false
			continue
		case unicode.IsUpper(r) && prevLower:
			flush()
		}
		cur = append(cur, unicode.ToLower(r))
		prevLower = unicode.IsLower(r)
	}
	flush()
	return out
}

// hasKey reports whether the definition's options set an Idempotency key.
func hasKey(pass *analysis.Pass, d *durable.Definition) bool {
	v := d.Field(d.Profile.IdempotencyField())
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

// keyNode reports whether n passes an idempotency key to a call: an
// IdempotencyKey field, SetIdempotencyKey (Stripe style), or an
// Idempotency-Key header.
func keyNode(info *types.Info, n ast.Node) bool {
	switch n := n.(type) {
	case *ast.KeyValueExpr:
		id, ok := n.Key.(*ast.Ident)
		return ok && id.Name == "IdempotencyKey"
	case *ast.SelectorExpr:
		return n.Sel.Name == "IdempotencyKey" || n.Sel.Name == "SetIdempotencyKey"
	case *ast.CallExpr:
		switch effects.Key(durable.Callee(info, n)) {
		case "net/http.Header.Set", "net/http.Header.Add":
			if len(n.Args) > 0 {
				s, ok := stringConst(info, n.Args[0])
				return ok && strings.EqualFold(s, "Idempotency-Key")
			}
		}
	}
	return false
}

// scan reports whether body passes an idempotency key to a call, and
// whether it gives the events it builds an ID (an ID field of an event
// literal, or an assignment to an event's ID).
func scan(info *types.Info, body *ast.BlockStmt) (keyed, ids bool) {
	ast.Inspect(body, func(n ast.Node) bool {
		if keyNode(info, n) {
			keyed = true
		}
		switch n := n.(type) {
		case *ast.CompositeLit:
			if isEventType(info.TypeOf(n)) && durable.FieldOf(n, "ID") != nil {
				ids = true
			}
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if sel, ok := ast.Unparen(l).(*ast.SelectorExpr); ok && sel.Sel.Name == "ID" && isEventType(info.TypeOf(sel.X)) {
					ids = true
				}
			}
		}
		return true
	})
	return keyed, ids
}

// isEventType reports whether t is an event a client sends: runtime.Event,
// inngestgo.Event or inngestgo.GenericEvent[T] (through a pointer).
func isEventType(t types.Type) bool {
	if t == nil {
		return false
	}
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return false
	}
	switch n.Obj().Pkg().Path() + "." + n.Obj().Name() {
	case durable.DurableRuntimePath + ".Event", durable.InngestPath + ".Event", durable.InngestPath + ".GenericEvent":
		return true
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
