package durable

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"reflect"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/internal/callchain"
)

// Analyzer finds the durable functions and steps of a package. It reports
// nothing; other analyzers require it and read its *Result.
var Analyzer = &analysis.Analyzer{
	Name:             "durablefuncs",
	Doc:              "find durable function bodies, definitions and step calls (shared by the durable analyzers)",
	URL:              DocsBaseURL + "README.md",
	Requires:         []*analysis.Analyzer{inspect.Analyzer},
	ResultType:       reflect.TypeFor[*Result](),
	FactTypes:        []analysis.Fact{(*StartsStep)(nil), (*DefinesFunctions)(nil), (*PackageInfo)(nil)},
	RunDespiteErrors: true,
	Run:              run,
}

// StartsStep is the fact that a function starts a step, directly or through
// the calls of its chain (whose last hop is the step call).
type StartsStep struct{ Chain callchain.Chain }

func (*StartsStep) AFact()           {}
func (f *StartsStep) String() string { return "startsStep(" + f.Chain.String() + ")" }

// DefinesFunctions is the fact that a function's code defines durable
// functions (runtime.NewFunction, inngestgo.CreateFunction): a
// registration helper, whose function literal arguments are the bodies of
// the functions it defines (see Result.Prune).
type DefinesFunctions struct{}

func (*DefinesFunctions) AFact()         {}
func (*DefinesFunctions) String() string { return "definesFunctions" }

// PackageInfo is the fact that a package is relevant to durable functions:
// it defines durable functions or bodies, or functions that start steps.
type PackageInfo struct {
	Bodies, Definitions, StepStarters int
}

func (*PackageInfo) AFact() {}
func (f *PackageInfo) String() string {
	return fmt.Sprintf("durable(bodies=%d definitions=%d stepStarters=%d)", f.Bodies, f.Definitions, f.StepStarters)
}

// Origin says how a body was recognised.
type Origin uint8

const (
	// Literal: a function literal with a handler signature (given to
	// NewFunction/CreateFunction, assigned, or returned by a factory).
	Literal Origin = iota + 1
	// Declared: a function or method declared with a handler signature
	// (its second parameter is runtime.Input[T] or inngestgo.Input[T]).
	Declared
)

// Body is the body of a durable function: code that the engine replays from
// the top on every resume, so it must be deterministic outside steps.
type Body struct {
	Profile Profile
	Origin  Origin
	// Node is the *ast.FuncLit or *ast.FuncDecl.
	Node  ast.Node
	Type  *ast.FuncType
	Block *ast.BlockStmt
	// Func is the declared function or method (Origin Declared), or nil.
	Func *types.Func
	// Factory is the function declared in this package that returns this
	// literal (a handler built by a helper), or nil.
	Factory *types.Func
	// Ctx and Input are the handler's parameters (nil when unnamed or "_").
	Ctx, Input *types.Var
	// Name describes the body in messages: the function ID when a
	// definition in this package gives it one, else its Go name.
	Name string
	// Defs are the definitions in this package that use this body.
	Defs []*Definition
	// Steps are the step calls lexically inside the body, callbacks included.
	Steps []*StepCall
}

// Definition is a call to runtime.NewFunction or inngestgo.CreateFunction.
type Definition struct {
	Profile Profile
	Call    *ast.CallExpr
	// Opts is the options argument; OptsLit is the composite literal it is
	// (through & or a local variable's initialiser), or nil.
	Opts    ast.Expr
	OptsLit *ast.CompositeLit
	Trigger ast.Expr
	Handler ast.Expr
	// HandlerFunc is the named function or method given as handler, or the
	// factory whose call result is the handler; possibly of another package.
	HandlerFunc *types.Func
	// Body is the handler's body when it is in this package, or nil.
	Body *Body
	// Var is the variable the defined function is assigned to, or nil.
	Var types.Object
	// ID is the constant function ID, or "".
	ID string
}

// Field returns the value of the named field of the options literal, or nil.
func (d *Definition) Field(name string) ast.Expr { return FieldOf(d.OptsLit, name) }

// FieldOf returns the value of the named field of a keyed composite literal, or nil.
func FieldOf(lit *ast.CompositeLit, name string) ast.Expr {
	if lit == nil {
		return nil
	}
	for _, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && id.Name == name {
				return kv.Value
			}
		}
	}
	return nil
}

