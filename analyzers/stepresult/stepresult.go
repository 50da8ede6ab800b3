package stepresult

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/types"
	"reflect"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/ignore"
)

const name = "stepresult"

//go:embed doc.go
var doc string

// Analyzer reports step result types that cannot round-trip through JSON.
var Analyzer = &analysis.Analyzer{
	Name:      name,
	Doc:       durable.ExtractDoc(doc, name),
	URL:       durable.DocURL(name),
	Requires:  []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	Run:       run,
	FactTypes: []analysis.Fact{new(resultParamFact)},
}

// resultParamFact marks a generic function whose type parameters become the
// recorded result type of a step: checking happens where it is instantiated.
type resultParamFact struct {
	Uses []ParamUse
}

// ParamUse says that type parameter Index of a function reaches a step's
// recorded result through Chain ("load → step.Run").
type ParamUse struct {
	Index int
	Chain string
}

func (*resultParamFact) AFact() {}

func (f *resultParamFact) String() string {
	var parts []string
	for _, u := range f.Uses {
		parts = append(parts, fmt.Sprintf("%d:%s", u.Index, u.Chain))
	}
	return "recordsTypeParam(" + strings.Join(parts, ", ") + ")"
}

// recordedType returns the type a step call records in the journal, or nil.
func recordedType(info *types.Info, call *ast.CallExpr, kind durable.StepKind) types.Type {
	switch kind {
	case durable.Run, durable.WaitForEvent, durable.Invoke:
	default:
		return nil
	}
	targs := typeArgs(info, call)
	if targs == nil || targs.Len() == 0 {
		return nil
	}
	return targs.At(0)
}

// typeArgs returns the type arguments of a call of a generic function.
func typeArgs(info *types.Info, call *ast.CallExpr) *types.TypeList {
	fun := ast.Unparen(call.Fun)
	switch x := fun.(type) {
	case *ast.IndexExpr:
		fun = x.X
	case *ast.IndexListExpr:
		fun = x.X
	}
	var id *ast.Ident
	switch x := ast.Unparen(fun).(type) {
	case *ast.Ident:
		id = x
	case *ast.SelectorExpr:
		id = x.Sel
	default:
		return nil
	}
	inst, ok := info.Instances[id]
	if !ok {
		return nil
	}
	return inst.TypeArgs
}

