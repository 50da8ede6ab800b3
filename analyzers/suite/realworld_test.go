package suite_test

import (
	"bytes"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"

	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/durable-go/durable/analyzers/internal/testutil"
	"github.com/durable-go/durable/analyzers/suite"
)

// realworldDir is the corpus of production-style apps (see its README.md):
// a GOPATH root whose src holds the apps (acme.dev/...) and stand-ins of
// vendor SDKs under their real import paths.
var realworldDir = filepath.Join("..", "..", "testdata", "realworld")

// realworldPrefix is the import-path prefix of the corpus's apps; the
// vendor stand-ins are loaded as their dependencies only.
const realworldPrefix = "acme.dev/"

// TestRealWorld runs every analyzer over the real-world corpus and compares
// the findings with its markers: each `// want "analyzer: regexp"` must be
// reported on its line, nothing else may be. It logs precision and recall
// per analyzer and the corpus size; any mismatch fails the test.
func TestRealWorld(t *testing.T) {
	gopath := testutil.GOPATH(t, realworldDir)
	src := filepath.Join(gopath, "src")
	cfg := &packages.Config{
		Mode: packages.LoadAllSyntax,
		Dir:  src,
		Env:  append(os.Environ(), "GOPATH="+gopath, "GO111MODULE=off", "GOWORK=off", "GOFLAGS="),
	}
	pkgs, err := packages.Load(cfg, realworldPrefix+"...")
	if err != nil {
		t.Fatalf("load corpus: %v", err)
	}
	if n := packages.PrintErrors(pkgs); n > 0 {
		t.Fatalf("%d errors loading the corpus", n)
	}
	if len(pkgs) == 0 {
		t.Fatal("the corpus has no packages")
	}

	names := map[string]bool{}
	for _, a := range suite.Analyzers() {
		names[a.Name] = true
	}
	var exps []*expectation
	silents := map[string]int{} // analyzer -> silent markers
	silentAt := map[lineKey][]string{}
	for _, p := range pkgs {
		for _, f := range p.Syntax {
			for _, cg := range f.Comments {
				for _, c := range cg.List {
					pos := p.Fset.Position(c.Slash)
					key := lineKey{rel(src, pos.Filename), pos.Line}
					// A line comment may hold a want and a silent
					// marker: `// want "..." // silent: a (why)`.
					for text := range strings.SplitSeq(c.Text, " // ") {
						if !strings.HasPrefix(text, "//") {
							text = "// " + text
						}
						ws, ss, err := parseMarker(text, names)
						if err != nil {
							t.Errorf("%s:%d: %v", key.file, key.line, err)
							continue
						}
						for _, w := range ws {
							w.at = key
							exps = append(exps, w)
						}
						for _, s := range ss {
							silents[s]++
							silentAt[key] = append(silentAt[key], s)
						}
					}
				}
			}
		}
	}
	for key, ss := range silentAt {
		for _, e := range exps {
			if e.at == key && slices.Contains(ss, e.analyzer) {
				t.Errorf("%s:%d: %s is both expected and silent", key.file, key.line, e.analyzer)
			}
		}
	}

	res, err := checker.Analyze(suite.Analyzers(), pkgs, nil)
	if err != nil {
		t.Fatalf("analyze: %v", err)
	}
	var found []finding
	for _, act := range res.Roots {
		if act.Err != nil {
			t.Errorf("%s: %v", act, act.Err)
			continue
		}
		rule, _ := suite.Lookup(act.Analyzer.Name)
		for _, d := range act.Diagnostics {
			pos := act.Package.Fset.Position(d.Pos)
			found = append(found, finding{
				at:       lineKey{rel(src, pos.Filename), pos.Line},
				col:      pos.Column,
				analyzer: act.Analyzer.Name,
				severity: string(rule.SeverityOf(d.Category)),
				message:  d.Message,
			})
		}
	}
	slices.SortFunc(found, func(a, b finding) int {
		if c := strings.Compare(a.at.file, b.at.file); c != 0 {
			return c
		}
		if a.at.line != b.at.line {
			return a.at.line - b.at.line
		}
		return a.col - b.col
	})

	r := match(exps, found, silentAt)
	report := r.table(silents, corpusLines(t, filepath.Join(realworldDir, "src")))
	for _, m := range r.mismatches {
		t.Errorf("%s", m)
	}
	t.Logf("real-world corpus:\n%s", report)
	checkFormatted(t, filepath.Join(realworldDir, "src"))
}

