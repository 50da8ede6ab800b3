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
	// convention is Inngest's: a lowercase prefix, a slash, then words
	// (lowercase letters and digits) joined by dots, hyphens, underscores
	// or further slashes: prefix/noun.verb, prefix/noun-verb, prefix/verb.
	convention = regexp.MustCompile(`^[a-z][a-z0-9]*([-_][a-z0-9]+)*/[a-z0-9]+([-_./][a-z0-9]+)*$`)
	// loose is enough for names only waited for or cancelled on, which may
	// come from another system.
	loose = regexp.MustCompile(`^[a-z][a-z0-9-]*/[a-z0-9][a-z0-9._/-]*$`)
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
	var produced []string
	for _, st := range sites {
		if st.role == produces {
			produced = append(produced, st.name)
		}
	}
	major := majority(produced)
	domains := domainPrefixes(produced)
	ig := ignore.New(pass, name)
	defer ig.Finish()
	for _, st := range sites {
		if cat != nil && !inCatalog(cat, st.name) {
			msg := fmt.Sprintf("%s %q is not in the catalog %s", st.verb, st.name, filepath.Base(cat.File))
			if near := closest(cat, st.name); near != "" {
				msg += fmt.Sprintf(": did you mean %q?", near)
			} else {
				msg += ": add it (with its fields) so that it has a schema and typed Go, or fix the name"
			}
			ig.Report(analysis.Diagnostic{Pos: st.expr.Pos(), End: st.expr.End(), Message: msg})
			continue
		}
		var why string
		switch {
		case st.role == consumes:
			if !loose.MatchString(st.name) {
				why = whatsWrong(st.name)
			}
		case !convention.MatchString(st.name):
			why = whatsWrong(st.name)
		default:
			why = noObject(st.name, domains)
			if why == "" {
				why = major.offStyle(st.name)
			}
		}
		if why == "" {
			continue
		}
		msg := fmt.Sprintf("%s %q does not follow the event naming convention (prefix/noun.verb, prefix/noun-verb or prefix/verb, lowercase): %s", st.verb, st.name, why)
		if sug := major.suggest(st.name); sug != "" && sug != st.name && convention.MatchString(sug) && noObject(sug, domains) == "" && major.offStyle(sug) == "" {
			msg += fmt.Sprintf("; e.g. %q", sug)
		}
		ig.Report(analysis.Diagnostic{Pos: st.expr.Pos(), End: st.expr.End(), Category: "advice", Message: msg})
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

// whatsWrong says how a name breaks the convention.
func whatsWrong(s string) string {
	var why []string
	prefix, rest, hasSlash := strings.Cut(s, "/")
	if strings.TrimSpace(s) == "" {
		return "it is empty"
	}
	if strings.ContainsAny(s, " \t") {
		why = append(why, "it contains spaces")
	}
	if strings.ToLower(s) != s {
		why = append(why, "it has capitals")
	}
	switch {
	case !hasSlash || prefix == "":
		why = append(why, "it has no prefix/ (the app or domain, as in shop/order.created)")
	case rest == "":
		why = append(why, "it has nothing after the prefix")
	}
	if len(why) == 0 {
		why = append(why, "a word starts or ends with a separator, a separator is doubled, or a character is not a lowercase letter, digit, '.', '-' or '_'")
	}
	return strings.Join(why, ", ")
}

// genericPrefixes name an application or a layer, not a thing: after them
// a lone verb has no object ("app/created": what was created?).
var genericPrefixes = map[string]bool{
	"app": true, "apps": true, "api": true, "event": true, "events": true, "svc": true, "service": true,
	"system": true, "backend": true, "server": true, "internal": true, "main": true, "default": true,
	"job": true, "jobs": true, "task": true, "tasks": true, "worker": true, "workflow": true, "workflows": true,
}

var bareVerbs = map[string]bool{
	"create": true, "update": true, "delete": true, "send": true, "process": true, "run": true, "sync": true,
	"handle": true, "trigger": true, "start": true, "finish": true, "complete": true, "notify": true, "execute": true,
}

// domainPrefixes are the prefixes that the package's conforming names use
// as a domain: followed by noun.verb (onboarding/workspace.created).
func domainPrefixes(names []string) map[string]bool {
	out := map[string]bool{}
	for _, n := range names {
		if !convention.MatchString(n) {
			continue
		}
		// Only noun.verb says so: in a flat rest (user/signed-up) the
		// words may all be the verb.
		prefix, rest, _ := strings.Cut(n, "/")
		if strings.Contains(rest, ".") {
			out[prefix] = true
		}
	}
	return out
}

// noObject reports a conforming name whose rest is one verb after a prefix
// that names no thing: a generic prefix (app, api, events...) or one the
// package uses as a domain elsewhere (onboarding/created beside
// onboarding/workspace.activated). After a prefix that names a thing
// (item/created) a lone verb is Inngest's prefix/verb form.
func noObject(s string, domains map[string]bool) string {
	prefix, rest, _ := strings.Cut(s, "/")
	if strings.ContainsAny(rest, "./-_") || !(bareVerbs[rest] || (strings.HasSuffix(rest, "ed") && len(rest) > 4)) {
		return ""
	}
	switch {
	case genericPrefixes[prefix]:
		return fmt.Sprintf("%q is an action with no object after the generic prefix %q (%s what?); name the thing, as in %s/user.%s", rest, prefix, rest, prefix, rest)
	case domains[prefix]:
		return fmt.Sprintf("%q is an action with no object: the package's other names use %q as a domain before a noun (%s what?); name the thing, as in %s/<noun>.%s", rest, prefix, rest, prefix, rest)
	}
	return ""
}

// style is how a conforming name joins its words: noun and verb with a dot
// ('.') or flat like the other words ('-', whatever the word separator),
// and the words of a noun or verb with '-' or '_'. A zero byte means the
// name does not say.
type style struct{ action, word byte }

func styleOf(s string) style {
	_, rest, _ := strings.Cut(s, "/")
	var st style
	hasDash, hasUnderscore := strings.Contains(rest, "-"), strings.Contains(rest, "_")
	switch {
	case hasDash && !hasUnderscore:
		st.word = '-'
	case hasUnderscore && !hasDash:
		st.word = '_'
	}
	switch {
	case strings.Contains(rest, "."):
		st.action = '.'
	case st.word != 0:
		st.action = '-' // noun-verb or noun_verb
	}
	return st
}

// styles is the majority style of a package's names. The majority is per
// package: eventname has no facts, and a module-wide count through facts
// would only see the packages a package imports, so the same name would be
// judged differently in different packages.
type styles struct {
	action, word                           byte
	actionN, wordN, actionTotal, wordTotal int
}

// majority returns the style most of names share, on each axis where at
// least three names say something and at least two in three agree.
func majority(names []string) styles {
	var m styles
	actions, words := map[byte]int{}, map[byte]int{}
	for _, n := range names {
		if !convention.MatchString(n) {
			continue
		}
		st := styleOf(n)
		if st.action != 0 {
			actions[st.action]++
			m.actionTotal++
		}
		if st.word != 0 {
			words[st.word]++
			m.wordTotal++
		}
	}
	for b, c := range actions {
		if c > m.actionN {
			m.action, m.actionN = b, c
		}
	}
	for b, c := range words {
		if c > m.wordN {
			m.word, m.wordN = b, c
		}
	}
	if m.actionTotal < 3 || 3*m.actionN < 2*m.actionTotal {
		m.action = 0
	}
	if m.wordTotal < 3 || 3*m.wordN < 2*m.wordTotal {
		m.word = 0
	}
	return m
}

var sepName = map[byte]string{'.': "noun.verb", '-': "hyphens", '_': "underscores"}

// offStyle says how a conforming name departs from the package's majority.
func (m styles) offStyle(s string) string {
	st := styleOf(s)
	switch {
	case m.action == '.' && st.action == '-':
		return fmt.Sprintf("it joins noun and verb with %q while %d of %d names in this package use noun.verb", string(st.word), m.actionN, m.actionTotal)
	case m.action == '-' && st.action == '.':
		return fmt.Sprintf("it uses noun.verb while %d of %d names in this package join noun and verb like their words (noun-verb)", m.actionN, m.actionTotal)
	case m.word != 0 && st.word != 0 && st.word != m.word:
		return fmt.Sprintf("it joins words with %s while %d of %d names in this package use %s", sepName[st.word], m.wordN, m.wordTotal, sepName[m.word])
	}
	return ""
}

// suggest proposes a conforming name in the package's style: lowercase
// words, the last word of a flat rest as the verb when the package uses
// noun.verb.
func (m styles) suggest(s string) string {
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
	prefix, rest, ok := strings.Cut(s, "/")
	if !ok {
		return ""
	}
	sep := "-"
	if m.word == '_' {
		sep = "_"
	}
	pw := split(prefix)
	var parts []string
	if strings.Contains(rest, ".") {
		for _, p := range strings.Split(rest, ".") {
			parts = append(parts, strings.Join(split(p), sep))
		}
	} else {
		w := split(rest)
		if len(w) == 0 {
			return ""
		}
		if len(w) >= 2 && (m.action == '.' || m.action == 0) {
			parts = []string{strings.Join(w[:len(w)-1], sep), w[len(w)-1]}
		} else {
			parts = []string{strings.Join(w, sep)}
		}
	}
	return strings.Join(pw, sep) + "/" + strings.Join(parts, ".")
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