// StepCall is a call to a step function.
type StepCall struct {
	Kind    StepKind
	Profile Profile
	Call    *ast.CallExpr
	// ID is the step ID argument (nil for Parallel).
	ID ast.Expr
	// Callback is step.Run's function argument; CallbackLit is that
	// argument when it is a function literal.
	Callback    ast.Expr
	CallbackLit *ast.FuncLit
	// Branches are Parallel's branch arguments.
	Branches []ast.Expr
	// Opts is the options argument of WaitForEvent and Invoke, or nil.
	Opts ast.Expr
	// Body is the innermost durable body containing the call, or nil.
	Body *Body
	// Parent is the innermost step whose callback literal contains this
	// call, or nil.
	Parent *StepCall

	callee string // the step function's own name: "Send", "SendMany"
}

// Name is the step function's name as the code calls it ("step.Run",
// "group.Parallel", and "step.Send" rather than step.SendEvent for the
// Inngest SDK).
func (s *StepCall) Name() string {
	if s.Kind == SendEvent && s.Profile == Inngest && s.callee != "" {
		return "step." + s.callee
	}
	return s.Kind.Name(s.Profile)
}

// Result is what Analyzer finds in a package.
type Result struct {
	// Relevant is false when the package imports no durable API and no
	// package that defines durable bodies or step-starting helpers; then
	// every other field is empty and analyzers can return at once.
	Relevant    bool
	Bodies      []*Body
	Definitions []*Definition
	Steps       []*StepCall

	pass   *analysis.Pass
	bodyOf map[ast.Node]*Body
	stepOf map[*ast.CallExpr]*StepCall
	// callbacks are the callback literals of step.Run calls.
	callbacks map[*ast.FuncLit]*StepCall
	// registered are function literals handed to a registration helper: a
	// function or closure that defines durable functions, of this package
	// or (by its DefinesFunctions fact) of another one.
	registered map[*ast.FuncLit]bool
	starts     *callchain.Summaries
}

// BodyOf returns the body whose node (*ast.FuncLit or *ast.FuncDecl) is n, or nil.
func (r *Result) BodyOf(n ast.Node) *Body { return r.bodyOf[n] }

// Step returns the step call that call is, or nil.
func (r *Result) Step(call *ast.CallExpr) *StepCall { return r.stepOf[call] }

// IsStepCallback reports whether lit is the callback of a step.Run call.
func (r *Result) IsStepCallback(lit *ast.FuncLit) bool { return r.callbacks[lit] != nil }

// IsRegistered reports whether lit is handed to a registration helper, a
// function or closure (of any package) that defines durable functions
// (`register("sync-users", func(ctx context.Context, ev Event) error
// {...})`): its steps belong to the function that helper defines, not to
// the code that calls the helper.
func (r *Result) IsRegistered(lit *ast.FuncLit) bool { return r.registered[lit] }

// Prune reports whether the steps under n belong to another unit than the
// code around n: n is a durable body (a function the code defines), a
// literal handed to a registration helper, or a step callback (whose
// nested steps are the callback's business, see nestedstep). The
// StartsStep summaries skip these subtrees, so a constructor, main or a
// registration helper does not "start steps" because of the functions it
// defines.
func (r *Result) Prune(n ast.Node) bool {
	lit, ok := n.(*ast.FuncLit)
	return ok && (r.bodyOf[lit] != nil || r.callbacks[lit] != nil || r.registered[lit])
}

// StartsStep returns the chain through which fn (of this package or any
// other) starts a step.
func (r *Result) StartsStep(fn *types.Func) (callchain.Chain, bool) {
	if r.starts == nil {
		return nil, false
	}
	return r.starts.Of(fn)
}

// StartsStepAt returns the chain through which node n starts a step: a
// one-hop chain for a step call, or a call to a helper that starts one.
func (r *Result) StartsStepAt(n ast.Node) (callchain.Chain, bool) {
	if r.starts == nil {
		return nil, false
	}
	return r.starts.At(n)
}

// EnclosingBody returns the innermost body containing pos, or nil.
func (r *Result) EnclosingBody(pos token.Pos) *Body {
	var best *Body
	for _, b := range r.Bodies {
		if b.Node.Pos() <= pos && pos < b.Node.End() {
			if best == nil || b.Node.Pos() >= best.Node.Pos() {
				best = b
			}
		}
	}
	return best
}

// WalkOutsideSteps calls visit for every node of b's block that runs in the
// function body itself, on every replay: it does not descend into step.Run
// callbacks (whose effects are memoized) nor into other durable bodies.
// Parallel branches are visited: outside their own steps they are body code.
// visit returns false to skip a node's children.
func (r *Result) WalkOutsideSteps(b *Body, visit func(n ast.Node) bool) {
	ast.Inspect(b.Block, func(n ast.Node) bool {
		if n == nil {
			return false
		}
		if lit, ok := n.(*ast.FuncLit); ok {
			if r.bodyOf[lit] != nil || r.IsStepCallback(lit) {
				return false
			}
		}
		return visit(n)
	})
}

