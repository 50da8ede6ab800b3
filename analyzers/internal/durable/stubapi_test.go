package durable_test

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/durable-go/durable/analyzers/internal/durable"
	"github.com/durable-go/durable/analyzers/internal/testutil"
)

// TestStubsMatchRuntime keeps the analyzers' fixtures honest: the stub of
// this module's runtime in analyzers/internal/testdata may declare less than
// the real runtime, runtime/step and runtime/store packages, never something
// they lack or declare differently (a method, a field and its tag, a
// signature, a constant's value).
func TestStubsMatchRuntime(t *testing.T) {
	paths := []string{durable.DurableRuntimePath, durable.DurableStepPath, durable.DurableRuntimePath + "/store"}
	mode := packages.NeedName | packages.NeedTypes
	real, err := packages.Load(&packages.Config{Mode: mode, Dir: filepath.Join("..", "..", "..")}, paths...)
	if err != nil {
		t.Fatal(err)
	}
	stubs, err := packages.Load(&packages.Config{
		Mode: mode,
		Dir:  testutil.StubsDir(),
		Env:  append(os.Environ(), "GOPATH="+testutil.StubsDir(), "GO111MODULE=off", "GOWORK=off"),
	}, paths...)
	if err != nil {
		t.Fatal(err)
	}
	if packages.PrintErrors(real)+packages.PrintErrors(stubs) > 0 {
		t.Fatal("the runtime or its stub does not type-check")
	}
	byPath := func(pkgs []*packages.Package) map[string]*types.Package {
		m := map[string]*types.Package{}
		for _, p := range pkgs {
			m[p.PkgPath] = p.Types
		}
		return m
	}
	realPkgs, stubPkgs := byPath(real), byPath(stubs)
	for _, path := range paths {
		if realPkgs[path] == nil || stubPkgs[path] == nil {
			t.Fatalf("%s: not loaded (real %v, stub %v)", path, realPkgs[path] != nil, stubPkgs[path] != nil)
		}
		for _, d := range apiDrift(stubPkgs[path], realPkgs[path]) {
			t.Errorf("stub %s: %s", path, d)
		}
	}
}

