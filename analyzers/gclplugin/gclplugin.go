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
//	          settings:                        # analyzer flags (durable lint --list)
//	            idempotency:
//	              calls: [example.com/pay.Client.Charge]
//
// The settings are decoded strictly: an unknown key, analyzer or flag, or a
// value a flag does not accept, stops golangci-lint with an error naming it.
package gclplugin

import (
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/durable-go/durable/analyzers/suite"
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
	// Settings sets analyzer flags: analyzer name → flag name → value (a
	// string, number, boolean, or a list of them, joined with commas).
	Settings map[string]map[string]any `json:"settings"`
}

// Plugin is the durable linter for golangci-lint.
type Plugin struct {
	analyzers []*analysis.Analyzer
}

// New decodes the settings strictly, sets the analyzers' flags and selects
// the analyzers to run.
func New(conf any) (register.LinterPlugin, error) {
	s, err := register.DecodeSettings[Settings](conf)
	if err != nil {
		return nil, fmt.Errorf("durable: %w", err)
	}
	as, err := Configure(suite.Analyzers(), s)
	if err != nil {
		return nil, err
	}
	return &Plugin{analyzers: as}, nil
}

// Configure checks s against the analyzers all, sets the flags it names and
// returns the analyzers to run.
func Configure(all []*analysis.Analyzer, s Settings) ([]*analysis.Analyzer, error) {
	byName := map[string]*analysis.Analyzer{}
	var names []string
	for _, a := range all {
		byName[a.Name] = a
		names = append(names, a.Name)
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
	analyzersWithSettings := make([]string, 0, len(s.Settings))
	for n := range s.Settings {
		analyzersWithSettings = append(analyzersWithSettings, n)
	}
	slices.Sort(analyzersWithSettings)
	for _, n := range analyzersWithSettings {
		if !check("settings", n) {
			continue
		}
		a := byName[n]
		flagNames := make([]string, 0, len(s.Settings[n]))
		for f := range s.Settings[n] {
			flagNames = append(flagNames, f)
		}
		slices.Sort(flagNames)
		for _, fn := range flagNames {
			where := "settings." + n + "." + fn
			f := a.Flags.Lookup(fn)
			if f == nil {
				var have []string
				a.Flags.VisitAll(func(f *flag.Flag) { have = append(have, f.Name) })
				errs = append(errs, fmt.Sprintf("%s: analyzer %s has no flag %q (its flags: %s)", where, n, fn, strings.Join(have, ", ")))
				continue
			}
			v, err := flagText(s.Settings[n][fn])
			if err == nil {
				err = f.Value.Set(v)
			}
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s: %v", where, err))
			}
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("durable: %s", strings.Join(errs, "; "))
	}
	var out []*analysis.Analyzer
	for _, a := range all {
		if (len(s.Enable) == 0 || slices.Contains(s.Enable, a.Name)) && !slices.Contains(s.Disable, a.Name) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("durable: every analyzer is disabled")
	}
	return out, nil
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