// WalkStepCallbacks calls visit(s, n) for every node inside the callback
// literal of each step.Run in b, not descending into nested step callbacks'
// own callbacks twice: each node is visited once, with the innermost step.
func (r *Result) WalkStepCallbacks(b *Body, visit func(s *StepCall, n ast.Node) bool) {
	for _, s := range b.Steps {
		if s.CallbackLit == nil {
			continue
		}
		ast.Inspect(s.CallbackLit.Body, func(n ast.Node) bool {
			if n == nil {
				return false
			}
			if lit, ok := n.(*ast.FuncLit); ok && (r.IsStepCallback(lit) || r.bodyOf[lit] != nil) {
				return false
			}
			return visit(s, n)
		})
	}
}

func imports(pkg *types.Package) (direct bool) {
	for _, imp := range pkg.Imports() {
		if ProfileOfPackage(imp.Path()) != None {
			return true
		}
	}
	return false
}

func run(pass *analysis.Pass) (any, error) {
	res := &Result{pass: pass, bodyOf: map[ast.Node]*Body{}, stepOf: map[*ast.CallExpr]*StepCall{},
		callbacks: map[*ast.FuncLit]*StepCall{}, registered: map[*ast.FuncLit]bool{}}
	// Fast path: nothing here can define bodies or start steps.
	if ProfileOfPackage(pass.Pkg.Path()) != None {
		return res, nil // the API packages themselves
	}
	relevant := imports(pass.Pkg)
	if !relevant {
		for _, imp := range pass.Pkg.Imports() {
			if pass.ImportPackageFact(imp, new(PackageInfo)) {
				relevant = true
				break
			}
		}
	}
	if !relevant {
		return res, nil
	}
	res.Relevant = true
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	info := pass.TypesInfo

	// Bodies, definitions and steps, in source order.
	var factoryOf = map[*ast.FuncLit]*types.Func{}
	// definers are the functions and closure variables of this package
	// whose code defines durable functions (registration helpers).
	definers := map[types.Object]bool{}
	for cur := range insp.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil), (*ast.CallExpr)(nil), (*ast.ReturnStmt)(nil)) {
		switch n := cur.Node().(type) {
		case *ast.FuncDecl:
			fn, _ := info.Defs[n.Name].(*types.Func)
			if fn == nil || n.Body == nil {
				continue
			}
			if p := HandlerProfile(fn.Type().(*types.Signature)); p != None {
				b := &Body{Profile: p, Origin: Declared, Node: n, Type: n.Type, Block: n.Body, Func: fn, Name: FuncDisplayName(fn)}
				b.Ctx, b.Input = params(info, n.Type)
				res.add(b)
			}
		case *ast.ReturnStmt:
			// Remember literals returned by a declared function (factories).
			for _, e := range n.Results {
				if lit, ok := ast.Unparen(e).(*ast.FuncLit); ok {
					for c := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
						if d, ok := c.Node().(*ast.FuncDecl); ok {
							if fn, _ := info.Defs[d.Name].(*types.Func); fn != nil {
								factoryOf[lit] = fn
							}
						}
						break
					}
				}
			}
		case *ast.FuncLit:
			tv, ok := info.Types[n]
			if !ok {
				continue
			}
			if p := HandlerTypeProfile(tv.Type); p != None {
				b := &Body{Profile: p, Origin: Literal, Node: n, Type: n.Type, Block: n.Body, Name: "function literal"}
				b.Ctx, b.Input = params(info, n.Type)
				res.add(b)
			}
		case *ast.CallExpr:
			fn := Callee(info, n)
			if fn == nil {
				continue
			}
			if k, p := ClassifyStep(fn); k != NotAStep {
				res.addStep(n, k, p).callee = fn.Name()
				continue
			}
			if p := ClassifyDefine(fn); p != None {
				d := newDefinition(pass, n, p)
				if d == nil {
					continue
				}
				// The variable the definition is assigned to.
				parent := cur.Parent().Node()
				switch parent := parent.(type) {
				case *ast.ValueSpec:
					for i, v := range parent.Values {
						if v == n && i < len(parent.Names) {
							d.Var = info.Defs[parent.Names[i]]
						}
					}
				case *ast.AssignStmt:
					if len(parent.Rhs) == 1 && parent.Rhs[0] == n && len(parent.Lhs) >= 1 {
						if id, ok := parent.Lhs[0].(*ast.Ident); ok {
							d.Var = info.ObjectOf(id)
						}
					} else {
						for i, v := range parent.Rhs {
							if v == n && i < len(parent.Lhs) {
								if id, ok := parent.Lhs[i].(*ast.Ident); ok {
									d.Var = info.ObjectOf(id)
								}
							}
						}
					}
				}
				res.Definitions = append(res.Definitions, d)
				if obj := enclosingFuncObject(info, cur); obj != nil {
					definers[obj] = true
				}
			}
		}
	}
	for _, b := range res.Bodies {
		if lit, ok := b.Node.(*ast.FuncLit); ok {
			b.Factory = factoryOf[lit]
			if b.Factory != nil {
				b.Name = FuncDisplayName(b.Factory) + " (returned handler)"
			}
		}
	}
	// Link definitions to local bodies.
	for _, d := range res.Definitions {
		switch h := ast.Unparen(d.Handler).(type) {
		case *ast.FuncLit:
			d.Body = res.bodyOf[h]
		default:
			if d.HandlerFunc != nil && d.HandlerFunc.Pkg() == pass.Pkg {
				for _, b := range res.Bodies {
					if (b.Func != nil && b.Func == d.HandlerFunc) || (b.Factory != nil && b.Factory == d.HandlerFunc) {
						d.Body = b
						break
					}
				}
			}
		}
		if d.Body != nil {
			d.Body.Defs = append(d.Body.Defs, d)
			if d.ID != "" && len(d.Body.Defs) == 1 {
				d.Body.Name = fmt.Sprintf("%q", d.ID)
			}
		}
	}
	// Registration helpers declared here are known to other packages.
	for obj := range definers {
		if fn, ok := obj.(*types.Func); ok && fn.Pkg() == pass.Pkg {
			pass.ExportObjectFact(fn, &DefinesFunctions{})
		}
	}
	// Literals handed to registration helpers.
	for cur := range insp.Root().Preorder((*ast.CallExpr)(nil)) {
		call := cur.Node().(*ast.CallExpr)
		obj := calleeObject(info, call)
		if obj == nil {
			continue
		}
		if !definers[obj] {
			fn, ok := obj.(*types.Func)
			if !ok || fn.Pkg() == pass.Pkg || !pass.ImportObjectFact(fn, new(DefinesFunctions)) {
				continue
			}
		}
		for _, a := range call.Args {
			if lit, ok := ast.Unparen(a).(*ast.FuncLit); ok && res.bodyOf[lit] == nil {
				res.registered[lit] = true
			}
		}
	}
	// Enclosing bodies and parent steps.
	for _, s := range res.Steps {
		s.Body = res.EnclosingBody(s.Call.Pos())
		if s.Body != nil {
			s.Body.Steps = append(s.Body.Steps, s)
		}
		for _, o := range res.Steps {
			if o == s || o.CallbackLit == nil {
				continue
			}
			if o.CallbackLit.Pos() <= s.Call.Pos() && s.Call.End() <= o.CallbackLit.End() {
				if s.Parent == nil || o.CallbackLit.Pos() > s.Parent.CallbackLit.Pos() {
					s.Parent = o
				}
			}
		}
	}

	// Functions that start steps, through helpers of any package.
	res.starts = callchain.Summarize(pass, insp, callchain.Config{
		Direct: func(n ast.Node) (string, bool) {
			if call, ok := n.(*ast.CallExpr); ok {
				if k, p := ClassifyStep(Callee(info, call)); k != NotAStep {
					return k.Name(p), true
				}
			}
			return "", false
		},
		Imported: func(fn *types.Func) (callchain.Chain, bool) {
			var f StartsStep
			if pass.ImportObjectFact(fn, &f) {
				return f.Chain, true
			}
			return nil, false
		},
		Prune: res.Prune,
	})
	res.starts.ExportFacts(func(c callchain.Chain) analysis.Fact { return &StartsStep{Chain: c} })
	starters, _ := res.starts.Local()
	if len(res.Bodies) > 0 || len(res.Definitions) > 0 || len(starters) > 0 {
		pass.ExportPackageFact(&PackageInfo{Bodies: len(res.Bodies), Definitions: len(res.Definitions), StepStarters: len(starters)})
	}
	return res, nil
}

