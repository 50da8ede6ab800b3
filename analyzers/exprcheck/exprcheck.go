package exprcheck

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/durable-go/durable/analyzers/internal/catalogs"
	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/ignore"
	"github.com/durable-go/durable/codegen/catalog"
)

//go:embed doc.go
var doc string

const name = "exprcheck"

// Analyzer reports CEL expressions that do not compile or name missing fields.
var Analyzer = &analysis.Analyzer{
	Name:     name,
	Doc:      durable.ExtractDoc(doc, name),
	URL:      durable.DocURL(name),
	Requires: []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	Run:      run,
}

var catalogFlag string

func init() {
	Analyzer.Flags.StringVar(&catalogFlag, "catalog", "", "the event catalog (durable.yaml) to resolve event fields against; default: the nearest durable.yaml in the package's directory or above")
}

// shape is what is known of a value's JSON shape.
type shape interface {
	// field returns the shape of a field, whether it exists, and the
	// names that do exist (for messages).
	field(name string) (shape, bool, []string)
	// elem is the shape of an element (list index or map value).
	elem() shape
	describe() string
}

// unknown accepts everything.
type unknown struct{}

func (unknown) field(string) (shape, bool, []string) { return unknown{}, true, nil }
func (unknown) elem() shape                          { return unknown{} }
func (unknown) describe() string                     { return "any" }

// object is a shape with named fields.
type object struct {
	name   string
	fields map[string]shape
}

func (o object) field(n string) (shape, bool, []string) {
	if s, ok := o.fields[n]; ok {
		return s, true, nil
	}
	names := make([]string, 0, len(o.fields))
	for k := range o.fields {
		names = append(names, k)
	}
	sort.Strings(names)
	return nil, false, names
}
func (o object) elem() shape      { return unknown{} }
func (o object) describe() string { return o.name }

// scalar has no fields.
type scalar struct{ kind string }

func (s scalar) field(string) (shape, bool, []string) { return nil, false, nil }
func (s scalar) elem() shape                          { return unknown{} }
func (s scalar) describe() string                     { return s.kind }

// list and dict have elements.
type list struct{ of shape }

func (l list) field(string) (shape, bool, []string) { return nil, false, nil }
func (l list) elem() shape                          { return l.of }
func (l list) describe() string                     { return "list" }

type dict struct{ of shape }

func (d dict) field(string) (shape, bool, []string) { return d.of, true, nil }
func (d dict) elem() shape                          { return d.of }
func (d dict) describe() string                     { return "map" }

// goShape is the JSON shape of a Go type.
func goShape(t types.Type, depth int) shape {
	if t == nil || depth > 8 {
		return unknown{}
	}
	t = types.Unalias(t)
	if p, ok := t.Underlying().(*types.Pointer); ok {
		return goShape(p.Elem(), depth)
	}
	if hasMethod(t, "MarshalJSON") || hasMethod(t, "UnmarshalJSON") {
		if n, ok := t.(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" && n.Obj().Name() == "Time" {
			return scalar{"time (a string)"}
		}
		return unknown{}
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return scalar{u.Name()}
	case *types.Slice:
		if b, ok := u.Elem().Underlying().(*types.Basic); ok && b.Kind() == types.Byte {
			return scalar{"bytes (a string)"}
		}
		return list{goShape(u.Elem(), depth+1)}
	case *types.Array:
		return list{goShape(u.Elem(), depth+1)}
	case *types.Map:
		return dict{goShape(u.Elem(), depth+1)}
	case *types.Struct:
		o := object{name: types.TypeString(t, func(p *types.Package) string { return p.Name() }), fields: map[string]shape{}}
		addFields(o.fields, u, depth)
		return o
	}
	return unknown{}
}

