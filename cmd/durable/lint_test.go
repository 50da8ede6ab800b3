package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/durable-go/durable/analyzers/suite"
)

// runIn runs a durable command in dir.
func runIn(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	var out, errb bytes.Buffer
	code = dispatch(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// The findings of the fixture with every analyzer at its defaults.
var fixtureFindings = []string{
	`app/app.go:28:8: sideeffect: wall-clock read time.Now outside a step in durable function "stamp": it runs again on every replay; move it into step.Run`,
	`app/app.go:29:23: sideeffect: wall-clock read time.Now outside a step in durable function "stamp" via app.stamp → time.Now: it runs again on every replay; move it into step.Run`,
	`app/app.go:35:69: waittimeout: step.WaitForEvent "wait-payment" has no Timeout: the run waits forever (the runtime refuses it); set a positive Timeout`,
	`app/app.go:46:34: idempotency: durable function "notify" makes the non-idempotent call sql.DB.Exec but has no Idempotency key: a duplicate event runs it twice; set FunctionOpts.Idempotency (e.g. "event.data.id") or pass an idempotency key to the call`,
	`app/app.go:65:1: durableignore: //durable:ignore names unknown analyzer "nosuchcheck"`,
}

func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestLintText(t *testing.T) {
	// With a test file, go/packages also loads the generated test main
	// (app.test), whose findings must not show.
	dir := lintFixture(t, map[string]string{"app/app_test.go": "package app\n\nimport \"testing\"\n\nfunc TestNothing(t *testing.T) {}\n"})
	code, out, errs := runIn(t, dir, "lint")
	if code != 1 || !slices.Equal(lines(out), fixtureFindings) || errs != "" {
		t.Errorf("code %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", code, out, strings.Join(fixtureFindings, "\n"), errs)
	}
	// Explicit patterns, from a subdirectory: paths stay relative to it.
	code, out, _ = runIn(t, filepath.Join(dir, "app"), "lint", "-disable", "durableignore,idempotency", ".")
	if code != 1 || len(lines(out)) != 3 || !strings.HasPrefix(out, "app.go:28:8: sideeffect: ") {
		t.Errorf("from app/: code %d\n%s", code, out)
	}
}

func TestLintClean(t *testing.T) {
	dir := lintFixture(t, map[string]string{"app/app.go": `package app

import (
	"context"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

var Tick = runtime.NewFunction(runtime.FunctionOpts{ID: "tick"}, runtime.CronTrigger("0 * * * *"),
	func(ctx context.Context, in runtime.Input[struct{}]) (any, error) {
		return nil, step.Sleep(ctx, "pause", time.Minute)
	})
`})
	code, out, errs := runIn(t, dir, "lint")
	if code != 0 || out != "" || errs != "" {
		t.Errorf("code %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	code, out, _ = runIn(t, dir, "lint", "-format", "json")
	if code != 0 || strings.TrimSpace(out) != "{\n  \"findings\": []\n}" {
		t.Errorf("json: code %d\n%s", code, out)
	}
}

func TestLintEnableDisable(t *testing.T) {
	dir := lintFixture(t, nil)
	code, out, _ := runIn(t, dir, "lint", "--enable", "waittimeout")
	if code != 1 || !slices.Equal(lines(out), fixtureFindings[2:3]) {
		t.Errorf("--enable waittimeout: code %d\n%s", code, out)
	}
	code, out, _ = runIn(t, dir, "lint", "--disable", "sideeffect,waittimeout,idempotency,durableignore")
	if code != 0 || out != "" {
		t.Errorf("everything with a finding disabled: code %d\n%s", code, out)
	}
}

func TestLintConfig(t *testing.T) {
	dir := lintFixture(t, map[string]string{"durable.yaml": `version: "1"
output: {schemas: schemas}
events:
  - {name: shop/order.created, v: "1", fields: {id: {type: string, required: true}}}
  - {name: shop/payment.received, v: "1", fields: {id: {type: string, required: true}}}
lint:
  disable: [sideeffect, durableignore]
  severity:
    waittimeout: note
  settings:
    idempotency:
      calls: [example.com/app/app.Record]
`})
	code, out, errs := runIn(t, dir, "lint")
	want := []string{
		fixtureFindings[2],
		fixtureFindings[3],
		`app/app.go:55:33: idempotency: durable function "audit" makes the non-idempotent call app.Record but has no Idempotency key: a duplicate event runs it twice; set FunctionOpts.Idempotency (e.g. "event.data.id") or pass an idempotency key to the call`,
	}
	if code != 1 || !slices.Equal(lines(out), want) {
		t.Errorf("code %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", code, out, strings.Join(want, "\n"), errs)
	}
	// The command line wins over the file: -idempotency.calls empties the
	// list, --enable overrides lint.disable.
	code, out, _ = runIn(t, dir, "lint", "-idempotency.calls=", "--enable", "sideeffect,idempotency")
	if code != 1 || !slices.Equal(lines(out), []string{fixtureFindings[0], fixtureFindings[1], fixtureFindings[3]}) {
		t.Errorf("flags over file: code %d\n%s", code, out)
	}
	// Notes alone do not fail the run; severities show in JSON.
	code, out, _ = runIn(t, dir, "lint", "--enable", "waittimeout", "--format", "json")
	var got struct{ Findings []finding }
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 || len(got.Findings) != 1 || got.Findings[0].Severity != "note" {
		t.Errorf("notes only: code %d, %v\n%s", code, err, out)
	}
	// A settings run leaves no trace on the next: flags are reset.
	code, out, _ = runIn(t, lintFixture(t, nil), "lint", "--enable", "idempotency")
	if code != 1 || !slices.Equal(lines(out), fixtureFindings[3:4]) {
		t.Errorf("flags leaked into the next run: code %d\n%s", code, out)
	}
}

func TestLintDefaultSeverity(t *testing.T) {
	dir := lintFixture(t, map[string]string{"durable.yaml": "lint:\n  severity: {default: note, idempotency: warning}\n"})
	code, out, _ := runIn(t, dir, "lint", "--format", "json")
	var got struct{ Findings []finding }
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	levels := map[string]string{}
	for _, f := range got.Findings {
		levels[f.Analyzer] = f.Severity
	}
	if code != 1 || levels["sideeffect"] != "note" || levels["idempotency"] != "warning" || levels["durableignore"] != "note" {
		t.Errorf("code %d, levels %v", code, levels)
	}
	code, _, _ = runIn(t, dir, "lint", "--disable", "idempotency")
	if code != 0 {
		t.Errorf("notes only: code %d, want 0", code)
	}
}

func TestLintJSON(t *testing.T) {
	dir := lintFixture(t, nil)
	code, out, _ := runIn(t, dir, "lint", "--format=json")
	var got struct{ Findings []finding }
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if code != 1 || len(got.Findings) != len(fixtureFindings) {
		t.Fatalf("code %d, %d findings", code, len(got.Findings))
	}
	direct, via, ign := got.Findings[0], got.Findings[1], got.Findings[4]
	if direct.Pos != (position{File: "app/app.go", Line: 28, Column: 8}) || direct.End == nil || direct.End.Column != 18 ||
		direct.Severity != "error" || direct.Category == "" || len(direct.Fixes) != 1 || len(direct.Fixes[0].Edits) == 0 ||
		direct.Fixes[0].Edits[0].File != "app/app.go" {
		t.Errorf("direct finding: %+v", direct)
	}
	if len(via.Related) != 2 || via.Related[0].Pos.Line != 29 || via.Related[1].Pos.Line != 23 {
		t.Errorf("call chain: %+v", via.Related)
	}
	if ign.Severity != "warning" {
		t.Errorf("durableignore severity %q, want warning", ign.Severity)
	}
}

func TestLintSARIF(t *testing.T) {
	dir := lintFixture(t, map[string]string{"durable.yaml": "lint:\n  severity: {waittimeout: warning}\n"})
	code, out, errs := runIn(t, dir, "lint", "--format", "sarif")
	if code != 1 {
		t.Fatalf("code %d\n%s", code, errs)
	}
	var log struct {
		Schema  string `json:"$schema"`
		Version string
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string
					Rules []struct {
						ID                   string
						ShortDescription     struct{ Text string }
						FullDescription      struct{ Text string }
						Help                 struct{ Text, Markdown string }
						HelpURI              string
						DefaultConfiguration struct {
							Level   string
							Enabled bool
						}
					}
				}
			}
			OriginalURIBaseIDs map[string]struct{ URI string } `json:"originalUriBaseIds"`
			ColumnKind         string
			Results            []struct {
				RuleID    string
				RuleIndex int
				Level     string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI, URIBaseID string }
						Region           struct{ StartLine, StartColumn, EndLine, EndColumn int }
					}
				}
				RelatedLocations []struct {
					ID      int
					Message struct{ Text string }
				}
				Fixes []struct {
					ArtifactChanges []struct {
						Replacements []struct {
							DeletedRegion   struct{ StartLine int }
							InsertedContent struct{ Text string }
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif-2.1.0") || len(log.Runs) != 1 || log.Runs[0].ColumnKind != "utf16CodeUnits" {
		t.Fatalf("not a SARIF 2.1.0 log with one run:\n%.500s", out)
	}
	run := log.Runs[0]
	rules := run.Tool.Driver.Rules
	if run.Tool.Driver.Name != "durable" || len(rules) != len(suite.Analyzers()) {
		t.Fatalf("driver %q with %d rules, want one per analyzer (%d)", run.Tool.Driver.Name, len(rules), len(suite.Analyzers()))
	}
	for i, a := range suite.Analyzers() {
		r := rules[i]
		if r.ID != a.Name || r.HelpURI != a.URL || r.Help.Text == "" || !strings.Contains(r.Help.Markdown, "](") ||
			r.ShortDescription.Text == "" || r.FullDescription.Text == "" || !r.DefaultConfiguration.Enabled {
			t.Errorf("rule %d: %+v", i, r)
		}
	}
	// Default levels are the suite's; durable.yaml's waittimeout: warning is an
	// invocation override (TestSARIFSchema).
	if rules[1].DefaultConfiguration.Level != "error" || rules[0].DefaultConfiguration.Level != "error" {
		t.Errorf("rule levels: %q %q", rules[0].DefaultConfiguration.Level, rules[1].DefaultConfiguration.Level)
	}
	if root := run.OriginalURIBaseIDs["%SRCROOT%"].URI; !strings.HasPrefix(root, "file:///") || !strings.HasSuffix(root, "/app/") {
		t.Errorf("%%SRCROOT%% = %q", root)
	}
	if len(run.Results) != len(fixtureFindings) {
		t.Fatalf("%d results, want %d", len(run.Results), len(fixtureFindings))
	}
	for _, r := range run.Results {
		if rules[r.RuleIndex].ID != r.RuleID || len(r.Locations) != 1 || r.Locations[0].PhysicalLocation.ArtifactLocation.URI != "app/app.go" ||
			r.Locations[0].PhysicalLocation.ArtifactLocation.URIBaseID != "%SRCROOT%" || r.Locations[0].PhysicalLocation.Region.StartLine < 1 {
			t.Errorf("result %+v", r)
		}
	}
	direct, via, wait := run.Results[0], run.Results[1], run.Results[2]
	if reg := direct.Locations[0].PhysicalLocation.Region; reg.StartLine != 28 || reg.StartColumn != 8 || reg.EndColumn != 18 || len(direct.Fixes) != 1 {
		t.Errorf("direct: %+v", direct)
	}
	// The call chain is in the message, which code scanning shows, and in
	// relatedLocations.
	if !strings.Contains(via.Message.Text, "via app.stamp → time.Now") || !strings.Contains(via.Message.Text, "\n1. app/app.go:29:23: ") ||
		!strings.Contains(via.Message.Text, "\n2. app/app.go:23:") || len(via.RelatedLocations) != 2 || via.RelatedLocations[0].ID != 1 {
		t.Errorf("via: %q, related %+v", via.Message.Text, via.RelatedLocations)
	}
	if wait.Level != "warning" || direct.Level != "error" {
		t.Errorf("levels %q %q", wait.Level, direct.Level)
	}
}

// TestSARIFColumns: columns count UTF-16 code units, as SARIF's default
// columnKind says, not bytes.
func TestSARIFColumns(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "x.go")
	write(t, f, "s := \"é😀\"; time.Now()\n")
	c := columns{}
	// 15 bytes precede "time" (é is 2 bytes, 😀 4) but 12 UTF-16 code units (😀 is a surrogate pair).
	byteCol := strings.Index("s := \"é😀\"; time.Now()", "time") + 1
	if got := c.utf16(f, 1, byteCol); got != 13 {
		t.Errorf("utf16 column of byte column %d = %d, want 13", byteCol, got)
	}
	if got := c.utf16(f, 9, 3); got != 3 {
		t.Errorf("out of range line: %d", got)
	}
}

func TestLintFix(t *testing.T) {
	dir := lintFixture(t, nil)
	code, out, errs := runIn(t, dir, "lint", "--fix", "--enable", "sideeffect,waittimeout")
	src, err := os.ReadFile(filepath.Join(dir, "app", "app.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errs, "fixed app/app.go") || !strings.Contains(string(src), `step.Run(ctx, "time-now"`) || !strings.Contains(string(src), "Timeout:") {
		t.Fatalf("code %d\nstderr:\n%s\napp.go:\n%s", code, errs, src)
	}
	// What is left: the finding through the helper, which has no fix.
	if code != 1 || len(lines(out)) != 1 || !strings.Contains(out, "via app.stamp → time.Now") {
		t.Errorf("after --fix: code %d\n%s", code, out)
	}
	// The fixed package still builds and the fixes are gofmt'ed: running
	// again fixes nothing and reports the same.
	code2, out2, errs2 := runIn(t, dir, "lint", "--fix", "--enable", "sideeffect,waittimeout")
	if code2 != 1 || out2 != out || strings.Contains(errs2, "fixed") {
		t.Errorf("second --fix: code %d\n%s\n%s", code2, out2, errs2)
	}
	if code, _, errs := runIn(t, dir, "lint", "--fix", "--format", "sarif"); code != 2 || !strings.Contains(errs, "--fix works with --format text only") {
		t.Errorf("--fix --format sarif: code %d, %s", code, errs)
	}
}

func TestFixConflicts(t *testing.T) {
	a := fileEdit{10, 20, "x"}
	for _, tt := range []struct {
		b    fileEdit
		want bool
	}{
		{fileEdit{10, 20, "x"}, false}, // same edit
		{fileEdit{15, 25, "y"}, true},
		{fileEdit{20, 30, "y"}, false}, // adjacent
		{fileEdit{20, 20, "y"}, true},  // insertion at the end of a replacement
		{fileEdit{0, 10, "y"}, false},
		{fileEdit{5, 5, "y"}, false},
	} {
		if got := a.conflicts(tt.b); got != tt.want || tt.b.conflicts(a) != tt.want {
			t.Errorf("%v conflicts %v = %v, want %v", a, tt.b, got, tt.want)
		}
	}
}

func TestLintErrors(t *testing.T) {
	dir := lintFixture(t, map[string]string{
		"broken/broken.go": "package broken\n\nfunc F() int { return \"x\" }\n",
	})
	for _, tt := range []struct {
		name string
		args []string
		yaml string
		want []string
	}{
		{"bad flag", []string{"lint", "--frobnicate"}, "", []string{"flag provided but not defined: -frobnicate"}},
		{"bad format", []string{"lint", "--format", "xml", "./app"}, "", []string{`unknown --format "xml" (want text, json or sarif)`}},
		{"unknown analyzer", []string{"lint", "--enable", "sidefx", "./app"}, "", []string{`durable lint: --enable: unknown analyzer "sidefx" (known: sideeffect, `}},
		{"unknown analyzer flag", []string{"lint", "-sideeffect.calls=x", "./app"}, "", []string{"flag provided but not defined: -sideeffect.calls"}},
		{"does not load", []string{"lint", "./..."}, "", []string{
			"broken/broken.go:3:23: cannot use \"x\" (untyped string constant) as int value in return statement",
			"durable lint: package example.com/app/broken does not load",
		}},
		{"no packages", []string{"lint", "./nothing/..."}, "", []string{"pattern ./nothing/...: lstat ./nothing/: no such file or directory"}},
		{"everything disabled", []string{"lint", "--enable", "sideeffect", "--disable", "sideeffect", "./app"}, "", []string{"every analyzer is disabled"}},
		{"config", []string{"lint", "./app"}, "lint:\n  disable: [sidefx]\n  settings:\n    idempotency: {call: x}\n    stepid: {x: 1}\n", []string{
			`durable.yaml:2:13: lint.disable: unknown analyzer "sidefx"`,
			`durable.yaml:4:19: lint.settings.idempotency.call: analyzer idempotency has no flag "call" (its flags: calls)`,
			`durable.yaml:5:14: lint.settings.stepid.x: analyzer stepid has no flag "x" (it has no flags)`,
		}},
		{"config shape", []string{"lint", "./app"}, "lint:\n  severity: {sideeffect: fatal}\n", []string{
			`durable.yaml:2:26: lint.severity.sideeffect: unknown severity "fatal" (want error, warning or note)`,
			"durable lint: 1 error(s) in the lint section of durable.yaml",
		}},
		{"missing config", []string{"lint", "--config", "nope.yaml", "./app"}, "", []string{"durable lint: open nope.yaml: no such file or directory"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := filepath.Join(dir, "durable.yaml")
			os.Remove(cfg)
			if tt.yaml != "" {
				write(t, cfg, tt.yaml)
			}
			code, out, errs := runIn(t, dir, tt.args...)
			if code != 2 || out != "" {
				t.Errorf("code %d, stdout %q", code, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs)
				}
			}
		})
	}
}

func TestLintList(t *testing.T) {
	dir := lintFixture(t, map[string]string{"durable.yaml": "lint:\n  disable: [stepid]\n  severity: {goroutine: warning}\n"})
	code, out, _ := runIn(t, dir, "lint", "--list")
	if code != 0 {
		t.Fatalf("code %d", code)
	}
	for _, a := range suite.Analyzers() {
		if !strings.Contains(out, "\n"+a.Name+" ") && !strings.HasPrefix(out, a.Name+" ") {
			t.Errorf("--list lacks %s:\n%s", a.Name, out)
		}
	}
	for _, w := range []string{`-idempotency.calls: `, `\(disabled\)`, `\ngoroutine +warning `, `(?m)^sideeffect +error `} {
		if !regexp.MustCompile(w).MatchString(out) {
			t.Errorf("--list lacks %q:\n%s", w, out)
		}
	}
}

func TestExplain(t *testing.T) {
	for _, a := range suite.Analyzers() {
		code, out, _ := runIn(t, ".", "explain", a.Name)
		if code != 0 || !strings.HasPrefix(out, a.Doc) || !strings.Contains(out, "Documentation: "+a.URL) || !strings.Contains(out, "//durable:ignore "+a.Name) {
			t.Errorf("explain %s: code %d\n%s", a.Name, code, out)
		}
	}
	code, out, _ := runIn(t, ".", "explain", "idempotency")
	if code != 0 || !strings.Contains(out, "lint.settings.idempotency.calls") {
		t.Errorf("explain idempotency lacks its flag:\n%s", out)
	}
	if code, _, errs := runIn(t, ".", "explain", "nope"); code != 2 || !strings.Contains(errs, `unknown analyzer "nope" (known: sideeffect`) {
		t.Errorf("unknown: code %d %s", code, errs)
	}
	if code, _, errs := runIn(t, ".", "explain"); code != 2 || !strings.Contains(errs, "usage: durable explain") {
		t.Errorf("no argument: code %d %s", code, errs)
	}
}