func (r *Result) add(b *Body) {
	r.Bodies = append(r.Bodies, b)
	r.bodyOf[b.Node] = b
}

func (r *Result) addStep(call *ast.CallExpr, k StepKind, p Profile) *StepCall {
	s := &StepCall{Kind: k, Profile: p, Call: call}
	arg := func(i int) ast.Expr {
		if i < len(call.Args) {
			return call.Args[i]
		}
		return nil
	}
	if k != Parallel {
		s.ID = arg(1)
	}
	switch k {
	case Run:
		s.Callback = arg(2)
		s.CallbackLit, _ = ast.Unparen(s.Callback).(*ast.FuncLit)
		if s.CallbackLit != nil {
			r.callbacks[s.CallbackLit] = s
		}
	case Parallel:
		if len(call.Args) > 1 {
			s.Branches = call.Args[1:]
		}
	case WaitForEvent, Invoke:
		if p == Durable {
			s.Opts = arg(3)
		} else {
			s.Opts = arg(2)
		}
	}
	r.Steps = append(r.Steps, s)
	r.stepOf[call] = s
	return s
}

func newDefinition(pass *analysis.Pass, call *ast.CallExpr, p Profile) *Definition {
	d := &Definition{Profile: p, Call: call}
	base := 0
	if p == Inngest {
		base = 1 // CreateFunction(client, opts, trigger, handler)
	}
	if len(call.Args) < base+3 {
		return nil
	}
	d.Opts, d.Trigger, d.Handler = call.Args[base], call.Args[base+1], call.Args[base+2]
	d.OptsLit = compositeOf(pass.TypesInfo, d.Opts)
	if id := d.Field("ID"); id != nil {
		if tv, ok := pass.TypesInfo.Types[id]; ok && tv.Value != nil && tv.Value.Kind() == constant.String {
			d.ID = constant.StringVal(tv.Value)
		}
	}
	d.HandlerFunc = FuncOf(pass.TypesInfo, d.Handler)
	return d
}