func addFields(into map[string]shape, st *types.Struct, depth int) {
	for i := 0; i < st.NumFields(); i++ {
		f := st.Field(i)
		tag := reflect.StructTag(st.Tag(i)).Get("json")
		jname, _, _ := strings.Cut(tag, ",")
		if jname == "-" && !strings.HasPrefix(tag, "-,") {
			continue
		}
		if f.Embedded() && jname == "" {
			ft := f.Type()
			if p, ok := ft.Underlying().(*types.Pointer); ok {
				ft = p.Elem()
			}
			if est, ok := ft.Underlying().(*types.Struct); ok {
				addFields(into, est, depth+1)
				continue
			}
		}
		if !f.Exported() {
			continue
		}
		if jname == "" {
			jname = f.Name()
		}
		into[jname] = goShape(f.Type(), depth+1)
	}
}

func hasMethod(t types.Type, m string) bool {
	for _, tt := range []types.Type{t, types.NewPointer(t)} {
		ms := types.NewMethodSet(tt)
		for i := 0; i < ms.Len(); i++ {
			if ms.At(i).Obj().Name() == m {
				return true
			}
		}
	}
	return false
}

// envelope is the shape of a durable event around data.
func envelope(data shape) shape {
	return object{name: "the event envelope", fields: map[string]shape{
		"name": scalar{"string"}, "data": data, "id": scalar{"string"}, "ts": scalar{"int"}, "v": scalar{"string"},
	}}
}

// catalog shapes.

func catShape(cfg *catalog.Config, fs catalog.Fields, name string) shape {
	o := object{name: name, fields: map[string]shape{}}
	for _, f := range fs {
		o.fields[f.Name] = catFieldShape(cfg, f.T, f.Fields, 0)
	}
	return o
}

func catFieldShape(cfg *catalog.Config, t *catalog.TypeExpr, inline catalog.Fields, depth int) shape {
	if t == nil || depth > 8 {
		return unknown{}
	}
	switch t.Kind {
	case catalog.KindArray:
		return list{catFieldShape(cfg, t.Elem, nil, depth+1)}
	case catalog.KindMap:
		return dict{catFieldShape(cfg, t.Elem, nil, depth+1)}
	case catalog.KindObject:
		if len(t.Fields) == 0 && len(inline) == 0 {
			return unknown{}
		}
		fs := t.Fields
		if len(fs) == 0 {
			fs = inline
		}
		return catShape(cfg, fs, "object")
	case catalog.KindNamed:
		for _, td := range cfg.Types {
			if td.Name == t.Name {
				return catShape(cfg, td.Fields, t.Name)
			}
		}
		return unknown{}
	case catalog.KindString:
		return scalar{"string"}
	case catalog.KindTime:
		return scalar{"time (a string)"}
	case catalog.KindInteger:
		return scalar{"integer"}
	case catalog.KindNumber:
		return scalar{"number"}
	case catalog.KindBoolean:
		return scalar{"boolean"}
	}
	return unknown{}
}

// eventShape returns the shape of `event` for an event of Go data type
// data (nil if unknown) named evName ("" if unknown), in a profile.
//
// Only schemas known to describe the event count. This runtime validates
// events against their type's schema, so the Go type of runtime.Input[T]
// and EventType[T] describes the event. The Inngest SDK only decodes the
// event's JSON into the T the code chooses (unknown fields are dropped):
// T says which fields the code reads, not which the event has, so Inngest
// code is checked against the catalog alone.
func (c *checker) eventShape(p durable.Profile, data types.Type, evName string) shape {
	if p == durable.Inngest {
		if cs := c.catalogData(evName); cs != nil {
			return object{name: "the event envelope", fields: map[string]shape{"name": scalar{"string"}, "data": cs, "id": scalar{"string"}, "ts": scalar{"int"}, "v": scalar{"string"}, "user": unknown{}}}
		}
		return unknown{}
	}
	var s shape = unknown{}
	if data != nil {
		s = goShape(data, 0)
	}
	if _, isUnknown := s.(unknown); isUnknown || isFreeForm(s) {
		if cs := c.catalogData(evName); cs != nil {
			return envelope(cs)
		}
	}
	return envelope(s)
}

func isFreeForm(s shape) bool {
	d, ok := s.(dict)
	if !ok {
		return false
	}
	_, ok = d.of.(unknown)
	return ok
}

