package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/durable-go/durable/analyzers/lintconfig"
	"github.com/durable-go/durable/analyzers/suite"
	"github.com/durable-go/durable/analyzers/vettool"
)

// runIn runs a durable command in dir: in this process, except lint, which
// runs the durable binary (it is go vet's analysis tool).
func runIn(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if len(args) > 0 && args[0] == "lint" {
		return lint(t, dir, nil, args[1:]...)
	}
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

// The findings of the fixture with every analyzer at its defaults: each
// line of output starts with one of these (messages belong to the
// analyzers' own tests).
var fixtureFindings = []string{
	`app/app.go:28:8: sideeffect: wall-clock read time.Now outside a step in durable function "stamp": `,
	`app/app.go:29:23: sideeffect: wall-clock read time.Now outside a step in durable function "stamp" via app.stamp → time.Now: `,
	`app/app.go:35:69: waittimeout: step.WaitForEvent "wait-payment" has no Timeout`,
	`app/app.go:46:34: idempotency: advice: durable function "notify" `,
	`app/app.go:65:1: durableignore: //durable:ignore names unknown analyzer "nosuchcheck"`,
}

// auditFinding is the fixture's finding with -idempotency.calls naming
// app.Record.
const auditFinding = `app/app.go:55:33: idempotency: durable function "audit" makes the non-idempotent call app.Record`

func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// matches reports whether each line of out starts with the prefix at the
// same index of want, and there are as many.
func matches(out string, want ...string) bool {
	got := lines(out)
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !strings.HasPrefix(got[i], want[i]) {
			return false
		}
	}
	return true
}