// TestAPIDrift shows that the comparison catches each kind of drift.
func TestAPIDrift(t *testing.T) {
	const real = `package p
import "context"
type Engine struct{ Name string; n int }
func (e *Engine) Start(ctx context.Context) error { return nil }
type Opts struct { ID string ` + "`json:\"id\"`" + `; Limit int }
type Handler[T any] func(ctx context.Context, in T) (any, error)
type Kind int
const Max = 3
const Name = "x"
var Err error
func Run[T any](ctx context.Context, id string, fn func(context.Context) (T, error)) (T, error) { var z T; return z, nil }
func Send(ctx context.Context, ids ...string) error { return nil }
`
	tests := []struct {
		name, stub string
		want       []string
	}{
		{"a subset with other parameter names", `package p
import "context"
type Engine struct{ Name string; other bool }
func (e *Engine) Start(c context.Context) error { return nil }
type Opts struct{ ID string ` + "`json:\"id\"`" + ` }
func Run[U any](c context.Context, name string, f func(context.Context) (U, error)) (U, error) { var z U; return z, nil }
`, nil},
		{"a method the runtime lacks", `package p
type Engine struct{}
func (e *Engine) Handler() int { return 0 }
`, []string{"method Engine.Handler: not in the runtime"}},
		{"a value receiver for a pointer one", `package p
import "context"
type Engine struct{}
func (e Engine) Start(ctx context.Context) error { return nil }
`, []string{"method Engine.Start: declared func(context.Context) error on Engine, the runtime has func(context.Context) error on *Engine"}},
		{"a field of another type, a missing field, another tag", `package p
type Opts struct { ID int; Retries int; Limit int ` + "`json:\"limit\"`" + ` }
`, []string{
			"field Opts.ID: declared int, the runtime has string",
			"field Opts.ID: tag ``, the runtime has `json:\"id\"`",
			"field Opts.Limit: tag `json:\"limit\"`, the runtime has ``",
			"field Opts.Retries: not in the runtime",
		}},
		{"a different signature", `package p
import "context"
func Send(ctx context.Context, ids []string) error { return nil }
func Run[T comparable](ctx context.Context, id string, fn func(context.Context) (T, error)) (T, error) { var z T; return z, nil }
`, []string{
			"func Run: declared func[comparable](context.Context, string, func(context.Context) (typeparam.T0, error)) (typeparam.T0, error), the runtime has func[any](context.Context, string, func(context.Context) (typeparam.T0, error)) (typeparam.T0, error)",
			"func Send: declared func(context.Context, []string) error, the runtime has func(context.Context, ...string) error",
		}},
		{"kinds, values and types of names", `package p
type Max int
const Name = "y"
var Err string
type Kind string
type Handler[T any] func(in T) error
func Missing() {}
`, []string{
			"const Name: declared \"y\" (untyped string), the runtime has \"x\" (untyped string)",
			"func Missing: not in the runtime",
			"type Handler: declared func(typeparam.T0) error, the runtime has func(context.Context, typeparam.T0) (any, error)",
			"type Kind: declared string, the runtime has int",
			"type Max: the runtime declares Max as a const",
			"var Err: declared string, the runtime has error",
		}},
	}
	realPkg := typeCheck(t, real)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := apiDrift(typeCheck(t, tt.stub), realPkg)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("drift:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// apiDrift lists what stub declares (exported) that real lacks or declares
// differently, sorted.
func apiDrift(stub, real *types.Package) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	for _, name := range stub.Scope().Names() {
		s := stub.Scope().Lookup(name)
		if !s.Exported() {
			continue
		}
		kind := objKind(s)
		r := real.Scope().Lookup(name)
		if r == nil {
			add("%s %s: not in the runtime", kind, name)
			continue
		}
		if rk := objKind(r); rk != kind {
			add("%s %s: the runtime declares %s as a %s", kind, name, name, rk)
			continue
		}
		switch s := s.(type) {
		case *types.Const:
			r := r.(*types.Const)
			if sv, rv := constString(s), constString(r); sv != rv {
				add("const %s: declared %s, the runtime has %s", name, sv, rv)
			}
		case *types.Var:
			if st, rt := typeString(s.Type()), typeString(r.Type()); st != rt {
				add("var %s: declared %s, the runtime has %s", name, st, rt)
			}
		case *types.Func:
			if st, rt := sigString(s.Signature()), sigString(r.(*types.Func).Signature()); st != rt {
				add("func %s: declared %s, the runtime has %s", name, st, rt)
			}
		case *types.TypeName:
			out = append(out, typeDrift(name, s, r.(*types.TypeName))...)
		}
	}
	slices.Sort(out)
	return out
}

func objKind(o types.Object) string {
	switch o.(type) {
	case *types.Const:
		return "const"
	case *types.Var:
		return "var"
	case *types.Func:
		return "func"
	case *types.TypeName:
		return "type"
	}
	return fmt.Sprintf("%T", o)
}

func constString(c *types.Const) string {
	return c.Val().ExactString() + " (" + typeString(c.Type()) + ")"
}

// typeDrift compares a type: a struct may declare a subset of the fields
// (each with the same type and tag); any other type must have the same
// definition; declared methods must exist with the same signature and
// receiver. Generic types are compared instantiated with the same
// placeholders, so that the names of type parameters do not matter.
func typeDrift(name string, s, r *types.TypeName) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if s.IsAlias() != r.IsAlias() {
		add("type %s: alias %v, the runtime has alias %v", name, s.IsAlias(), r.IsAlias())
		return out
	}
	sn, _ := s.Type().(*types.Named)
	rn, _ := r.Type().(*types.Named)
	if sn == nil || rn == nil {
		if st, rt := typeString(s.Type()), typeString(r.Type()); st != rt {
			add("type %s: declared %s, the runtime has %s", name, st, rt)
		}
		return out
	}
	if st, rt := tparamsString(sn.TypeParams()), tparamsString(rn.TypeParams()); st != rt {
		add("type %s: type parameters %s, the runtime has %s", name, st, rt)
		return out
	}
	sn, rn = instantiate(sn), instantiate(rn)
	sst, sStruct := sn.Underlying().(*types.Struct)
	rst, rStruct := rn.Underlying().(*types.Struct)
	if sStruct && rStruct {
		for i := range sst.NumFields() {
			f := sst.Field(i)
			if !f.Exported() {
				continue
			}
			j := 0
			for j < rst.NumFields() && rst.Field(j).Name() != f.Name() {
				j++
			}
			if j == rst.NumFields() {
				add("field %s.%s: not in the runtime", name, f.Name())
				continue
			}
			if ft, gt := typeString(f.Type()), typeString(rst.Field(j).Type()); ft != gt {
				add("field %s.%s: declared %s, the runtime has %s", name, f.Name(), ft, gt)
			}
			if st, rt := sst.Tag(i), rst.Tag(j); st != rt {
				add("field %s.%s: tag `%s`, the runtime has `%s`", name, f.Name(), st, rt)
			}
		}
	} else if st, rt := typeString(sn.Underlying()), typeString(rn.Underlying()); st != rt {
		add("type %s: declared %s, the runtime has %s", name, st, rt)
	}
	for m := range sn.Methods() {
		if !m.Exported() {
			continue
		}
		obj, _, _ := types.LookupFieldOrMethod(rn, true, r.Pkg(), m.Name())
		rm, ok := obj.(*types.Func)
		if !ok {
			add("method %s.%s: not in the runtime", name, m.Name())
			continue
		}
		if st, rt := recvString(m)+sigString(m.Signature()), recvString(rm)+sigString(rm.Signature()); st != rt {
			add("method %s.%s: declared %s on %s, the runtime has %s on %s", name, m.Name(),
				sigString(m.Signature()), recvString(m), sigString(rm.Signature()), recvString(rm))
		}
	}
	return out
}