type lineKey struct {
	file string // relative to the GOPATH's src
	line int
}

// expectation is one quoted string of a want marker: analyzer, optional
// severity, a regexp the message must match and regexps it must not.
type expectation struct {
	at       lineKey
	analyzer string
	severity string // "" for any
	re       *regexp.Regexp
	not      []*regexp.Regexp
	text     string // as written, for reports
	matched  bool
}

func (e *expectation) accepts(f finding) bool {
	if e.matched || e.analyzer != f.analyzer || !e.re.MatchString(f.message) {
		return false
	}
	if e.severity != "" && e.severity != f.severity {
		return false
	}
	for _, n := range e.not {
		if n.MatchString(f.message) {
			return false
		}
	}
	return true
}

type finding struct {
	at       lineKey
	col      int
	analyzer string
	severity string
	message  string
}

func (f finding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s(%s): %s", f.at.file, f.at.line, f.col, f.analyzer, f.severity, f.message)
}

// wantRE is the head of a want string: analyzer name, optional (severity).
var wantRE = regexp.MustCompile(`^([a-z]+)(?:\((error|warning|note)\))?: (.+)$`)

// parseMarker parses one comment. Markers:
//
//	// want "analyzer: regexp" ["analyzer(severity): regexp" ...] [not "regexp"]
//	// silent: analyzer[, analyzer...] (reason)
//
// `not "regexp"` applies to the expectation before it: the finding that
// meets it must not match. Other comments yield nothing.
func parseMarker(text string, names map[string]bool) ([]*expectation, []string, error) {
	body, ok := strings.CutPrefix(text, "// ")
	if !ok {
		return nil, nil, nil
	}
	if rest, ok := strings.CutPrefix(body, "silent: "); ok {
		list, reason, ok := strings.Cut(rest, " (")
		if !ok || !strings.HasSuffix(reason, ")") || len(strings.TrimSpace(strings.TrimSuffix(reason, ")"))) == 0 {
			return nil, nil, fmt.Errorf("silent marker %q: want \"// silent: analyzer[, analyzer] (reason)\"", text)
		}
		var as []string
		for a := range strings.SplitSeq(list, ",") {
			a = strings.TrimSpace(a)
			if !names[a] {
				return nil, nil, fmt.Errorf("silent marker names unknown analyzer %q", a)
			}
			as = append(as, a)
		}
		return nil, as, nil
	}
	rest, ok := strings.CutPrefix(body, "want ")
	if !ok {
		return nil, nil, nil
	}
	var ws []*expectation
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
		negate := false
		if r, ok := strings.CutPrefix(rest, "not "); ok {
			if len(ws) == 0 {
				return nil, nil, fmt.Errorf("want marker %q: \"not\" before any expectation", text)
			}
			negate, rest = true, strings.TrimSpace(r)
		}
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return nil, nil, fmt.Errorf("want marker %q: expected a quoted string at %q", text, rest)
		}
		rest = rest[len(q):]
		s, _ := strconv.Unquote(q)
		if negate {
			re, err := regexp.Compile(s)
			if err != nil {
				return nil, nil, fmt.Errorf("want marker %q: %v", text, err)
			}
			ws[len(ws)-1].not = append(ws[len(ws)-1].not, re)
			continue
		}
		m := wantRE.FindStringSubmatch(s)
		if m == nil || !names[m[1]] {
			return nil, nil, fmt.Errorf("want marker %q: %q is not \"analyzer[(severity)]: regexp\" with a known analyzer", text, s)
		}
		re, err := regexp.Compile(m[3])
		if err != nil {
			return nil, nil, fmt.Errorf("want marker %q: %v", text, err)
		}
		ws = append(ws, &expectation{analyzer: m[1], severity: m[2], re: re, text: s})
	}
	if len(ws) == 0 {
		return nil, nil, fmt.Errorf("want marker %q has no expectation", text)
	}
	return ws, nil, nil
}

// tally counts one analyzer's outcome on the corpus.
type tally struct{ expected, reported, truePos, silent int }

type matchResult struct {
	tallies    map[string]*tally
	mismatches []string
}