func (c *checker) catalogData(evName string) shape {
	if evName == "" || c.cat == nil {
		return nil
	}
	for _, e := range c.cat.Events {
		if e.Name == evName {
			return catShape(c.cat, e.Fields, e.Name+" in "+filepath.Base(c.cat.File))
		}
	}
	return nil
}

type checker struct {
	pass *analysis.Pass
	res  *durable.Result
	ig   *ignore.Reporter
	cat  *catalog.Config
	env  *cel.Env // event
	envA *cel.Env // event and async
	seen map[ast.Expr]bool
}

var (
	envOnce    sync.Once
	envE, envA *cel.Env
	envErr     error
)

func envs() (*cel.Env, *cel.Env, error) {
	envOnce.Do(func() {
		obj := cel.MapType(cel.StringType, cel.DynType)
		envE, envErr = cel.NewEnv(cel.Variable("event", obj))
		if envErr == nil {
			envA, envErr = cel.NewEnv(cel.Variable("event", obj), cel.Variable("async", obj))
		}
	})
	return envE, envA, envErr
}

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	if !res.Relevant {
		return nil, nil
	}
	e, a, err := envs()
	if err != nil {
		return nil, err
	}
	c := &checker{pass: pass, res: res, env: e, envA: a, seen: map[ast.Expr]bool{}}
	if len(pass.Files) > 0 {
		c.cat = catalogs.For(filepath.Dir(pass.Fset.File(pass.Files[0].Pos()).Name()), catalogFlag)
	}
	c.ig = ignore.New(pass, name)
	defer c.ig.Finish()
	info := pass.TypesInfo

	// Definitions: options and trigger conditions with the handler's event type.
	for _, d := range res.Definitions {
		data := handlerData(info, d.Handler)
		evName := c.triggerName(d.Trigger)
		ev := c.eventShape(d.Profile, data, evName)
		if d.OptsLit != nil {
			for _, f := range []string{"Idempotency"} {
				c.checkField(d.OptsLit, f, ev, nil, false, "Idempotency")
			}
			for _, sub := range []struct{ field, key string }{
				{"Throttle", "Key"}, {"RateLimit", "Key"}, {"Debounce", "Key"}, {"BatchEvents", "Key"},
				{"Singleton", "Key"}, {"Priority", "Run"},
			} {
				if lit := compositeOf(d.Field(sub.field)); lit != nil {
					c.checkField(lit, sub.key, ev, nil, false, sub.field+"."+sub.key)
				}
			}
			if lit := compositeOf(d.Field("Concurrency")); lit != nil {
				for _, el := range lit.Elts {
					if el := compositeOf(el); el != nil {
						c.checkField(el, "Key", ev, nil, false, "Concurrency.Key")
					}
				}
			}
			if lit := compositeOf(d.Field("Cancel")); lit != nil {
				for _, el := range lit.Elts {
					if el := compositeOf(el); el != nil {
						var async shape = unknown{}
						if n := stringConst(info, durable.FieldOf(el, "Event")); n != "" {
							if cs := c.catalogData(n); cs != nil {
								async = envelope(cs)
							}
						}
						c.checkField(el, "If", ev, async, true, "Cancel.If")
					}
				}
			}
		}
		c.triggers(d.Profile, d.Trigger, ev)
	}
	// Trigger conditions outside definitions, with the event type they name.
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	for cur := range insp.Root().Preorder((*ast.CallExpr)(nil)) {
		call := cur.Node().(*ast.CallExpr)
		c.triggers(durable.None, call, nil)
	}
	// Waits.
	for _, s := range res.Steps {
		if s.Kind != durable.WaitForEvent || s.Opts == nil {
			continue
		}
		lit := compositeOf(s.Opts)
		if lit == nil {
			continue
		}
		var event shape = unknown{}
		if s.Body != nil && s.Body.Input != nil {
			evName := ""
			if len(s.Body.Defs) > 0 {
				evName = c.triggerName(s.Body.Defs[0].Trigger)
			}
			event = c.eventShape(s.Profile, inputData(s.Body.Input.Type()), evName)
		}
		var async shape = unknown{}
		switch s.Profile {
		case durable.Durable:
			if len(s.Call.Args) > 2 {
				async = c.eventShape(durable.Durable, typeArg(info.TypeOf(s.Call.Args[2])), c.eventTypeName(s.Call.Args[2]))
			}
		case durable.Inngest:
			// WaitForEvent[T]'s type parameter is what the SDK decodes
			// the event into, chosen freely (often the triggering event's
			// type): only the catalog describes the awaited event.
			async = c.eventShape(durable.Inngest, nil, stringConst(info, durable.FieldOf(lit, "Event")))
		}
		c.checkField(lit, "If", event, async, true, "wait If")
	}
	return nil, nil
}

