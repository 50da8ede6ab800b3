package sensitive

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"unicode"

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

const name = "sensitive"

// Analyzer reports sensitive-looking event fields not marked sensitive.
var Analyzer = &analysis.Analyzer{
	Name:      name,
	Doc:       durable.ExtractDoc(doc, name),
	URL:       durable.DocURL(name),
	Requires:  []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	FactTypes: []analysis.Fact{(*Marked)(nil)},
	Run:       run,
}

var catalogFlag string

func init() {
	Analyzer.Flags.StringVar(&catalogFlag, "catalog", "", "the event catalog (durable.yaml) whose fields to check; default: the nearest durable.yaml in the package's directory or above")
}

// Marked is the fact that a struct type has fields marked sensitive by a
// comment (which importers cannot see).
type Marked struct{ Fields []string }

func (*Marked) AFact()           {}
func (f *Marked) String() string { return "marked(" + strings.Join(f.Fields, " ") + ")" }

var (
	singles = map[string]bool{"password": true, "passwd": true, "passphrase": true, "secret": true, "token": true,
		"ssn": true, "cvv": true, "cvc": true, "iban": true, "apikey": true, "pan": false}
	pairs = map[string]bool{"api key": true, "access key": true, "private key": true, "secret key": true,
		"card number": true, "credit card": true, "social security": true, "account number": true}
	harmless = map[string]bool{"hash": true, "hashed": true, "digest": true, "masked": true, "redacted": true,
		"last4": true, "expires": true, "expiry": true, "expiration": true, "at": true, "count": true, "type": true,
		"length": true, "set": true, "required": true}
)

// words splits a field name into lowercase words (camelCase, snake_case, kebab-case).
func words(s string) []string {
	var out []string
	var cur []rune
	rs := []rune(s)
	for i, r := range rs {
		if r == '_' || r == '-' || r == '.' || r == ' ' {
			if len(cur) > 0 {
				out = append(out, string(cur))
			}
			cur = nil
			continue
		}
		if unicode.IsUpper(r) && len(cur) > 0 {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				out = append(out, string(cur))
				cur = nil
			}
		}
		cur = append(cur, unicode.ToLower(r))
	}
	if len(cur) > 0 {
		out = append(out, string(cur))
	}
	// "last4" may come out as "last", "4": join digits to the previous word.
	var merged []string
	for _, w := range out {
		if len(merged) > 0 && w[0] >= '0' && w[0] <= '9' {
			merged[len(merged)-1] += w
			continue
		}
		merged = append(merged, w)
	}
	return merged
}

// Suspicious reports whether a field name looks like a secret or
// sensitive personal data.
func Suspicious(field string) bool {
	ws := words(field)
	hit := false
	for i, w := range ws {
		if harmless[w] {
			return false
		}
		if singles[w] {
			hit = true
		}
		if i > 0 && pairs[ws[i-1]+" "+w] {
			hit = true
		}
		if strings.Contains(w, "password") || w == "creditcard" || w == "cardnumber" || w == "accesskey" || w == "privatekey" {
			hit = true
		}
	}
	return hit
}

func jsonName(tag, goName string) string {
	j, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
	if j == "" || j == "-" {
		return goName
	}
	return j
}

func taggedSensitive(tag string) bool {
	st := reflect.StructTag(tag)
	for _, v := range []string{st.Get("durable"), st.Get("sensitive")} {
		for _, p := range strings.Split(v, ",") {
			if p == "sensitive" || p == "true" {
				return true
			}
		}
	}
	return false
}

func commentSensitive(f *ast.Field) bool {
	for _, cg := range []*ast.CommentGroup{f.Doc, f.Comment} {
		if cg != nil {
			t := strings.ToLower(cg.Text())
			if strings.Contains(t, "sensitive:") || strings.Contains(t, "durable:sensitive") {
				return true
			}
		}
	}
	return false
}