// match pairs findings with expectations on the same line, each
// expectation taking at most one finding (as analysistest does).
func match(exps []*expectation, found []finding, silentAt map[lineKey][]string) matchResult {
	r := matchResult{tallies: map[string]*tally{}}
	get := func(a string) *tally {
		if r.tallies[a] == nil {
			r.tallies[a] = &tally{}
		}
		return r.tallies[a]
	}
	byLine := map[lineKey][]*expectation{}
	for _, e := range exps {
		byLine[e.at] = append(byLine[e.at], e)
		get(e.analyzer).expected++
	}
	for _, f := range found {
		get(f.analyzer).reported++
		if i := slices.IndexFunc(byLine[f.at], func(e *expectation) bool { return e.accepts(f) }); i >= 0 {
			byLine[f.at][i].matched = true
			get(f.analyzer).truePos++
			continue
		}
		why := "unexpected finding"
		if slices.Contains(silentAt[f.at], f.analyzer) {
			why = "finding on a line marked silent"
		}
		for _, e := range byLine[f.at] {
			if e.analyzer == f.analyzer && !e.matched {
				why = fmt.Sprintf("finding does not match the expectation %q (severity, message or a \"not\")", e.text)
			}
		}
		r.mismatches = append(r.mismatches, fmt.Sprintf("%s: %s", why, f))
	}
	for _, e := range exps {
		if !e.matched {
			r.mismatches = append(r.mismatches, fmt.Sprintf("missing finding: %s:%d: %s", e.at.file, e.at.line, e.text))
		}
	}
	return r
}

func (r matchResult) table(silents map[string]int, lines lineCount) string {
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "analyzer\texpected\treported\ttrue pos\tfalse pos\tmissed\tprecision\trecall\tsilent markers\t")
	var total tally
	for _, a := range suite.Analyzers() {
		t := r.tallies[a.Name]
		if t == nil {
			t = &tally{}
		}
		t.silent = silents[a.Name]
		if *t == (tally{}) {
			continue
		}
		total.expected += t.expected
		total.reported += t.reported
		total.truePos += t.truePos
		total.silent += t.silent
		fmt.Fprintln(tw, row(a.Name, *t))
	}
	fmt.Fprintln(tw, row("total", total))
	tw.Flush()
	fmt.Fprintf(&b, "corpus: %d lines of Go in %d files (apps), %d lines in %d files (vendor stand-ins)\n",
		lines.apps, lines.appFiles, lines.vendor, lines.vendorFiles)
	return b.String()
}

func row(name string, t tally) string {
	ratio := func(n, d int) string {
		if d == 0 {
			return "-"
		}
		return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(d))
	}
	return fmt.Sprintf("%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%d\t", name, t.expected, t.reported, t.truePos,
		t.reported-t.truePos, t.expected-t.truePos, ratio(t.truePos, t.reported), ratio(t.truePos, t.expected), t.silent)
}

type lineCount struct{ apps, appFiles, vendor, vendorFiles int }

// corpusLines counts the lines of every .go file of the corpus, including
// files a build constraint leaves out of the default build.
func corpusLines(t *testing.T, src string) lineCount {
	var n lineCount
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		lines := bytes.Count(data, []byte("\n"))
		if strings.HasPrefix(filepath.ToSlash(rel(src, path)), realworldPrefix) {
			n.apps += lines
			n.appFiles++
		} else {
			n.vendor += lines
			n.vendorFiles++
		}
		return nil
	})
	if err != nil {
		t.Fatalf("counting corpus lines: %v", err)
	}
	return n
}