func run(pass *analysis.Pass) (any, error) {
	if !pass.ResultOf[durable.Analyzer].(*durable.Result).Relevant {
		return nil, nil
	}
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	rep := ignore.New(pass, name)
	defer rep.Finish()

	// Generic functions of this package whose type parameters reach a step's
	// recorded result, found by iterating to a fixed point so that chains of
	// generic helpers are followed whatever their order in the source.
	local := map[*types.Func]*resultParamFact{}
	var generic []*ast.FuncDecl
	for n := range ins.PreorderSeq((*ast.FuncDecl)(nil)) {
		fd := n.(*ast.FuncDecl)
		if fd.Body != nil && fd.Type.TypeParams != nil && len(fd.Type.TypeParams.List) > 0 {
			generic = append(generic, fd)
		}
	}
	factOf := func(fn *types.Func) *resultParamFact {
		fn = fn.Origin()
		if f, ok := local[fn]; ok {
			return f
		}
		if fn.Pkg() != pass.Pkg {
			f := new(resultParamFact)
			if pass.ImportObjectFact(fn, f) {
				return f
			}
		}
		return nil
	}
	for changed := true; changed; {
		changed = false
		for _, fd := range generic {
			fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func)
			if !ok {
				continue
			}
			tparams := fn.Type().(*types.Signature).TypeParams()
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				for _, u := range recordedUses(pass, call, factOf) {
					tp, ok := types.Unalias(u.t).(*types.TypeParam)
					if !ok || tp.Index() >= tparams.Len() || tparams.At(tp.Index()) != tp {
						continue
					}
					f := local[fn]
					if f == nil {
						f = new(resultParamFact)
						local[fn] = f
					}
					if !f.has(tp.Index()) {
						f.Uses = append(f.Uses, ParamUse{Index: tp.Index(), Chain: fd.Name.Name + " → " + u.chain})
						changed = true
					}
				}
				return true
			})
		}
	}
	for fn, f := range local {
		sort.Slice(f.Uses, func(i, j int) bool { return f.Uses[i].Index < f.Uses[j].Index })
		pass.ExportObjectFact(fn, f)
	}

	// Calls whose value is thrown away: an `any` result that nobody reads
	// cannot be misread on replay.
	discarded := map[*ast.CallExpr]bool{}
	for n := range ins.PreorderSeq((*ast.ExprStmt)(nil), (*ast.AssignStmt)(nil)) {
		switch n := n.(type) {
		case *ast.ExprStmt:
			if call, ok := ast.Unparen(n.X).(*ast.CallExpr); ok {
				discarded[call] = true
			}
		case *ast.AssignStmt:
			if len(n.Rhs) == 1 {
				if call, ok := ast.Unparen(n.Rhs[0]).(*ast.CallExpr); ok {
					if id, ok := n.Lhs[0].(*ast.Ident); ok && id.Name == "_" {
						discarded[call] = true
					}
				}
			}
		}
	}

	for n := range ins.PreorderSeq((*ast.CallExpr)(nil)) {
		call := n.(*ast.CallExpr)
		for _, u := range recordedUses(pass, call, factOf) {
			if containsTypeParam(u.t) {
				continue
			}
			c := &checker{pass: pass, seen: map[types.Type]bool{}}
			where, why := c.check(u.t, "", true)
			if why == "" {
				continue
			}
			if iface, isIface := u.t.Underlying().(*types.Interface); isIface {
				if selfDecoding(pass, u, iface.Empty()) || (iface.Empty() && (discarded[call] || !returnsConcrete(pass, u))) {
					continue
				}
			}
			tname := types.TypeString(u.t, types.RelativeTo(pass.Pkg))
			what := fmt.Sprintf("result type %s", tname)
			if where != "" {
				why = where + ": " + why
			}
			rep.Report(analysis.Diagnostic{
				Pos:     call.Pos(),
				End:     call.End(),
				Message: fmt.Sprintf("%s records %s, which cannot round-trip through JSON: %s", u.chain, what, why),
			})
		}
	}
	checkAssertions(pass, ins, rep, pass.ResultOf[durable.Analyzer].(*durable.Result), factOf)
	return nil, nil
}

func (f *resultParamFact) has(i int) bool {
	for _, u := range f.Uses {
		if u.Index == i {
			return true
		}
	}
	return false
}

type use struct {
	t     types.Type
	chain string
	cb    ast.Expr // the callback of a step.Run, or nil
}

// recordedUses returns the types a call records as step results: the type
// argument of a step call, or the instantiated type parameters of a generic
// helper that passes them to a step.
func recordedUses(pass *analysis.Pass, call *ast.CallExpr, factOf func(*types.Func) *resultParamFact) []use {
	fn := durable.Callee(pass.TypesInfo, call)
	if fn == nil {
		return nil
	}
	if kind, profile := durable.ClassifyStep(fn); kind != durable.NotAStep {
		t := recordedType(pass.TypesInfo, call, kind)
		if t == nil {
			return nil
		}
		u := use{t: t, chain: kind.Name(profile)}
		if kind == durable.Run && len(call.Args) >= 3 { // options may follow the callback
			u.cb = call.Args[2]
		}
		return []use{u}
	}
	f := factOf(fn)
	if f == nil {
		return nil
	}
	targs := typeArgs(pass.TypesInfo, call)
	if targs == nil {
		return nil
	}
	var out []use
	for _, pu := range f.Uses {
		if pu.Index < targs.Len() {
			chain := pu.Chain
			if fn.Pkg() != pass.Pkg {
				chain = fn.Pkg().Name() + "." + chain
			}
			out = append(out, use{t: targs.At(pu.Index), chain: chain})
		}
	}
	return out
}