type checker struct {
	pass      *analysis.Pass
	ig        *ignore.Reporter
	fieldDecl map[*types.Var]*ast.Field // fields declared in this package
	generated map[*ast.File]bool
	hasCat    bool
	reported  map[*types.Var]bool
}

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	info := pass.TypesInfo
	c := &checker{pass: pass, fieldDecl: map[*types.Var]*ast.Field{}, generated: map[*ast.File]bool{}, reported: map[*types.Var]bool{}}
	// Facts: struct types with comment-marked fields.
	for _, f := range pass.Files {
		c.generated[f] = ast.IsGenerated(f)
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return true
			}
			var marked []string
			for _, fld := range st.Fields.List {
				for _, nm := range fld.Names {
					if v, ok := info.Defs[nm].(*types.Var); ok {
						c.fieldDecl[v] = fld
						if commentSensitive(fld) {
							marked = append(marked, nm.Name)
						}
					}
				}
			}
			if len(marked) > 0 {
				if obj := info.Defs[ts.Name]; obj != nil {
					pass.ExportObjectFact(obj, &Marked{Fields: marked})
				}
			}
			return true
		})
	}
	if !res.Relevant {
		return nil, nil
	}
	c.ig = ignore.New(pass, name)
	defer c.ig.Finish()
	var cat *catalog.Config
	if len(pass.Files) > 0 {
		cat = catalogs.For(filepath.Dir(pass.Fset.File(pass.Files[0].Pos()).Name()), catalogFlag)
	}
	c.hasCat = cat != nil

	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	for cur := range insp.Root().Preorder((*ast.CallExpr)(nil), (*ast.CompositeLit)(nil)) {
		switch n := cur.Node().(type) {
		case *ast.CallExpr:
			if durable.IsPkgFunc(durable.Callee(info, n), durable.DurableRuntimePath, "NewEventType") {
				c.check(n, typeArg(info.TypeOf(n)))
				if cat != nil && len(n.Args) > 0 {
					c.checkCatalog(cat, n)
				}
			}
		case *ast.CompositeLit:
			t := info.TypeOf(n)
			switch named(t) {
			case durable.DurableRuntimePath + ".Event":
				if v := durable.FieldOf(n, "Data"); v != nil {
					c.check(v, info.TypeOf(v))
				}
			case durable.InngestPath + ".GenericEvent":
				c.check(n, typeArg(t))
			}
		}
	}
	for _, b := range res.Bodies {
		if b.Input == nil {
			continue
		}
		data := typeArg(b.Input.Type())
		if b.Profile == durable.Inngest {
			if st, ok := under(data).(*types.Struct); ok {
				for i := 0; i < st.NumFields(); i++ {
					if st.Field(i).Name() == "Data" {
						data = st.Field(i).Type()
					}
				}
			}
		}
		c.check(b.Type.Params.List[len(b.Type.Params.List)-1].Type, data)
	}
	return nil, nil
}

func named(t types.Type) string {
	if t == nil {
		return ""
	}
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return ""
	}
	return n.Obj().Pkg().Path() + "." + n.Obj().Name()
}

func under(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	return t.Underlying()
}

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

// check walks the data type t, used as event data at use.
func (c *checker) check(use ast.Node, t types.Type) {
	seen := map[types.Type]bool{}
	var walk func(t types.Type, path string, owner *types.TypeName, depth int)
	walk = func(t types.Type, path string, owner *types.TypeName, depth int) {
		if t == nil || depth > 6 {
			return
		}
		t = types.Unalias(t)
		if seen[t] {
			return
		}
		seen[t] = true
		if n, ok := t.(*types.Named); ok {
			owner = n.Obj()
			if owner.Pkg() != nil && owner.Pkg().Path() == "time" {
				return
			}
		}
		switch u := t.Underlying().(type) {
		case *types.Pointer:
			walk(u.Elem(), path, owner, depth)
		case *types.Slice:
			walk(u.Elem(), path+"[]", owner, depth+1)
		case *types.Array:
			walk(u.Elem(), path+"[]", owner, depth+1)
		case *types.Map:
			walk(u.Elem(), path+"[]", owner, depth+1)
		case *types.Struct:
			var marked map[string]bool
			if owner != nil && owner.Pkg() != c.pass.Pkg {
				var m Marked
				if c.pass.ImportObjectFact(owner, &m) {
					marked = map[string]bool{}
					for _, f := range m.Fields {
						marked[f] = true
					}
				}
			}
			for i := 0; i < u.NumFields(); i++ {
				f := u.Field(i)
				jn := jsonName(u.Tag(i), f.Name())
				if reflect.StructTag(u.Tag(i)).Get("json") == "-" {
					continue
				}
				fp := strings.TrimPrefix(path+"."+jn, ".")
				if f.Exported() && Suspicious(jn) || f.Exported() && Suspicious(f.Name()) {
					decl := c.fieldDecl[f]
					if !taggedSensitive(u.Tag(i)) && !(decl != nil && commentSensitive(decl)) && !marked[f.Name()] {
						c.reportField(use, f, owner, fp)
					}
				}
				walk(f.Type(), fp, owner, depth+1)
			}
		}
	}
	walk(t, "", nil, 0)
}