// placeholder is the i-th stand-in for a type parameter.
func placeholder(i int) types.Type {
	pkg := types.NewPackage("typeparam", "typeparam")
	return types.NewNamed(types.NewTypeName(0, pkg, fmt.Sprint("T", i), nil), types.NewStruct(nil, nil), nil)
}

func placeholders(n int) []types.Type {
	out := make([]types.Type, n)
	for i := range out {
		out[i] = placeholder(i)
	}
	return out
}

func instantiate(n *types.Named) *types.Named {
	if n.TypeParams().Len() == 0 {
		return n
	}
	inst, err := types.Instantiate(nil, n.Origin(), placeholders(n.TypeParams().Len()), false)
	if err != nil {
		panic(err) // not validated, so it cannot fail
	}
	return inst.(*types.Named)
}

func recvString(m *types.Func) string {
	t := m.Signature().Recv().Type()
	if p, ok := t.(*types.Pointer); ok {
		return "*" + p.Elem().(*types.Named).Obj().Name()
	}
	return t.(*types.Named).Obj().Name()
}

// typeString writes types qualified by package path, which the stub and
// the runtime share. Signatures are written without parameter names.
func typeString(t types.Type) string {
	if sig, ok := t.(*types.Signature); ok {
		return sigString(sig)
	}
	return types.TypeString(t, (*types.Package).Path)
}

func tparamsString(l *types.TypeParamList) string {
	if l.Len() == 0 {
		return ""
	}
	var parts []string
	for tp := range l.TypeParams() {
		parts = append(parts, typeString(tp.Constraint()))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// sigString writes a signature without parameter names, its type
// parameters (by constraint) in front and replaced by placeholders.
func sigString(sig *types.Signature) string {
	var b strings.Builder
	b.WriteString("func")
	if tps := sig.TypeParams(); tps.Len() > 0 {
		b.WriteString(tparamsString(tps))
		inst, err := types.Instantiate(nil, sig, placeholders(tps.Len()), false)
		if err != nil {
			panic(err) // not validated, so it cannot fail
		}
		sig = inst.(*types.Signature)
	}
	list := func(tuple *types.Tuple, variadic bool) string {
		var parts []string
		for i := range tuple.Len() {
			t := tuple.At(i).Type()
			if variadic && i == tuple.Len()-1 {
				parts = append(parts, "..."+typeString(t.(*types.Slice).Elem()))
				continue
			}
			parts = append(parts, typeString(t))
		}
		return strings.Join(parts, ", ")
	}
	b.WriteString("(" + list(sig.Params(), sig.Variadic()) + ")")
	switch res := sig.Results(); res.Len() {
	case 0:
	case 1:
		b.WriteString(" " + list(res, false))
	default:
		b.WriteString(" (" + list(res, false) + ")")
	}
	return b.String()
}

// typeCheck type-checks one file as package p.
func typeCheck(t *testing.T, src string) *types.Package {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	conf := types.Config{Importer: importer.Default()}
	pkg, err := conf.Check("p", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pkg
}
