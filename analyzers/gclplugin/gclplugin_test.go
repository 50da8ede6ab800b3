package gclplugin

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/durable-go/durable/analyzers/idempotency"
	"github.com/durable-go/durable/analyzers/lintconfig"
	"github.com/durable-go/durable/analyzers/suite"
)

func names(p register.LinterPlugin) string {
	as, _ := p.BuildAnalyzers()
	var ns []string
	for _, a := range as {
		ns = append(ns, a.Name)
	}
	return strings.Join(ns, ",")
}

func TestRegistered(t *testing.T) {
	newPlugin, err := register.GetPlugin("durable")
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPlugin(nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.GetLoadMode() != register.LoadModeTypesInfo {
		t.Errorf("load mode %q", p.GetLoadMode())
	}
	// By default, every analyzer whose findings are not all notes.
	var want []string
	for _, r := range suite.Rules() {
		if r.Severity != suite.SeverityNote {
			want = append(want, r.Analyzer.Name)
		}
	}
	if got := names(p); got != strings.Join(want, ",") {
		t.Errorf("analyzers %s, want %s", got, strings.Join(want, ","))
	}
	p, err = newPlugin(map[string]any{"notes": true})
	if err != nil {
		t.Fatal(err)
	}
	if as, _ := p.BuildAnalyzers(); len(as) != len(suite.Analyzers()) {
		t.Errorf("notes: %d analyzers, want the whole suite (%d)", len(as), len(suite.Analyzers()))
	}
}

func TestSettings(t *testing.T) {
	defer idempotency.Analyzer.Flags.Set("calls", "")
	// As golangci-lint passes them: decoded YAML, maps of any.
	p, err := New(map[string]any{
		"disable":  []any{"stepid", "goroutine"},
		"settings": map[string]any{"idempotency": map[string]any{"calls": []any{"a.B", "c.D"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := names(p); strings.Contains(n, "stepid") || strings.Contains(n, "goroutine") || !strings.Contains(n, "sideeffect") || strings.Contains(n, "steploop") {
		t.Errorf("analyzers %s", n)
	}
	if got := idempotency.Analyzer.Flags.Lookup("calls").Value.String(); got != "a.B,c.D" {
		t.Errorf("idempotency -calls = %q", got)
	}
	p, err = New(map[string]any{"enable": []any{"waittimeout", "sideeffect"}})
	if err != nil || names(p) != "sideeffect,waittimeout" {
		t.Errorf("enable: %v %v", names(p), err)
	}
}

func TestSettingsStrict(t *testing.T) {
	for _, tt := range []struct {
		conf any
		want string
	}{
		{map[string]any{"disabel": []any{"x"}}, `unknown field "disabel"`},
		{map[string]any{"enable": "sideeffect"}, "cannot unmarshal string"},
		{map[string]any{"enable": []any{"sidefx"}}, `enable: unknown analyzer "sidefx" (known: sideeffect,`},
		{map[string]any{"disable": []any{"nope"}}, `disable: unknown analyzer "nope"`},
		{map[string]any{"settings": map[string]any{"nope": map[string]any{}}}, `settings: unknown analyzer "nope"`},
		{map[string]any{"settings": map[string]any{"idempotency": map[string]any{"call": "x"}}}, `settings.idempotency.call: analyzer idempotency has no flag "call" (its flags: calls)`},
		{map[string]any{"settings": map[string]any{"idempotency": map[string]any{"calls": map[string]any{}}}}, `settings.idempotency.calls: want a string, number, boolean or a list of them`},
		{map[string]any{"enable": []any{"sideeffect"}, "disable": []any{"sideeffect"}}, "every analyzer is disabled"},
		{map[string]any{"severity": map[string]any{"sideeffect": "fatal"}}, `severity.sideeffect: unknown severity "fatal"`},
		{map[string]any{"severity": map[string]any{"sideefect": "note"}}, `severity: unknown analyzer "sideefect"`},
		{map[string]any{"notes": "yes"}, "cannot unmarshal string"},
	} {
		_, err := New(tt.conf)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "durable: ") {
			t.Errorf("%v: error %v, want %q", tt.conf, err, tt.want)
		}
	}
}

func TestFlagText(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want string
	}{{"x", "x"}, {true, "true"}, {float64(3), "3"}, {1.5, "1.5"}, {[]any{"a", 2.0, false}, "a,2,false"}} {
		if got, err := flagText(tt.v); err != nil || got != tt.want {
			t.Errorf("flagText(%v) = %q, %v", tt.v, got, err)
		}
	}
	if _, err := flagText([]any{[]any{"a"}}); err == nil {
		t.Error("list of lists accepted")
	}
	if _, err := flagText(nil); err == nil {
		t.Error("null accepted")
	}
}

// parseLint parses a durable.yaml held in a string.
func parseLint(t *testing.T, yml string) *lintconfig.Lint {
	t.Helper()
	l, err := lintconfig.Parse("durable.yaml", []byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func analyzerNames(as []*analysis.Analyzer) []string {
	var ns []string
	for _, a := range as {
		ns = append(ns, a.Name)
	}
	return ns
}

// TestDurableYAML: the lint section of durable.yaml applies, and the
// plugin's settings override it.
func TestDurableYAML(t *testing.T) {
	defer idempotency.Analyzer.Flags.Set("calls", "")
	const yml = "lint:\n  disable: [stepid, waittimeout]\n  severity:\n    sideeffect: note\n    steploop: error\n  settings:\n    idempotency:\n      calls: [a.FromFile]\n"
	for _, tt := range []struct {
		name      string
		s         Settings
		runs, not []string
		calls     string
	}{
		{"file", Settings{}, []string{"idempotency", "steploop"}, []string{"stepid", "waittimeout", "sideeffect", "parallel"}, "a.FromFile"},
		{"plugin flags win", Settings{Settings: map[string]map[string]any{"idempotency": {"calls": "b.FromPlugin"}}}, nil, nil, "b.FromPlugin"},
		{"plugin disable adds", Settings{Disable: []string{"idempotency"}}, []string{"steploop"}, []string{"idempotency", "stepid"}, "a.FromFile"},
		{"plugin enable replaces", Settings{Enable: []string{"stepid", "waittimeout"}}, []string{"stepid", "waittimeout"}, []string{"idempotency"}, "a.FromFile"},
		{"plugin severity wins", Settings{Severity: map[string]string{"sideeffect": "error", "steploop": "note"}}, []string{"sideeffect"}, []string{"steploop"}, "a.FromFile"},
		{"plugin default", Settings{Severity: map[string]string{"default": "note"}}, []string{"steploop"}, []string{"sideeffect", "idempotency"}, "a.FromFile"},
		{"notes", Settings{Notes: true}, []string{"sideeffect", "parallel"}, []string{"stepid"}, "a.FromFile"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			as, err := Configure(suite.Rules(), parseLint(t, yml), "durable.yaml", tt.s)
			if err != nil {
				t.Fatal(err)
			}
			got := analyzerNames(as)
			for _, n := range tt.runs {
				if !slices.Contains(got, n) {
					t.Errorf("%s does not run (runs %v)", n, got)
				}
			}
			for _, n := range tt.not {
				if slices.Contains(got, n) {
					t.Errorf("%s runs (runs %v)", n, got)
				}
			}
			if c := idempotency.Analyzer.Flags.Lookup("calls").Value.String(); c != tt.calls {
				t.Errorf("idempotency -calls = %q, want %q", c, tt.calls)
			}
		})
	}
}

// TestDurableYAMLErrors: a durable.yaml that does not load, or names what
// the suite lacks, is an error naming the place.
func TestDurableYAMLErrors(t *testing.T) {
	for _, tt := range []struct{ yml, want string }{
		{"lint:\n  disable: [stepidd]\n", `durable.yaml:2:13: lint.disable: unknown analyzer "stepidd"`},
		{"lint:\n  settings:\n    idempotency:\n      call: x\n", `durable.yaml:4:7: lint.settings.idempotency.call: analyzer idempotency has no flag "call"`},
		{"lint:\n  disable: [stepid\n", "durable.yaml:"},
		{"lint: {enable: stepid}\n", "durable.yaml:1:"},
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "durable.yaml"), []byte(tt.yml), 0o644)
		os.Mkdir(filepath.Join(dir, "sub"), 0o755)
		t.Chdir(filepath.Join(dir, "sub")) // found from a subdirectory
		_, err := New(nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "durable: ") {
			t.Errorf("%q: error %v, want %q", tt.yml, err, tt.want)
		}
	}
}

// TestWithoutNotes: the plugin reports what durable lint fails on and
// leaves out what it shows as notes.
func TestWithoutNotes(t *testing.T) {
	reporter := &analysis.Analyzer{Name: "reporter", Doc: "reporter: reports", Run: func(pass *analysis.Pass) (any, error) {
		pass.Report(analysis.Diagnostic{Message: "a bug"})
		pass.Report(analysis.Diagnostic{Message: "some advice", Category: suite.DiagnosticCategoryAdvice})
		pass.Report(analysis.Diagnostic{Message: "an unused ignore", Category: suite.DiagnosticCategoryIgnore})
		return nil, nil
	}}
	run := func(r suite.Rule, lint *lintconfig.Lint, s Settings) []string {
		as, err := Configure([]suite.Rule{r}, lint, "durable.yaml", s)
		if err != nil {
			return []string{"error: " + err.Error()}
		}
		var got []string
		as[0].Run(&analysis.Pass{Report: func(d analysis.Diagnostic) { got = append(got, d.Message) }})
		return got
	}
	empty := &lintconfig.Lint{}
	for _, tt := range []struct {
		name string
		rule suite.Rule
		lint *lintconfig.Lint
		s    Settings
		want []string
	}{
		{"error rule", suite.Rule{Analyzer: reporter, Severity: suite.SeverityError}, empty, Settings{}, []string{"a bug", "an unused ignore"}},
		{"notes on", suite.Rule{Analyzer: reporter, Severity: suite.SeverityError}, empty, Settings{Notes: true}, []string{"a bug", "some advice", "an unused ignore"}},
		{"note rule", suite.Rule{Analyzer: reporter, Severity: suite.SeverityNote}, empty, Settings{}, []string{"error: durable: every analyzer is disabled"}},
		{"note rule raised by durable.yaml", suite.Rule{Analyzer: reporter, Severity: suite.SeverityNote}, parseLint(t, "lint:\n  severity: {reporter: warning}\n"), Settings{}, []string{"a bug", "an unused ignore"}},
		{"lowered by the plugin", suite.Rule{Analyzer: reporter, Severity: suite.SeverityError}, empty, Settings{Severity: map[string]string{"default": "note"}}, []string{"error: durable: every analyzer is disabled"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := run(tt.rule, tt.lint, tt.s); !slices.Equal(got, tt.want) {
				t.Errorf("reported %q, want %q", got, tt.want)
			}
		})
	}
}