func (c *checker) reportField(use ast.Node, f *types.Var, owner *types.TypeName, path string) {
	if c.reported[f] {
		return
	}
	c.reported[f] = true
	typ := "event data"
	if owner != nil {
		typ = owner.Name()
	}
	if decl := c.fieldDecl[f]; decl != nil {
		file := fileOf(c.pass, decl.Pos())
		if file != nil && c.generated[file] {
			if c.hasCat {
				return // reported on the catalog field
			}
			c.ig.Report(analysis.Diagnostic{Pos: decl.Pos(), End: decl.End(),
				Message: fmt.Sprintf("field %s.%s (%s) of event data looks sensitive and is not marked: set sensitive: true on it in the catalog and regenerate", typ, f.Name(), path)})
			return
		}
		c.ig.Report(analysis.Diagnostic{Pos: decl.Pos(), End: decl.End(),
			Message: fmt.Sprintf("field %s.%s (%s) of event data looks sensitive and is not marked: it is stored in the journal and shown in run history in clear; tag it `durable:\"sensitive\"` or keep it out of the event", typ, f.Name(), path)})
		return
	}
	c.ig.Report(analysis.Diagnostic{Pos: use.Pos(), End: use.End(),
		Message: fmt.Sprintf("event data field %s.%s (%s, declared at %s) looks sensitive and is not marked: tag it `durable:\"sensitive\"` where it is declared, or keep it out of the event",
			typ, f.Name(), path, shortPos(c.pass.Fset, f.Pos()))})
}

func shortPos(fset *token.FileSet, p token.Pos) string {
	pos := fset.Position(p)
	return fmt.Sprintf("%s:%d", filepath.Base(pos.Filename), pos.Line)
}

func fileOf(pass *analysis.Pass, pos token.Pos) *ast.File {
	for _, f := range pass.Files {
		if f.FileStart <= pos && pos < f.FileEnd {
			return f
		}
	}
	return nil
}

// checkCatalog reports the suspicious unmarked fields of the catalog event
// that a NewEventType call names.
func (c *checker) checkCatalog(cat *catalog.Config, call *ast.CallExpr) {
	tv, ok := c.pass.TypesInfo.Types[call.Args[0]]
	if !ok || tv.Value == nil {
		return
	}
	evName := strings.Trim(tv.Value.ExactString(), `"`)
	for _, e := range cat.Events {
		if e.Name != evName {
			continue
		}
		var bad []string
		var walk func(fs catalog.Fields, path string, depth int)
		walk = func(fs catalog.Fields, path string, depth int) {
			if depth > 6 {
				return
			}
			for _, f := range fs {
				fp := strings.TrimPrefix(path+"."+f.Name, ".")
				if Suspicious(f.Name) && !f.Sensitive {
					bad = append(bad, fmt.Sprintf("%s (%s:%d:%d)", fp, filepath.Base(cat.File), f.NamePos.Line, f.NamePos.Col))
				}
				walk(f.Fields, fp, depth+1)
				if f.T != nil {
					in := f.T.Innermost()
					walk(in.Fields, fp, depth+1)
					if in.Kind == catalog.KindNamed {
						for _, td := range cat.Types {
							if td.Name == in.Name {
								walk(td.Fields, fp, depth+1)
							}
						}
					}
				}
			}
		}
		walk(e.Fields, "", 0)
		if len(bad) > 0 {
			sort.Strings(bad)
			c.ig.Report(analysis.Diagnostic{Pos: call.Args[0].Pos(), End: call.Args[0].End(),
				Message: fmt.Sprintf("event %q has catalog fields that look sensitive and are not marked: %s; set sensitive: true on them in the catalog and regenerate", evName, strings.Join(bad, ", "))})
		}
	}
}
