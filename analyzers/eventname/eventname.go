package eventname

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/types"
	"path/filepath"
	"regexp"
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

const name = "eventname"

// Analyzer reports event names off the convention or missing from the catalog.
var Analyzer = &analysis.Analyzer{
	Name:     name,
	Doc:      durable.ExtractDoc(doc, name),
	URL:      durable.DocURL(name),
	Requires: []*analysis.Analyzer{inspect.Analyzer, durable.Analyzer},
	Run:      run,
}

var catalogFlag string

func init() {
	Analyzer.Flags.StringVar(&catalogFlag, "catalog", "", "the event catalog (durable.yaml) that lists every event; default: the nearest durable.yaml in the package's directory or above")
}

var (
	word       = `[a-z][a-z0-9]*(-[a-z0-9]+)*`
	convention = regexp.MustCompile(`^` + word + `/` + word + `(\.` + word + `)+$`)
	loose      = regexp.MustCompile(`^[a-z][a-z0-9-]*/[a-z0-9][a-z0-9._-]*$`)
)

// role says what the code does with a name.
type role uint8

const (
	produces role = iota // defines, triggers on, sends
	consumes             // waits for, cancels on
)

type site struct {
	expr ast.Expr
	name string
	role role
	verb string
}

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[durable.Analyzer].(*durable.Result)
	if !res.Relevant {
		return nil, nil
	}
	info := pass.TypesInfo
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	var sites []site
	add := func(e ast.Expr, r role, verb string) {
		if e == nil {
			return
		}
		tv, ok := info.Types[e]
		if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
			return
		}
		s := constant.StringVal(tv.Value)
		if strings.HasPrefix(s, "durable/") || strings.HasPrefix(s, "inngest/") {
			return
		}
		sites = append(sites, site{expr: e, name: s, role: r, verb: verb})
	}
	for cur := range insp.Root().Preorder((*ast.CallExpr)(nil), (*ast.CompositeLit)(nil)) {
		switch n := cur.Node().(type) {
		case *ast.CallExpr:
			fn := durable.Callee(info, n)
			if len(n.Args) == 0 {
				continue
			}
			switch {
			case durable.IsPkgFunc(fn, durable.DurableRuntimePath, "NewEventType"):
				add(n.Args[0], produces, "event type")
			case durable.IsPkgFunc(fn, durable.DurableRuntimePath, "EventTrigger"), durable.IsPkgFunc(fn, durable.InngestPath, "EventTrigger"):
				add(n.Args[0], produces, "trigger")
			}
		case *ast.CompositeLit:
			t := info.TypeOf(n)
			if t == nil {
				continue
			}
			switch typeName(t) {
			case durable.DurableRuntimePath + ".Event", durable.InngestPath + ".Event", durable.InngestPath + ".GenericEvent":
				add(durable.FieldOf(n, "Name"), produces, "sent event")
			case durable.DurableRuntimePath + ".Cancel", durable.InngestPath + ".ConfigCancel":
				add(durable.FieldOf(n, "Event"), consumes, "cancel event")
			case durable.InngestStepPath + ".WaitForEventOpts":
				add(durable.FieldOf(n, "Event"), consumes, "awaited event")
			}
		}
	}
	if len(sites) == 0 {
		return nil, nil
	}
	var cat *catalog.Config
	if len(pass.Files) > 0 {
		cat = catalogs.For(filepath.Dir(pass.Fset.File(pass.Files[0].Pos()).Name()), catalogFlag)
	}
	conforming := 0
	for _, s := range sites {
		if convention.MatchString(s.name) {
			conforming++
		}
	}
	ig := ignore.New(pass, name)
	defer ig.Finish()
	for _, s := range sites {
		if cat != nil && !inCatalog(cat, s.name) {
			msg := fmt.Sprintf("%s %q is not in the catalog %s", s.verb, s.name, filepath.Base(cat.File))
			if near := closest(cat, s.name); near != "" {
				msg += fmt.Sprintf(": did you mean %q?", near)
			} else {
				msg += ": add it (with its fields) so that it has a schema and typed Go, or fix the name"
			}
			ig.Report(analysis.Diagnostic{Pos: s.expr.Pos(), End: s.expr.End(), Message: msg})
			continue
		}
		ok := convention.MatchString(s.name)
		if s.role == consumes {
			ok = ok || loose.MatchString(s.name)
		}
		if ok {
			continue
		}
		msg := fmt.Sprintf("%s %q does not follow domain/noun.verb (lowercase, kebab-case words, a dot before the action): %s", s.verb, s.name, whatsWrong(s.name))
		if sug := suggest(s.name); sug != "" && sug != s.name && convention.MatchString(sug) {
			msg += fmt.Sprintf("; e.g. %q", sug)
		}
		if conforming > 0 {
			msg += fmt.Sprintf(" (%d other name(s) in this package follow it)", conforming)
		}
		ig.Report(analysis.Diagnostic{Pos: s.expr.Pos(), End: s.expr.End(), Category: "advice", Message: msg})
	}
	return nil, nil
}