// triggers checks the conditions of the trigger calls in e.
func (c *checker) triggers(p durable.Profile, e ast.Expr, ev shape) {
	info := c.pass.TypesInfo
	ast.Inspect(e, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		fn := durable.Callee(info, call)
		var cond ast.Expr
		var evName string
		var data types.Type
		prof := p
		switch {
		case durable.IsPkgFunc(fn, durable.DurableRuntimePath, "EventTrigger") && len(call.Args) == 2:
			cond, evName, prof = call.Args[1], stringConst(info, call.Args[0]), durable.Durable
		case durable.IsPkgFunc(fn, durable.InngestPath, "EventTrigger") && len(call.Args) == 2:
			cond, evName, prof = exprArg(info, call.Args[1]), stringConst(info, call.Args[0]), durable.Inngest
		case fn != nil && fn.Name() == "TriggerIf" && fn.Pkg() != nil && fn.Pkg().Path() == durable.DurableRuntimePath && len(call.Args) == 1:
			cond, prof = call.Args[0], durable.Durable
			if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
				data = typeArg(info.TypeOf(sel.X))
				evName = c.eventTypeName(sel.X)
			}
		default:
			return true
		}
		if cond == nil || c.seen[cond] {
			return true
		}
		shapeFor := ev
		if shapeFor == nil || data != nil {
			shapeFor = c.eventShape(prof, data, evName)
		}
		c.check(cond, shapeFor, nil, false, true, "trigger condition")
		return true
	})
}

// checkField checks the expression in the named field of lit.
func (c *checker) checkField(lit *ast.CompositeLit, field string, event, async shape, withAsync bool, what string) {
	v := durable.FieldOf(lit, field)
	if v == nil {
		return
	}
	if e := exprArg(c.pass.TypesInfo, v); e != nil {
		v = e
	}
	boolean := field == "If"
	c.check(v, event, async, withAsync, boolean, what)
}

// check compiles the constant expression e and resolves its event paths.
func (c *checker) check(e ast.Expr, event, async shape, withAsync, boolean bool, what string) {
	if c.seen[e] {
		return
	}
	c.seen[e] = true
	tv, ok := c.pass.TypesInfo.Types[e]
	if !ok {
		return
	}
	if tv.Value == nil {
		if boolean {
			c.checkBuilt(e, withAsync, what)
		}
		return
	}
	if tv.Value.Kind() != constant.String {
		return
	}
	src := constant.StringVal(tv.Value)
	if strings.TrimSpace(src) == "" {
		return // no expression: the option is off
	}
	env := c.env
	if withAsync {
		env = c.envA
	}
	checked, iss := env.Compile(src)
	if iss.Err() != nil {
		msg := strings.ReplaceAll(iss.Err().Error(), "\n", " ")
		msg = strings.Join(strings.Fields(msg), " ")
		c.ig.Report(analysis.Diagnostic{Pos: e.Pos(), End: e.End(),
			Message: fmt.Sprintf("%s %q does not compile: %s", what, src, msg)})
		return
	}
	if boolean {
		if t := checked.OutputType(); t != cel.BoolType && t != cel.DynType {
			c.ig.Report(analysis.Diagnostic{Pos: e.Pos(), End: e.End(),
				Message: fmt.Sprintf("%s %q evaluates to %s, not bool", what, src, t)})
			return
		}
	}
	nat := checked.NativeRep()
	if withAsync && boolean && !reads(nat.Expr(), "async") {
		c.ig.Report(analysis.Diagnostic{Pos: e.Pos(), End: e.End(),
			Message: fmt.Sprintf("%s %q never reads async (the incoming event): it tests only this run's event, so it matches every incoming event or none; compare a field of both, as in \"async.data.order_id == event.data.order_id\"", what, src)})
	}
	roots := map[string]shape{"event": event, "async": async}
	visit(nat.Expr(), func(x celast.Expr) bool {
		path, root, ids := selectPath(x)
		if root == "" {
			return true
		}
		s := roots[root]
		if s == nil {
			return false
		}
		for i, seg := range path {
			if seg == "[]" {
				s = s.elem()
				continue
			}
			next, ok, names := s.field(seg)
			if !ok {
				shown := root + strings.Join(render(path[:i]), "")
				var why string
				if len(names) > 0 {
					why = fmt.Sprintf("%s has no field %q (%s has %s)", shown, seg, s.describe(), strings.Join(names, ", "))
				} else {
					why = fmt.Sprintf("%s is a %s and has no field %q", shown, s.describe(), seg)
				}
				pos, end := c.fieldPos(e, src, nat, ids[i], seg)
				c.ig.Report(analysis.Diagnostic{Pos: pos, End: end, Message: fmt.Sprintf("%s %q: %s", what, src, why)})
				return false
			}
			s = next
		}
		return false
	})
}