func containsTypeParam(t types.Type) bool {
	found := false
	seen := map[types.Type]bool{}
	var walk func(types.Type)
	walk = func(t types.Type) {
		if found || t == nil || seen[t] {
			return
		}
		seen[t] = true
		switch t := t.(type) {
		case *types.TypeParam:
			found = true
		case *types.Alias:
			walk(types.Unalias(t))
		case *types.Named:
			if ta := t.TypeArgs(); ta != nil {
				for i := range ta.Len() {
					walk(ta.At(i))
				}
			}
		case *types.Pointer:
			walk(t.Elem())
		case *types.Slice:
			walk(t.Elem())
		case *types.Array:
			walk(t.Elem())
		case *types.Map:
			walk(t.Key())
			walk(t.Elem())
		case *types.Chan:
			walk(t.Elem())
		case *types.Struct:
			for i := range t.NumFields() {
				walk(t.Field(i).Type())
			}
		}
	}
	walk(t)
	return found
}

// selfDecoding reports whether an interface-typed step result is harmless
// because the callback only ever returns values that JSON gives back as
// they were: nil, or (for `any`, when values is true) a string, a bool or
// a float64.
func selfDecoding(pass *analysis.Pass, u use, values bool) bool {
	lit, ok := ast.Unparen(u.cb).(*ast.FuncLit)
	if !ok {
		return false
	}
	returns := 0
	all := true
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			returns++
			if len(n.Results) != 2 {
				all = false
				return false
			}
			tv, ok := pass.TypesInfo.Types[n.Results[0]]
			if !ok || !(tv.IsNil() || (values && jsonScalar(tv.Type))) {
				all = false
			}
		}
		return true
	})
	return returns > 0 && all
}

