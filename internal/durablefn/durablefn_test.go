package durablefn

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

// TestBind parses a file and binds every call of a function named def,
// whose first argument names the case.
func TestBind(t *testing.T) {
	const src = `package p

var Plain = def("plain")
var (
	A, B  = def("a"), def("b")
	Paren = ((def("paren")))
	_     = def("blank-var")
)
var x, err = def2("two-results")

func f() {
	local := def("define")
	var declared = def("declared")
	Plain = def("assign")
	Plain, local = def("assign-pair"), def("assign-pair-local")
	_ = def("blank-assign")
	def("statement")
	use(def("argument"))
	s.Field = def("field")
	_ = []any{def("element")}
}

func g() any { return def("return") }
`
	want := map[string]string{
		"plain":             "PackageVar Plain",
		"a":                 "PackageVar A",
		"b":                 "PackageVar B",
		"paren":             "PackageVar Paren",
		"blank-var":         "Discarded",
		"define":            "LocalVar local",
		"declared":          "LocalVar declared",
		"assign":            "Assigned Plain",
		"assign-pair":       "Assigned Plain",
		"assign-pair-local": "Assigned local",
		"blank-assign":      "Discarded",
		"statement":         "Discarded",
		"argument":          "Unbound",
		"field":             "Unbound",
		"element":           "Unbound",
		"return":            "Unbound",
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if call, ok := n.(*ast.CallExpr); ok {
			if _, name, ok := CalleeName(call.Fun); ok && name.Name == "def" {
				var ancestors []ast.Node
				for i := len(stack) - 1; i >= 0; i-- {
					ancestors = append(ancestors, stack[i])
				}
				b := Bind(call, ancestors)
				s := siteNames[b.Site]
				if b.Name != nil {
					s += " " + b.Name.Name
				}
				got[call.Args[0].(*ast.BasicLit).Value[1:len(call.Args[0].(*ast.BasicLit).Value)-1]] = s
			}
		}
		stack = append(stack, n)
		return true
	})
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("bound %d calls, want %d: %v", len(got), len(want), got)
	}
}

var siteNames = map[Site]string{Unbound: "Unbound", PackageVar: "PackageVar", LocalVar: "LocalVar", Assigned: "Assigned", Discarded: "Discarded"}

func TestPackageLevel(t *testing.T) {
	id := ast.NewIdent("X")
	yes := func(*ast.Ident) bool { return true }
	no := func(*ast.Ident) bool { return false }
	tests := []struct {
		b       Binding
		resolve func(*ast.Ident) bool
		want    bool
	}{
		{Binding{PackageVar, id}, no, true},
		{Binding{Assigned, id}, yes, true},
		{Binding{Assigned, id}, no, false},
		{Binding{LocalVar, id}, yes, false},
		{Binding{Discarded, nil}, yes, false},
		{Binding{Unbound, nil}, yes, false},
	}
	for _, tt := range tests {
		if got := tt.b.PackageLevel(tt.resolve); got != tt.want {
			t.Errorf("%v.PackageLevel = %v, want %v", tt.b, got, tt.want)
		}
	}
}

func TestCalleeNameAndDefiner(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"runtime.NewFunction", "runtime.NewFunction"},
		{"rt.NewFunction[Order]", "rt.NewFunction"},
		{"(runtime.NewFunction)", "runtime.NewFunction"},
		{"NewFunction[A, B]", ".NewFunction"},
		{"x.y.NewFunction", "<none>"},
		{"f()", "<none>"},
	}
	for _, tt := range tests {
		e, err := parser.ParseExpr(tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		q, n, ok := CalleeName(e)
		got := "<none>"
		if ok {
			got = "." + n.Name
			if q != nil {
				got = q.Name + got
			}
		}
		if got != tt.want {
			t.Errorf("CalleeName(%s) = %s, want %s", tt.expr, got, tt.want)
		}
	}
	for _, tt := range []struct {
		path, name string
		want       API
	}{
		{RuntimePath, "NewFunction", Durable},
		{InngestPath, "CreateFunction", Inngest},
		{RuntimePath, "CreateFunction", NoAPI},
		{"example.com/runtime", "NewFunction", NoAPI},
	} {
		if got := Definer(tt.path, tt.name); got != tt.want {
			t.Errorf("Definer(%s, %s) = %v, want %v", tt.path, tt.name, got, tt.want)
		}
	}
	if Durable.OptsIndex() != 0 || Inngest.OptsIndex() != 1 {
		t.Error("OptsIndex: the options are runtime.NewFunction's first and inngestgo.CreateFunction's second argument")
	}
}

func TestIDExpr(t *testing.T) {
	tests := []struct{ opts, want string }{
		{`runtime.FunctionOpts{ID: "a", Name: "n"}`, `"a"`},
		{`(runtime.FunctionOpts{Name: "n", ID: prefix + "b"})`, `prefix + "b"`},
		{`&inngestgo.FunctionOpts{ID: id}`, `id`},
		{`runtime.FunctionOpts{"positional"}`, `<nil>`},
		{`opts`, `<nil>`},
	}
	for _, tt := range tests {
		e, err := parser.ParseExpr(tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		got := "<nil>"
		if id := IDExpr(e); id != nil {
			got = tt.opts[id.Pos()-e.Pos() : id.End()-e.Pos()]
		}
		if got != tt.want {
			t.Errorf("IDExpr(%s) = %s, want %s", tt.opts, got, tt.want)
		}
	}
}

func (b Binding) String() string {
	if b.Name == nil {
		return siteNames[b.Site]
	}
	return fmt.Sprintf("%s %s", siteNames[b.Site], b.Name.Name)
}