// reads reports whether the expression refers to the variable name.
func reads(x celast.Expr, name string) bool {
	found := false
	visit(x, func(e celast.Expr) bool {
		if e.Kind() == celast.IdentKind && e.AsIdent() == name {
			found = true
		}
		return !found
	})
	return found
}

// checkBuilt reports a condition built at run time: fmt.Sprintf or a
// concatenation with a value that is not a constant, directly or through a
// local variable.
func (c *checker) checkBuilt(e ast.Expr, withAsync bool, what string) {
	how := c.built(e, 0)
	if how == "" {
		return
	}
	fix := "keep the expression a constant and let it compare fields of the event (\"event.data.plan == 'pro'\")"
	if withAsync {
		fix = "keep the expression a constant that compares a field of the incoming event with one of this run's event, as in \"async.data.order_id == event.data.order_id\""
	}
	c.ig.Report(analysis.Diagnostic{Pos: e.Pos(), End: e.End(),
		Message: fmt.Sprintf("%s is built at run time with %s: the data spliced into it can change the expression (a quote in a value injects CEL), and it can differ between replays of this run; %s", what, how, fix)})
}

// built says how e builds a string at run time ("fmt.Sprintf", "string
// concatenation"), or "" when it does not, following local variables
// initialised once.
func (c *checker) built(e ast.Expr, depth int) string {
	info := c.pass.TypesInfo
	if depth > 4 {
		return ""
	}
	if tv, ok := info.Types[e]; ok && tv.Value != nil {
		return ""
	}
	switch x := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		fn := durable.Callee(info, x)
		if fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "fmt" && (fn.Name() == "Sprintf" || fn.Name() == "Sprint") {
			return "fmt." + fn.Name()
		}
		if fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "strings" && (fn.Name() == "Join" || fn.Name() == "ReplaceAll" || fn.Name() == "Replace") {
			return "strings." + fn.Name()
		}
	case *ast.BinaryExpr:
		if x.Op == token.ADD {
			return "string concatenation"
		}
	case *ast.Ident:
		if init := c.initOf(info.Uses[x]); init != nil {
			return c.built(init, depth+1)
		}
	}
	return ""
}

// initOf returns the expression a local variable is defined with, when it
// is defined once (x := expr, var x = expr) and never assigned again.
func (c *checker) initOf(obj types.Object) ast.Expr {
	v, ok := obj.(*types.Var)
	if !ok || v.Pkg() != c.pass.Pkg || v.Parent() == c.pass.Pkg.Scope() {
		return nil
	}
	var init ast.Expr
	assigned := 0
	for _, f := range c.pass.Files {
		if v.Pos() < f.FileStart || v.Pos() > f.FileEnd {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for i, l := range n.Lhs {
					id, ok := l.(*ast.Ident)
					if !ok || c.pass.TypesInfo.ObjectOf(id) != obj {
						continue
					}
					assigned++
					if len(n.Lhs) == len(n.Rhs) {
						init = n.Rhs[i]
					}
				}
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if c.pass.TypesInfo.Defs[id] == obj && i < len(n.Values) && len(n.Names) == len(n.Values) {
						assigned++
						init = n.Values[i]
					}
				}
			}
			return true
		})
	}
	if assigned != 1 {
		return nil
	}
	return init
}