// checkFormatted: the corpus is gofmt-clean, as the code it imitates.
func checkFormatted(t *testing.T, src string) {
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		formatted, err := format.Source(data)
		if err != nil {
			t.Errorf("%s: %v", path, err)
		} else if !bytes.Equal(formatted, data) {
			t.Errorf("%s is not gofmt-ed", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return path
}

// TestRealWorldMarkers checks the marker syntax and the matching that
// TestRealWorld relies on, so that a mistake in either cannot hide a
// mismatch.
func TestRealWorldMarkers(t *testing.T) {
	names := map[string]bool{"sideeffect": true, "stepid": true}
	parse := []struct {
		text    string
		wants   []string // analyzer(severity): regexp, for each expectation
		nots    []int    // "not" regexps per expectation
		silents []string
		err     bool
	}{
		{text: "// an ordinary comment"},
		{text: "// wanted: not a marker"},
		{text: `// want "sideeffect: .*SetStatus"`, wants: []string{"sideeffect(): .*SetStatus"}, nots: []int{0}},
		{text: `// want "stepid(note): generic" "sideeffect: x"`, wants: []string{"stepid(note): generic", "sideeffect(): x"}, nots: []int{0, 0}},
		{text: `// want "sideeffect: a" not "runtime\\." not "b"`, wants: []string{"sideeffect(): a"}, nots: []int{2}},
		{text: "// want `sideeffect: a\\.b`", wants: []string{`sideeffect(): a\.b`}, nots: []int{0}},
		{text: "// silent: stepid, sideeffect (why)", silents: []string{"stepid", "sideeffect"}},
		{text: "// silent: stepid", err: true},
		{text: "// silent: stepid ()", err: true},
		{text: "// silent: nosuch (why)", err: true},
		{text: `// want "nosuch: x"`, err: true},
		{text: `// want "sideeffect(fatal): x"`, err: true},
		{text: `// want "sideeffect: ("`, err: true},
		{text: `// want not "x"`, err: true},
		{text: `// want sideeffect`, err: true},
		{text: `// want `, err: true},
	}
	for _, c := range parse {
		ws, ss, err := parseMarker(c.text, names)
		if (err != nil) != c.err {
			t.Errorf("parseMarker(%q) error = %v, want error %v", c.text, err, c.err)
			continue
		}
		var got []string
		var nots []int
		for _, w := range ws {
			got = append(got, fmt.Sprintf("%s(%s): %s", w.analyzer, w.severity, w.re))
			nots = append(nots, len(w.not))
		}
		if !slices.Equal(got, c.wants) || !slices.Equal(nots, c.nots) || !slices.Equal(ss, c.silents) {
			t.Errorf("parseMarker(%q) = %q (nots %v), silent %q; want %q (nots %v), silent %q", c.text, got, nots, ss, c.wants, c.nots, c.silents)
		}
	}

	at := lineKey{"a.go", 3}
	want := func(text string) *expectation {
		ws, _, err := parseMarker(`// want "`+text+`"`, names)
		if err != nil {
			t.Fatal(err)
		}
		ws[0].at = at
		return ws[0]
	}
	found := func(analyzer, severity, message string) finding {
		return finding{at: at, analyzer: analyzer, severity: severity, message: message}
	}
	matches := []struct {
		name       string
		exps       []*expectation
		found      []finding
		silent     []string
		tp, misses int
		mismatches []string // prefixes, in order
	}{
		{name: "match", exps: []*expectation{want("sideeffect: SetStatus")}, found: []finding{found("sideeffect", "error", "db SetStatus")}, tp: 1},
		{name: "other line", exps: []*expectation{want("sideeffect: x")}, found: []finding{{at: lineKey{"a.go", 4}, analyzer: "sideeffect", message: "x"}},
			mismatches: []string{"unexpected finding", "missing finding"}},
		{name: "other analyzer", exps: []*expectation{want("sideeffect: x")}, found: []finding{found("stepid", "error", "x")},
			mismatches: []string{"unexpected finding", "missing finding"}},
		{name: "severity", exps: []*expectation{want("sideeffect(note): x")}, found: []finding{found("sideeffect", "error", "x")},
			mismatches: []string{"finding does not match", "missing finding"}},
		{name: "one finding per expectation", exps: []*expectation{want("sideeffect: x")}, found: []finding{found("sideeffect", "error", "x"), found("sideeffect", "error", "x")},
			tp: 1, mismatches: []string{"unexpected finding"}},
		{name: "silent line", found: []finding{found("stepid", "error", "dup")}, silent: []string{"stepid"},
			mismatches: []string{"finding on a line marked silent"}},
	}
	for _, c := range matches {
		t.Run(c.name, func(t *testing.T) {
			r := match(c.exps, c.found, map[lineKey][]string{at: c.silent})
			tp := 0
			for _, tl := range r.tallies {
				tp += tl.truePos
			}
			if tp != c.tp || len(r.mismatches) != len(c.mismatches) {
				t.Fatalf("true positives %d, mismatches %q; want %d and %q", tp, r.mismatches, c.tp, c.mismatches)
			}
			for i, m := range r.mismatches {
				if !strings.HasPrefix(m, c.mismatches[i]) {
					t.Errorf("mismatch %d = %q, want prefix %q", i, m, c.mismatches[i])
				}
			}
		})
	}

	negated, _, err := parseMarker(`// want "sideeffect: Send" not "runtime\\."`, names)
	if err != nil {
		t.Fatal(err)
	}
	if negated[0].accepts(finding{analyzer: "sideeffect", message: "Send: use runtime.FunctionFailed"}) {
		t.Error(`an expectation with not "runtime\\." accepted a message naming runtime.`)
	}
	if !negated[0].accepts(finding{analyzer: "sideeffect", message: "Send: use step.Send"}) {
		t.Error("an expectation rejected a message that matches it")
	}
}