// enclosingFuncObject returns the function declared around cur, or the
// variable a function literal around cur is assigned to (a closure such as
// `register := func(...) {...}`), or nil.
func enclosingFuncObject(info *types.Info, cur inspector.Cursor) types.Object {
	for c := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		switch n := c.Node().(type) {
		case *ast.FuncDecl:
			return info.Defs[n.Name]
		case *ast.FuncLit:
			switch p := c.Parent().Node().(type) {
			case *ast.AssignStmt:
				for i, r := range p.Rhs {
					if r == n && i < len(p.Lhs) {
						if id, ok := p.Lhs[i].(*ast.Ident); ok {
							return info.ObjectOf(id)
						}
					}
				}
			case *ast.ValueSpec:
				for i, v := range p.Values {
					if v == n && i < len(p.Names) {
						return info.Defs[p.Names[i]]
					}
				}
			}
			return nil
		}
	}
	return nil
}

// calleeObject is the function or closure variable a call calls, or nil.
func calleeObject(info *types.Info, call *ast.CallExpr) types.Object {
	if fn := Callee(info, call); fn != nil {
		return fn
	}
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if v, ok := info.Uses[id].(*types.Var); ok {
			return v
		}
	}
	return nil
}

// compositeOf returns the composite literal e is, through parentheses and &.
func compositeOf(info *types.Info, e ast.Expr) *ast.CompositeLit {
	e = ast.Unparen(e)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = ast.Unparen(u.X)
	}
	lit, _ := e.(*ast.CompositeLit)
	return lit
}

// FuncOf returns the function e denotes: a function or method name (through
// instantiation), a method value, or the callee of a call (a factory).
func FuncOf(info *types.Info, e ast.Expr) *types.Func {
	e = ast.Unparen(e)
	switch x := e.(type) {
	case *ast.IndexExpr:
		e = x.X
	case *ast.IndexListExpr:
		e = x.X
	case *ast.CallExpr:
		return Callee(info, x)
	}
	var obj types.Object
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		obj = info.Uses[x]
	case *ast.SelectorExpr:
		if sel, ok := info.Selections[x]; ok {
			obj = sel.Obj()
		} else {
			obj = info.Uses[x.Sel]
		}
	}
	if fn, ok := obj.(*types.Func); ok {
		return fn.Origin()
	}
	return nil
}

func params(info *types.Info, ft *ast.FuncType) (ctx, in *types.Var) {
	var vars []*types.Var
	for _, f := range ft.Params.List {
		for _, n := range f.Names {
			v, _ := info.Defs[n].(*types.Var)
			if n.Name == "_" {
				v = nil
			}
			vars = append(vars, v)
		}
	}
	if len(vars) == 2 {
		return vars[0], vars[1]
	}
	return nil, nil
}

// FuncDisplayName is fn's name as messages show it: "Charge", "Service.Charge".
func FuncDisplayName(fn *types.Func) string {
	name := callchain.FuncName(fn)
	if i := strings.IndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}