func TestLintText(t *testing.T) {
	dir := lintFixture(t, map[string]string{"app/app_test.go": "package app\n\nimport \"testing\"\n\nfunc TestNothing(t *testing.T) {}\n"})
	code, out, errs := lint(t, dir, nil)
	if code != 1 || !matches(out, fixtureFindings...) || errs != "" {
		t.Errorf("code %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", code, out, strings.Join(fixtureFindings, "\n"), errs)
	}
	// Explicit patterns, from a subdirectory: paths are relative to the
	// module root all the same.
	code, out, _ = lint(t, filepath.Join(dir, "app"), nil, "-disable", "durableignore,idempotency", ".")
	if code != 1 || !matches(out, fixtureFindings[:3]...) {
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
	code, out, errs := lint(t, dir, nil)
	if code != 0 || out != "" || errs != "" {
		t.Errorf("code %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	code, out, _ = lint(t, dir, nil, "-format", "json")
	if code != 0 || strings.TrimSpace(out) != "{\n  \"findings\": []\n}" {
		t.Errorf("json: code %d\n%s", code, out)
	}
}

func TestLintEnableDisable(t *testing.T) {
	dir := lintFixture(t, nil)
	code, out, _ := lint(t, dir, nil, "--enable", "waittimeout")
	if code != 1 || !matches(out, fixtureFindings[2]) {
		t.Errorf("--enable waittimeout: code %d\n%s", code, out)
	}
	code, out, _ = lint(t, dir, nil, "--disable", "sideeffect,waittimeout,idempotency,durableignore")
	if code != 0 || out != "" {
		t.Errorf("everything with a finding disabled: code %d\n%s", code, out)
	}
}

const fixtureCatalog = `version: "1"
output: {schemas: schemas}
events:
  - {name: shop/order.created, v: "1", fields: {id: {type: string, required: true}}}
  - {name: shop/payment.received, v: "1", fields: {id: {type: string, required: true}}}
`

func TestLintConfig(t *testing.T) {
	dir := lintFixture(t, map[string]string{"durable.yaml": fixtureCatalog + `lint:
  disable: [sideeffect, durableignore]
  severity:
    waittimeout: note
  settings:
    idempotency:
      calls: [example.com/app/app.Record]
`})
	code, out, errs := lint(t, dir, nil)
	want := []string{fixtureFindings[2], fixtureFindings[3], auditFinding}
	if code != 1 || !matches(out, want...) {
		t.Errorf("code %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", code, out, strings.Join(want, "\n"), errs)
	}
	// The command line wins over the file: -idempotency.calls empties the
	// list, --enable overrides lint.disable.
	code, out, _ = lint(t, dir, nil, "-idempotency.calls=", "--enable", "sideeffect,idempotency")
	if code != 1 || !matches(out, fixtureFindings[0], fixtureFindings[1], fixtureFindings[3]) {
		t.Errorf("flags over file: code %d\n%s", code, out)
	}
	// Notes alone do not fail the run; severities show in JSON.
	code, out, _ = lint(t, dir, nil, "--enable", "waittimeout", "--format", "json")
	var got struct{ Findings []finding }
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 || len(got.Findings) != 1 || got.Findings[0].Severity != "note" {
		t.Errorf("notes only: code %d, %v\n%s", code, err, out)
	}
	// The settings are go vet flags, part of its cache key: a changed
	// setting is not answered from the cache of the previous one.
	write(t, filepath.Join(dir, "durable.yaml"), fixtureCatalog+"lint:\n  disable: [sideeffect, durableignore]\n")
	code, out, _ = lint(t, dir, nil, "--enable", "idempotency")
	if code != 0 || !matches(out, fixtureFindings[3]) {
		t.Errorf("after editing durable.yaml: code %d\n%s", code, out)
	}
}

// TestLintVetFlags: the lint section and the command line become analyzer
// flags on go vet's command line, in one canonical order.
func TestLintVetFlags(t *testing.T) {
	l, err := lintconfig.Parse("durable.yaml", []byte("lint:\n  disable: [stepid]\n  settings:\n    idempotency: {calls: [a.B, c.D]}\n    steploop: {max-iterations: 5}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
		want []string
	}{
		{"file", nil, []string{"-stepid=false", "-idempotency.calls=a.B,c.D", "-steploop.max-iterations=5"}},
		{"command line wins", []string{"-idempotency.calls=x", "--disable", "goroutine"}, []string{"-stepid=false", "-goroutine=false", "-idempotency.calls=x", "-steploop.max-iterations=5"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			all := suite.Analyzers()
			lf, _, code := parseLintFlags(tt.args, &bytes.Buffer{}, all)
			if code >= 0 {
				t.Fatalf("flags: code %d", code)
			}
			s, errs := configure(all, l, "durable.yaml", lf)
			if len(errs) > 0 || !slices.Equal(s.vetFlags, tt.want) {
				t.Errorf("vet flags %q, errors %q; want %q", s.vetFlags, errs, tt.want)
			}
		})
	}
}

func TestLintDefaultSeverity(t *testing.T) {
	dir := lintFixture(t, map[string]string{"durable.yaml": "lint:\n  severity: {default: note, idempotency: warning}\n"})
	code, out, _ := lint(t, dir, nil, "--format", "json")
	var got struct{ Findings []finding }
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	levels := map[string]string{}
	for _, f := range got.Findings {
		levels[f.Analyzer] = f.Severity
	}
	// idempotency's finding is advice, a note whatever the settings.
	if code != 0 || levels["sideeffect"] != "note" || levels["idempotency"] != "note" || levels["durableignore"] != "note" {
		t.Errorf("code %d, levels %v", code, levels)
	}
	// With no settings, each analyzer's default (suite.Rules).
	code, out, _ = lint(t, lintFixture(t, nil), nil, "--format", "json")
	got.Findings = nil
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	levels = map[string]string{}
	for _, f := range got.Findings {
		levels[f.Analyzer] = f.Severity
	}
	if code != 1 || levels["sideeffect"] != "error" || levels["durableignore"] != "warning" {
		t.Errorf("defaults: code %d, levels %v", code, levels)
	}
}

func TestLintJSON(t *testing.T) {
	dir := lintFixture(t, nil)
	code, out, _ := lint(t, dir, nil, "--format=json")
	var got struct{ Findings []finding }
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if code != 1 || len(got.Findings) != len(fixtureFindings) {
		t.Fatalf("code %d, %d findings", code, len(got.Findings))
	}
	direct, via, ign := got.Findings[0], got.Findings[1], got.Findings[4]
	if direct.Pos != (position{File: "app/app.go", Line: 28, Column: 8}) || direct.End == nil || direct.End.Column != 18 ||
		direct.Severity != "error" || direct.Category == "" || len(direct.Fixes) != 1 || len(direct.Fixes[0].Edits) == 0 {
		t.Errorf("direct finding: %+v", direct)
	}
	// Edits carry line and column, computed from go vet's byte offsets.
	if e := direct.Fixes[0].Edits[0]; e.File != "app/app.go" || e.Start.File != "app/app.go" || e.Start.Line != 28 || e.End.Line < 28 {
		t.Errorf("direct finding's edit: %+v", e)
	}
	if len(via.Related) != 2 || via.Related[0].Pos.Line != 29 || via.Related[1].Pos.Line != 23 {
		t.Errorf("call chain: %+v", via.Related)
	}
	if ign.Severity != "warning" {
		t.Errorf("durableignore severity %q, want warning", ign.Severity)
	}
}

// TestLintRelativePaths: no output names the machine's directories: paths
// are relative to the module root, in text, JSON and SARIF (whose
// %SRCROOT% alone is absolute, by design).
func TestLintRelativePaths(t *testing.T) {
	dir := lintFixture(t, nil)
	root := filepath.Dir(dir)
	for _, format := range []string{"text", "json", "sarif"} {
		code, out, errs := lint(t, filepath.Join(dir, "app"), nil, "--format", format)
		if code != 1 {
			t.Fatalf("%s: code %d\n%s", format, code, errs)
		}
		out = strings.ReplaceAll(out, `"uri": "file://`+filepath.ToSlash(dir)+`/"`, "")
		if strings.Contains(out, root) || !strings.Contains(out, "app/app.go") {
			t.Errorf("%s output names %s or lacks app/app.go:\n%s", format, root, out)
		}
	}
}

// TestLintTags: -tags selects the files go vet analyzes.
func TestLintTags(t *testing.T) {
	dir := lintFixture(t, map[string]string{"app/extra.go": `//go:build extra

package app

import (
	"context"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

var Extra = runtime.NewFunction(runtime.FunctionOpts{ID: "extra", Idempotency: "event.data.id"}, OrderCreated.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.WaitForEvent(ctx, "wait-extra", PaymentReceived, step.WaitOpts{})
	})
`})
	const extra = `app/extra.go:14:64: waittimeout: step.WaitForEvent "wait-extra" has no Timeout`
	code, out, _ := lint(t, dir, nil, "--enable", "waittimeout")
	if code != 1 || !matches(out, fixtureFindings[2]) {
		t.Errorf("without -tags: code %d\n%s", code, out)
	}
	code, out, _ = lint(t, dir, nil, "--enable", "waittimeout", "-tags", "extra,other")
	if code != 1 || !matches(out, fixtureFindings[2], extra) {
		t.Errorf("-tags extra,other: code %d\n%s", code, out)
	}
}

// TestLintTests: go vet checks test files; --tests=false leaves out the
// findings in them.
func TestLintTests(t *testing.T) {
	dir := lintFixture(t, map[string]string{"app/app_test.go": `package app

import (
	"context"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

var InTest = runtime.NewFunction(runtime.FunctionOpts{ID: "in-test", Idempotency: "event.data.id"}, OrderCreated.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		return step.WaitForEvent(ctx, "wait-test", PaymentReceived, step.WaitOpts{})
	})
`})
	const inTest = `app/app_test.go:12:63: waittimeout: step.WaitForEvent "wait-test" has no Timeout`
	code, out, _ := lint(t, dir, nil, "--enable", "waittimeout")
	if code != 1 || !matches(out, fixtureFindings[2], inTest) {
		t.Errorf("with tests: code %d\n%s", code, out)
	}
	code, out, _ = lint(t, dir, nil, "--enable", "waittimeout", "--tests=false")
	if code != 1 || !matches(out, fixtureFindings[2]) {
		t.Errorf("--tests=false: code %d\n%s", code, out)
	}
}

// TestLintCache: a second run on unchanged code prints the same and runs
// no analyzer (go vet replays its cache); a changed file is analyzed again,
// and so is everything when durable.yaml changes (the catalog is an input).
func TestLintCache(t *testing.T) {
	dir := lintFixture(t, map[string]string{"durable.yaml": fixtureCatalog})
	log := filepath.Join(t.TempDir(), "vettool.log")
	env := []string{vettool.LogEnv + "=" + log}
	runs := func() []string {
		data, _ := os.ReadFile(log)
		os.Remove(log)
		return lines(string(data))
	}
	for _, format := range []string{"text", "json", "sarif"} {
		code1, out1, _ := lint(t, dir, env, "--format", format)
		code2, out2, _ := lint(t, dir, env, "--format", format)
		if code1 != 1 || code2 != code1 || out2 != out1 {
			t.Errorf("%s: second run differs: code %d then %d\n%s\nthen\n%s", format, code1, code2, out1, out2)
		}
	}
	if got := runs(); !slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, "example.com/app/app ") }) {
		t.Errorf("the analyzers never ran on example.com/app/app: %q", got)
	}
	if code, _, _ := lint(t, dir, env); code != 1 {
		t.Fatalf("code %d", code)
	}
	if got := runs(); len(got) != 0 {
		t.Errorf("a run on unchanged code ran the analyzers on %q", got)
	}
	write(t, filepath.Join(dir, "app", "more.go"), "package app\n\nvar More = 1\n")
	lint(t, dir, env)
	if got := runs(); !slices.Equal(got, []string{"example.com/app/app [example.com/app/app.test] vetxonly=false"}) && !slices.Equal(got, []string{"example.com/app/app vetxonly=false"}) {
		t.Errorf("after changing app: the analyzers ran on %q, want app alone", got)
	}
	write(t, filepath.Join(dir, "durable.yaml"), fixtureCatalog+"  - {name: shop/order.shipped, v: \"1\"}\n")
	lint(t, dir, env)
	if got := runs(); len(got) < 2 {
		t.Errorf("after changing durable.yaml: the analyzers ran on %q, want every package", got)
	}
}

func TestLintSARIF(t *testing.T) {
	dir := lintFixture(t, map[string]string{"durable.yaml": "lint:\n  severity: {waittimeout: warning}\n"})
	code, out, errs := lint(t, dir, nil, "--format", "sarif")
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
	// Findings name files relative to the module root.
	c := columns{root: dir, lines: map[string][][]byte{}}
	// 15 bytes precede "time" (é is 2 bytes, 😀 4) but 12 UTF-16 code units (😀 is a surrogate pair).
	byteCol := strings.Index("s := \"é😀\"; time.Now()", "time") + 1
	if got := c.utf16("x.go", 1, byteCol); got != 13 {
		t.Errorf("utf16 column of byte column %d = %d, want 13", byteCol, got)
	}
	if got := c.utf16(f, 9, 3); got != 3 {
		t.Errorf("out of range line: %d", got)
	}
}

func TestLintFix(t *testing.T) {
	dir := lintFixture(t, nil)
	code, out, errs := lint(t, dir, nil, "--fix", "--enable", "sideeffect,waittimeout")
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
	code2, out2, errs2 := lint(t, dir, nil, "--fix", "--enable", "sideeffect,waittimeout")
	if code2 != 1 || out2 != out || strings.Contains(errs2, "fixed") {
		t.Errorf("second --fix: code %d\n%s\n%s", code2, out2, errs2)
	}
	if code, _, errs := lint(t, dir, nil, "--fix", "--format", "sarif"); code != 2 || !strings.Contains(errs, "--fix works with --format text only") {
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
		{"bad flag", []string{"--frobnicate"}, "", []string{"flag provided but not defined: -frobnicate"}},
		{"bad format", []string{"--format", "xml", "./app"}, "", []string{`unknown --format "xml" (want text, json or sarif)`}},
		{"unknown analyzer", []string{"--enable", "sidefx", "./app"}, "", []string{`durable lint: --enable: unknown analyzer "sidefx" (known: sideeffect, `}},
		{"unknown analyzer flag", []string{"-sideeffect.calls=x", "./app"}, "", []string{"flag provided but not defined: -sideeffect.calls"}},
		{"bad flag value", []string{"-steploop.max-iterations=many", "./app"}, "", []string{`durable lint: flag -steploop.max-iterations: invalid value "many"`}},
		{"does not build", []string{"./..."}, "", []string{
			"broken/broken.go:3:23: cannot use \"x\" (untyped string constant) as int value in return statement",
			"durable lint: go vet ./... failed",
		}},
		{"no packages", []string{"./nothing/..."}, "", []string{"./nothing/...", "durable lint: go vet ./nothing/... failed"}},
		{"everything disabled", []string{"--enable", "sideeffect", "--disable", "sideeffect", "./app"}, "", []string{"every analyzer is disabled"}},
		{"config", []string{"./app"}, "lint:\n  enable: [sideeffect, waittimeot]\n  disable: [sidefx]\n  settings:\n    idempotency: {call: x}\n    stepid: {x: 1}\n", []string{
			`durable.yaml:2:24: lint.enable: unknown analyzer "waittimeot" (known: sideeffect, `,
			`durable.yaml:3:13: lint.disable: unknown analyzer "sidefx"`,
			`durable.yaml:5:19: lint.settings.idempotency.call: analyzer idempotency has no flag "call" (its flags: calls)`,
			`durable.yaml:6:14: lint.settings.stepid.x: analyzer stepid has no flag "x" (it has no flags)`,
		}},
		{"config shape", []string{"./app"}, "lint:\n  severity: {sideeffect: fatal}\n", []string{
			`durable.yaml:2:26: lint.severity.sideeffect: unknown severity "fatal" (want error, warning or note)`,
			"durable lint: 1 error(s) in durable.yaml",
		}},
		{"catalog", []string{"./app"}, "version: \"1\"\noutput: {schemas: s}\nevents: [{name: BAD, v: \"1\"}]\n", []string{
			`durable.yaml:3:17: events[0]: `, "durable lint: 1 error(s) in durable.yaml",
		}},
		{"missing config", []string{"--config", "nope.yaml", "./app"}, "", []string{"durable lint: open nope.yaml: no such file or directory"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := filepath.Join(dir, "durable.yaml")
			os.Remove(cfg)
			if tt.yaml != "" {
				write(t, cfg, tt.yaml)
			}
			code, out, errs := lint(t, dir, nil, tt.args...)
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
	code, out, _ := lint(t, dir, nil, "--list")
	if code != 0 {
		t.Fatalf("code %d", code)
	}
	for _, a := range suite.Analyzers() {
		if !strings.Contains(out, "\n"+a.Name+" ") && !strings.HasPrefix(out, a.Name+" ") {
			t.Errorf("--list lacks %s:\n%s", a.Name, out)
		}
	}
	// Configured levels, and each analyzer's default from suite.Rules.
	for _, w := range []string{`-idempotency.calls: `, `(?m)^stepid .*\(disabled\)$`, `\ngoroutine +warning `, `(?m)^sideeffect +error `, `(?m)^steploop +note `} {
		if !regexp.MustCompile(w).MatchString(out) {
			t.Errorf("--list lacks %q:\n%s", w, out)
		}
	}
}

// BenchmarkLintShop: durable lint ./... on examples/shop with go vet's cache
// warm (a second run on unchanged code), next to go vet's own suite and
// durable-vet on the same packages; peak-RSS-MB is the largest process's.
//
//	go test ./cmd/durable -run '^$' -bench LintShop -count 6 | benchstat -
//
// Cold runs (an empty GOCACHE) take seconds each; measure them with
// hyperfine (README, "Running the analyzers").
func BenchmarkLintShop(b *testing.B) {
	dir, err := filepath.Abs("../../examples/shop")
	if err != nil {
		b.Fatal(err)
	}
	vet := filepath.Join(b.TempDir(), "durable-vet")
	if out, err := exec.Command("go", "build", "-o", vet, "../durable-vet").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	for _, bc := range []struct {
		name string
		args []string
	}{
		{"durable-lint", []string{durableBin, "lint", "./..."}},
		{"go-vet", []string{"go", "vet", "./..."}},
		{"go-vet-durable-vet", []string{"go", "vet", "-vettool=" + vet, "./..."}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			run := func() *os.ProcessState {
				cmd := exec.Command(bc.args[0], bc.args[1:]...)
				cmd.Dir = dir
				out, err := cmd.CombinedOutput()
				var exit *exec.ExitError
				if err != nil && !errors.As(err, &exit) {
					b.Fatalf("%v\n%s", err, out)
				}
				return cmd.ProcessState
			}
			run() // warm go vet's cache
			var peak int64
			for b.Loop() {
				if ru, ok := run().SysUsage().(*syscall.Rusage); ok {
					peak = max(peak, ru.Maxrss)
				}
			}
			b.ReportMetric(float64(peak)/1024, "peak-RSS-MB")
		})
	}
}

// TestExplainErrors: explain names the analyzers it knows when given none
// or an unknown one (explain_test.go checks what it prints for each).
func TestExplainErrors(t *testing.T) {
	if code, _, errs := runIn(t, ".", "explain", "nope"); code != 2 || !strings.Contains(errs, `unknown analyzer "nope" (known: sideeffect`) {
		t.Errorf("unknown: code %d %s", code, errs)
	}
	if code, _, errs := runIn(t, ".", "explain"); code != 2 || !strings.Contains(errs, "usage: durable explain") {
		t.Errorf("no argument: code %d %s", code, errs)
	}
}
