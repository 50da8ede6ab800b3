// Package gclplugin is the golangci-lint module plugin of durable: it runs
// the durable analyzers (analyzers/suite) as the linter "durable".
//
// Build a golangci-lint that includes it with `golangci-lint custom` and a
// .custom-gcl.yml:
//
//	version: v2.15.0
//	plugins:
//	  - module: github.com/durable-go/durable
//	    import: github.com/durable-go/durable/analyzers/gclplugin
//	    version: v0.1.0
//
// then enable it in .golangci.yml:
//
//	version: "2"
//	linters:
//	  enable: [durable]
//	  settings:
//	    custom:
//	      durable:
//	        type: module
//	        description: durable functions that survive replays, retries and crashes
//	        settings:
//	          disable: [stepid]                # or enable: [...] to run only those
//	          severity:                        # as in durable.yaml's lint section
//	            parallel: warning
//	          settings:                        # analyzer flags (durable lint --list)
//	            idempotency:
//	              calls: [example.com/pay.Client.Charge]
//	          notes: false                     # report notes too (default false)
//
// # Settings in one place
//
// The plugin reads the lint section of durable.yaml, like durable lint and
// durable-vet: the first durable.yaml found from golangci-lint's working
// directory up to the module root. Its own settings override the file's:
// its enable replaces the file's enable and disable, its disable adds to
// them, its analyzer flags and severities win over the file's. A durable.yaml
// that does not load, or whose lint section names an unknown analyzer or
// flag, stops golangci-lint with the file:line:col of each problem. The
// plugin's settings are decoded strictly too: an unknown key, analyzer or
// flag, or a value a flag does not accept, is an error naming it.
//
// # Notes
//
// durable lint shows some findings as notes, which do not fail it: advice
// (findings with the "advice" category, and every finding of the analyzers
// whose default severity is note: steploop, parallel, concurrency,
// blockingapi, fnsize), and findings whose severity durable.yaml or the
// plugin's settings set to note. golangci-lint fails on any issue, whatever
// its severity, so the plugin leaves notes out: a golangci-lint run fails
// exactly when durable lint does, and an analyzer whose findings would all
// be notes does not run. Set `notes: true` to report notes as issues too
// (they then fail the run), or raise an analyzer's severity to report it.
// Findings in generated files (a stale generated registry) are reported
// only where golangci-lint's linters.exclusions.generated is "disable".
package gclplugin

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/durable-go/durable/analyzers/lintconfig"
	"github.com/durable-go/durable/analyzers/suite"
	"github.com/durable-go/durable/analyzers/vettool"
)

func init() {
	register.Plugin("durable", New)
}

// Settings are the plugin's settings in .golangci.yml
// (linters.settings.custom.durable.settings).
type Settings struct {
	// Enable lists the analyzers to run; when set, no other runs.
	Enable []string `json:"enable"`
	// Disable lists analyzers not to run.
	Disable []string `json:"disable"`
	// Severity sets the severity (error, warning or note) of an analyzer's
	// findings, by analyzer name, or of every analyzer's with "default".
	Severity map[string]string `json:"severity"`
	// Settings sets analyzer flags: analyzer name → flag name → value (a
	// string, number, boolean, or a list of them, joined with commas).
	Settings map[string]map[string]any `json:"settings"`
	// Notes reports the findings of severity note too.
	Notes bool `json:"notes"`
}

// Plugin is the durable linter for golangci-lint.
type Plugin struct {
	analyzers []*analysis.Analyzer
}

// New decodes the settings strictly, reads the lint section of the
// durable.yaml that applies to the working directory, sets the analyzers'
// flags and selects the analyzers to run.
func New(conf any) (register.LinterPlugin, error) {
	s, err := register.DecodeSettings[Settings](conf)
	if err != nil {
		return nil, fmt.Errorf("durable: %w", err)
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("durable: %w", err)
	}
	lint, file, err := loadLint(wd)
	if err != nil {
		return nil, err
	}
	as, err := Configure(suite.Rules(), lint, file, s)
	if err != nil {
		return nil, err
	}
	return &Plugin{analyzers: as}, nil
}

// loadLint loads the lint section of the durable.yaml that applies to dir
// (an empty one when there is none) with the loader durable-vet uses, so
// that a file one driver rejects no driver accepts.
func loadLint(dir string) (*lintconfig.Lint, string, error) {
	file := lintconfig.Find(dir)
	if file == "" {
		return &lintconfig.Lint{}, "", nil
	}
	l, err := vettool.LoadConfig(file)
	if err != nil {
		return nil, "", fmt.Errorf("durable: %s does not load:\n%w", file, err)
	}
	return l, file, nil
}