func render(path []string) []string {
	out := make([]string, len(path))
	for i, p := range path {
		if p == "[]" {
			out[i] = "[...]"
		} else {
			out[i] = "." + p
		}
	}
	return out
}

// fieldPos returns the position of field seg (the select node id) inside
// the Go string literal e, or e's extent when the literal has escapes.
func (c *checker) fieldPos(e ast.Expr, src string, nat *celast.AST, id int64, seg string) (token.Pos, token.Pos) {
	lit, ok := ast.Unparen(e).(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING || len(lit.Value) < 2 || lit.Value[1:len(lit.Value)-1] != src {
		return e.Pos(), e.End()
	}
	off := -1
	if r, ok := nat.SourceInfo().GetOffsetRange(id); ok {
		for i := int(r.Start); i >= 0 && i < len(src); i++ {
			if strings.HasPrefix(src[i:], seg) {
				off = i
				break
			}
		}
	}
	if off < 0 {
		off = strings.Index(src, "."+seg) + 1
		if off <= 0 {
			return e.Pos(), e.End()
		}
	}
	pos := lit.Pos() + 1 + token.Pos(off)
	return pos, pos + token.Pos(len(seg))
}

// selectPath returns, for a select chain rooted at an identifier
// (event.data.a[0].b), the root, the path ("data", "a", "[]", "b") and the
// node id of each segment.
func selectPath(x celast.Expr) (path []string, root string, ids []int64) {
	for {
		switch x.Kind() {
		case celast.SelectKind:
			s := x.AsSelect()
			path = append([]string{s.FieldName()}, path...)
			ids = append([]int64{x.ID()}, ids...)
			x = s.Operand()
		case celast.CallKind:
			call := x.AsCall()
			if call.FunctionName() != "_[_]" || len(call.Args()) != 2 {
				return nil, "", nil
			}
			seg := "[]"
			if k := call.Args()[1]; k.Kind() == celast.LiteralKind {
				if s, ok := k.AsLiteral().Value().(string); ok {
					seg = s
				}
			}
			path = append([]string{seg}, path...)
			ids = append([]int64{x.ID()}, ids...)
			x = call.Args()[0]
		case celast.IdentKind:
			if len(path) == 0 {
				return nil, "", nil
			}
			return path, x.AsIdent(), ids
		default:
			return nil, "", nil
		}
	}
}

// visit walks x in preorder; f returns false to skip children.
func visit(x celast.Expr, f func(celast.Expr) bool) {
	if x == nil || !f(x) {
		return
	}
	switch x.Kind() {
	case celast.CallKind:
		c := x.AsCall()
		if c.IsMemberFunction() {
			visit(c.Target(), f)
		}
		for _, a := range c.Args() {
			visit(a, f)
		}
	case celast.SelectKind:
		visit(x.AsSelect().Operand(), f)
	case celast.ListKind:
		for _, e := range x.AsList().Elements() {
			visit(e, f)
		}
	case celast.MapKind:
		for _, e := range x.AsMap().Entries() {
			me := e.AsMapEntry()
			visit(me.Key(), f)
			visit(me.Value(), f)
		}
	case celast.StructKind:
		for _, e := range x.AsStruct().Fields() {
			visit(e.AsStructField().Value(), f)
		}
	case celast.ComprehensionKind:
		cp := x.AsComprehension()
		visit(cp.IterRange(), f)
		visit(cp.AccuInit(), f)
		visit(cp.LoopCondition(), f)
		visit(cp.LoopStep(), f)
		visit(cp.Result(), f)
	}
}

// helpers on Go syntax and types.

func compositeOf(e ast.Expr) *ast.CompositeLit {
	if e == nil {
		return nil
	}
	e = ast.Unparen(e)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = ast.Unparen(u.X)
	}
	lit, _ := e.(*ast.CompositeLit)
	return lit
}