func typeName(t types.Type) string {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return ""
	}
	return n.Obj().Pkg().Path() + "." + n.Obj().Name()
}

func whatsWrong(s string) string {
	var why []string
	domain, rest, hasSlash := strings.Cut(s, "/")
	switch {
	case strings.TrimSpace(s) == "":
		return "it is empty"
	case strings.ContainsAny(s, " \t"):
		why = append(why, "it contains spaces")
	}
	if strings.ToLower(s) != s {
		why = append(why, "it has capitals")
	}
	if strings.Contains(s, "_") {
		why = append(why, "it uses underscores instead of hyphens")
	}
	if !hasSlash || domain == "" {
		why = append(why, "it has no domain/ prefix")
	} else if !strings.Contains(rest, ".") {
		why = append(why, "it has no .action after the noun")
	} else if strings.Count(s, "/") > 1 {
		why = append(why, "it has more than one slash")
	}
	if len(why) == 0 {
		why = append(why, "a word starts with a digit or a separator is doubled")
	}
	return strings.Join(why, ", ")
}

// suggest proposes a conforming name: lowercase kebab-case words, the last
// word of the noun part as the action when there is none.
func suggest(s string) string {
	split := func(x string) []string {
		var words []string
		var cur []rune
		prevLower := false
		for _, r := range x {
			switch {
			case r == '_' || r == '-' || r == ' ' || r == '.':
				if len(cur) > 0 {
					words = append(words, string(cur))
				}
				cur, prevLower = nil, false
				continue
			case unicode.IsUpper(r) && prevLower:
				words = append(words, string(cur))
				cur = nil
			}
			cur = append(cur, unicode.ToLower(r))
			prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		}
		if len(cur) > 0 {
			words = append(words, string(cur))
		}
		return words
	}
	domain, rest, ok := strings.Cut(s, "/")
	if !ok {
		return ""
	}
	dw := split(domain)
	var parts []string
	if strings.Contains(rest, ".") {
		for _, p := range strings.Split(rest, ".") {
			parts = append(parts, strings.Join(split(p), "-"))
		}
	} else {
		w := split(rest)
		if len(w) < 2 {
			return ""
		}
		parts = []string{strings.Join(w[:len(w)-1], "-"), w[len(w)-1]}
	}
	return strings.Join(dw, "-") + "/" + strings.Join(parts, ".")
}

func inCatalog(cat *catalog.Config, n string) bool {
	for _, e := range cat.Events {
		if e.Name == n {
			return true
		}
	}
	return false
}

// closest returns the catalog name nearest to n (edit distance at most 3), or "".
func closest(cat *catalog.Config, n string) string {
	best, bestD := "", 4
	for _, e := range cat.Events {
		if d := distance(n, e.Name); d < bestD {
			best, bestD = e.Name, d
		}
	}
	return best
}

func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