// returnsConcrete reports whether a step.Run callback puts a value of a
// known concrete type into its `any` result (return Order{...}, nil): that
// type is what JSON loses. An `any` passed through from elsewhere (a
// setting, another any) or the result of an invoke or a wait is not a bug
// by itself; the type assertions on it are checked where they are.
func returnsConcrete(pass *analysis.Pass, u use) bool {
	lit, ok := ast.Unparen(u.cb).(*ast.FuncLit)
	if !ok {
		return false
	}
	found := false
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if len(n.Results) == 2 {
				if tv, ok := pass.TypesInfo.Types[n.Results[0]]; ok && !tv.IsNil() && !types.IsInterface(tv.Type) && !jsonScalar(tv.Type) {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// decodesAsItself reports whether a value of type t, stored in an `any`,
// comes back from JSON with the same dynamic type: string, bool, float64
// (and untyped string and bool constants), map[string]any, []any.
func decodesAsItself(t types.Type) bool {
	if _, alias := t.(*types.Alias); !alias {
		if _, named := t.(*types.Named); named {
			return false // a named type decodes as its underlying JSON value
		}
	}
	switch u := types.Unalias(t).(type) {
	case *types.Basic:
		switch u.Kind() {
		case types.String, types.UntypedString, types.Bool, types.UntypedBool, types.Float64, types.UntypedFloat:
			return true
		}
	case *types.Map:
		b, ok := u.Key().(*types.Basic)
		return ok && b.Kind() == types.String && isEmptyInterface(u.Elem())
	case *types.Slice:
		return isEmptyInterface(u.Elem())
	case *types.Interface:
		return true // asserting to an interface is a question about behaviour
	}
	return false
}

// jsonScalar reports whether t is string, bool or float64 (or an untyped
// constant of those kinds): a value JSON gives back with its type, all of
// it (a map[string]any may hold ints that come back as float64).
func jsonScalar(t types.Type) bool {
	b, ok := t.(*types.Basic)
	if !ok {
		return false
	}
	switch b.Kind() {
	case types.String, types.UntypedString, types.Bool, types.UntypedBool, types.Float64, types.UntypedFloat:
		return true
	}
	return false
}

func isEmptyInterface(t types.Type) bool {
	i, ok := types.Unalias(t).(*types.Interface)
	return ok && i.Empty()
}

type checker struct {
	pass *analysis.Pass
	seen map[types.Type]bool
}

var (
	jsonMethods = []string{"MarshalJSON", "UnmarshalJSON", "MarshalText", "UnmarshalText"}
)

// custom reports whether t (or *t) controls its own JSON encoding.
func custom(t types.Type) bool {
	if _, ok := t.Underlying().(*types.Interface); ok {
		return false
	}
	ms := types.NewMethodSet(types.NewPointer(t))
	for _, m := range jsonMethods {
		if ms.Lookup(nil, m) != nil {
			return true
		}
	}
	return false
}

func (c *checker) name(t types.Type) string {
	return types.TypeString(t, types.RelativeTo(c.pass.Pkg))
}

// check returns where in t a problem lies ("Order.Done") and why, or "" when
// t round-trips through encoding/json.
func (c *checker) check(t types.Type, path string, top bool) (string, string) {
	t = types.Unalias(t)
	if _, ok := t.(*types.TypeParam); ok {
		return "", ""
	}
	if c.seen[t] {
		return "", ""
	}
	if _, ok := t.(*types.Named); ok {
		c.seen[t] = true
		if custom(t) {
			return "", ""
		}
	}
	at := func(why string) (string, string) {
		if path == "" {
			return "", why
		}
		return path, why
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch u.Kind() {
		case types.Complex64, types.Complex128, types.UntypedComplex:
			return at("complex numbers cannot be encoded")
		case types.UnsafePointer:
			return at("an unsafe.Pointer cannot be encoded")
		}
	case *types.Chan:
		return at("a channel cannot be encoded")
	case *types.Signature:
		return at("a func cannot be encoded")
	case *types.Interface:
		if u.Empty() {
			if top {
				return at("an interface result is decoded on replay as map[string]any, []any, float64, string or bool, not as the type the step returned; give the step a concrete result type")
			}
			return "", ""
		}
		return at(fmt.Sprintf("the interface %s cannot be decoded (json cannot pick a concrete type), so replay fails; return a concrete type", c.name(t)))
	case *types.Pointer:
		return c.check(u.Elem(), path, false)
	case *types.Slice:
		return c.check(u.Elem(), path, false)
	case *types.Array:
		return c.check(u.Elem(), path, false)
	case *types.Map:
		k := u.Key()
		ok := custom(k)
		if b, isBasic := k.Underlying().(*types.Basic); isBasic && b.Info()&(types.IsString|types.IsInteger) != 0 {
			ok = true
		}
		if !ok {
			return at(fmt.Sprintf("a map with key type %s cannot be encoded (keys must be strings, integers or implement encoding.TextMarshaler)", c.name(k)))
		}
		return c.check(u.Elem(), path, false)
	case *types.Struct:
		if u.NumFields() == 0 {
			return "", ""
		}
		visible := 0
		for i := range u.NumFields() {
			f := u.Field(i)
			tag := reflect.StructTag(u.Tag(i)).Get("json")
			if tag == "-" {
				continue
			}
			if !f.Exported() && !(f.Embedded() && isStruct(f.Type())) {
				continue
			}
			visible++
			fpath := path
			if fpath == "" {
				fpath = c.name(t)
				if _, named := t.(*types.Named); !named {
					fpath = "struct"
				}
			}
			if w, why := c.check(f.Type(), fpath+"."+f.Name(), false); why != "" {
				return w, why
			}
		}
		if visible == 0 {
			return at(fmt.Sprintf("%s has no exported fields, so it encodes as {} and decodes to its zero value", c.name(t)))
		}
	}
	return "", ""
}

func isStruct(t types.Type) bool {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	_, ok := t.Underlying().(*types.Struct)
	return ok
}