func stringConst(info *types.Info, e ast.Expr) string {
	if e == nil {
		return ""
	}
	if tv, ok := info.Types[e]; ok && tv.Value != nil && tv.Value.Kind() == constant.String {
		return constant.StringVal(tv.Value)
	}
	return ""
}

// strPtrArg returns the string expression behind inngestgo.StrPtr(s),
// inngestgo.Ptr(s) or &s; nil otherwise.
func strPtrArg(info *types.Info, e ast.Expr) ast.Expr {
	e = ast.Unparen(e)
	if call, ok := e.(*ast.CallExpr); ok && len(call.Args) == 1 {
		if fn := durable.Callee(info, call); fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == durable.InngestPath && (fn.Name() == "StrPtr" || fn.Name() == "Ptr") {
			return call.Args[0]
		}
	}
	if _, ok := info.TypeOf(e).(*types.Pointer); !ok {
		return e
	}
	return nil
}

// exprArg returns the string expression of an option that may be a
// *string: behind inngestgo.StrPtr(s), inngestgo.Ptr(s) or &s, or the
// expression itself when it is not a pointer; nil otherwise.
func exprArg(info *types.Info, e ast.Expr) ast.Expr {
	if u, ok := ast.Unparen(e).(*ast.UnaryExpr); ok && u.Op == token.AND {
		return u.X
	}
	return strPtrArg(info, e)
}

// typeArg returns the first type argument of a named generic type.
func typeArg(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.TypeArgs().Len() == 0 {
		return nil
	}
	return n.TypeArgs().At(0)
}

// inputData returns the T of runtime.Input[T] or inngestgo.Input[T].
func inputData(t types.Type) types.Type {
	if durable.InputProfile(t) == durable.None {
		return nil
	}
	return typeArg(t)
}

// handlerData returns the event data type of a handler expression.
func handlerData(info *types.Info, h ast.Expr) types.Type {
	t := info.TypeOf(h)
	if t == nil {
		return nil
	}
	sig, ok := t.Underlying().(*types.Signature)
	if !ok || sig.Params().Len() != 2 {
		return nil
	}
	return inputData(sig.Params().At(1).Type())
}

// triggerName returns the event name of a single event trigger, or "".
func (c *checker) triggerName(e ast.Expr) string {
	info := c.pass.TypesInfo
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return ""
	}
	fn := durable.Callee(info, call)
	switch {
	case durable.IsPkgFunc(fn, durable.DurableRuntimePath, "EventTrigger"), durable.IsPkgFunc(fn, durable.InngestPath, "EventTrigger"):
		if len(call.Args) > 0 {
			return stringConst(info, call.Args[0])
		}
	case fn != nil && (fn.Name() == "Trigger" || fn.Name() == "TriggerIf") && fn.Pkg() != nil && fn.Pkg().Path() == durable.DurableRuntimePath:
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
			return c.eventTypeName(sel.X)
		}
	}
	return ""
}

// eventTypeName returns the name of an EventType variable initialised in
// this package with a constant name (runtime.NewEventType[T]("a/b.c", ...)).
func (c *checker) eventTypeName(e ast.Expr) string {
	var obj types.Object
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		obj = c.pass.TypesInfo.Uses[x]
	case *ast.SelectorExpr:
		obj = c.pass.TypesInfo.Uses[x.Sel]
	}
	if obj == nil || obj.Pkg() != c.pass.Pkg {
		return ""
	}
	for _, f := range c.pass.Files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, sp := range gd.Specs {
				vs, ok := sp.(*ast.ValueSpec)
				if !ok {
					continue
				}
				for i, n := range vs.Names {
					if c.pass.TypesInfo.Defs[n] == obj && i < len(vs.Values) {
						if call, ok := ast.Unparen(vs.Values[i]).(*ast.CallExpr); ok && len(call.Args) > 0 {
							return stringConst(c.pass.TypesInfo, call.Args[0])
						}
					}
				}
			}
		}
	}
	return ""
}