// Configure checks the lint section of durable.yaml (lint, read from file)
// and the plugin's settings s against the rules, sets the flags they name
// (the file's first, then the plugin's) and returns the analyzers to run,
// each reporting only the findings whose severity is above note unless
// s.Notes is set.
func Configure(rules []suite.Rule, lint *lintconfig.Lint, file string, s Settings) ([]*analysis.Analyzer, error) {
	all := make([]*analysis.Analyzer, len(rules))
	byName := map[string]*analysis.Analyzer{}
	var names []string
	for i, r := range rules {
		all[i] = r.Analyzer
		byName[r.Analyzer.Name] = r.Analyzer
		names = append(names, r.Analyzer.Name)
	}
	if err := lint.Check(file, all); err != nil {
		return nil, fmt.Errorf("durable: %w", err)
	}
	var errs []string
	check := func(what, name string) bool {
		if byName[name] == nil {
			errs = append(errs, fmt.Sprintf("%s: unknown analyzer %q (known: %s)", what, name, strings.Join(names, ", ")))
			return false
		}
		return true
	}
	for _, n := range s.Enable {
		check("enable", n)
	}
	for _, n := range s.Disable {
		check("disable", n)
	}
	for _, n := range slices.Sorted(mapKeys(s.Severity)) {
		if n != "default" {
			check("severity", n)
		}
		switch l := s.Severity[n]; l {
		case lintconfig.SeverityError, lintconfig.SeverityWarning, lintconfig.SeverityNote:
		default:
			errs = append(errs, fmt.Sprintf("severity.%s: unknown severity %q (want error, warning or note)", n, l))
		}
	}
	for _, n := range slices.Sorted(mapKeys(s.Settings)) {
		if !check("settings", n) {
			continue
		}
		a := byName[n]
		for _, fn := range slices.Sorted(mapKeys(s.Settings[n])) {
			where := "settings." + n + "." + fn
			if a.Flags.Lookup(fn) == nil {
				var have []string
				a.Flags.VisitAll(func(f *flag.Flag) { have = append(have, f.Name) })
				errs = append(errs, fmt.Sprintf("%s: analyzer %s has no flag %q (its flags: %s)", where, n, fn, strings.Join(have, ", ")))
				continue
			}
			if _, err := flagText(s.Settings[n][fn]); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %v", where, err))
			}
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("durable: %s", strings.Join(errs, "; "))
	}

	// Flags: the file's, then the plugin's, which win.
	for _, as := range lint.Assignments() {
		if err := byName[as.Analyzer].Flags.Set(as.Flag, as.Value); err != nil {
			errs = append(errs, fmt.Sprintf("%s: lint.settings.%s.%s: %v", file, as.Analyzer, as.Flag, err))
		}
	}
	for _, n := range slices.Sorted(mapKeys(s.Settings)) {
		for _, fn := range slices.Sorted(mapKeys(s.Settings[n])) {
			v, _ := flagText(s.Settings[n][fn])
			if err := byName[n].Flags.Set(fn, v); err != nil {
				errs = append(errs, fmt.Sprintf("settings.%s.%s: %v", n, fn, err))
			}
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("durable: %s", strings.Join(errs, "; "))
	}

	runs := func(name string) bool {
		if slices.Contains(s.Disable, name) {
			return false
		}
		if len(s.Enable) > 0 {
			return slices.Contains(s.Enable, name)
		}
		return lint.Runs(name)
	}
	sev := severities{lint: lint, plugin: s.Severity}
	var out []*analysis.Analyzer
	for _, r := range rules {
		if !runs(r.Analyzer.Name) {
			continue
		}
		if s.Notes {
			out = append(out, r.Analyzer)
			continue
		}
		if sev.allNotes(r) {
			continue // every finding would be left out
		}
		out = append(out, withoutNotes(r, sev))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("durable: every analyzer is disabled")
	}
	return out, nil
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// severities resolve the severity of a finding: the plugin's setting for
// its analyzer, else the file's, else the plugin's default, else the file's
// default, else the rule's (suite.Rule.SeverityOf); advice is always a note.
type severities struct {
	lint   *lintconfig.Lint
	plugin map[string]string
}

func (s severities) configured(analyzer string) string {
	if l, ok := s.plugin[analyzer]; ok {
		return l
	}
	for _, st := range s.lint.Severity {
		if st.Analyzer == analyzer {
			return st.Level
		}
	}
	if l, ok := s.plugin["default"]; ok {
		return l
	}
	return s.lint.Level("default")
}

func (s severities) of(r suite.Rule, category string) suite.Severity {
	if category == suite.DiagnosticCategoryAdvice {
		return suite.SeverityNote
	}
	if l := s.configured(r.Analyzer.Name); l != "" {
		return suite.Severity(l)
	}
	return r.SeverityOf(category)
}

// allNotes reports whether every finding of r would be a note.
func (s severities) allNotes(r suite.Rule) bool {
	if l := s.configured(r.Analyzer.Name); l != "" {
		return l == lintconfig.SeverityNote
	}
	return r.Severity == suite.SeverityNote
}

// withoutNotes returns a copy of r's analyzer that reports only the
// findings whose severity is above note. The copy shares the original's
// requirements, facts and flags; no durable analyzer requires another, so
// the copy does not run anything twice.
func withoutNotes(r suite.Rule, sev severities) *analysis.Analyzer {
	orig := r.Analyzer
	a := *orig
	a.Run = func(pass *analysis.Pass) (any, error) {
		p := *pass
		p.Report = func(d analysis.Diagnostic) {
			if sev.of(r, d.Category) != suite.SeverityNote {
				pass.Report(d)
			}
		}
		return orig.Run(&p)
	}
	return &a
}

// flagText renders a setting's value as the text a flag parses.
func flagText(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			if _, isList := e.([]any); isList {
				return "", fmt.Errorf("want a value or a list of values, got a list of lists")
			}
			s, err := flagText(e)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("want a string, number, boolean or a list of them, got %T", v)
}

// BuildAnalyzers returns the analyzers to run.
func (p *Plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) { return p.analyzers, nil }

// GetLoadMode asks for type information: the analyzers need types and
// facts across packages.
func (p *Plugin) GetLoadMode() string { return register.LoadModeTypesInfo }
