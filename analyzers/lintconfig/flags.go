package lintconfig

import (
	"flag"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Check reports what the section names that analyzers lack: unknown
// analyzers (in enable, disable, severity and settings), unknown flags, and
// values a flag does not accept, each at its file:line:col. file names the
// section's file in messages. The error is an ErrorList.
func (l *Lint) Check(file string, analyzers []*analysis.Analyzer) error {
	var errs ErrorList
	errorf := func(p Pos, format string, args ...any) {
		errs = append(errs, &Error{File: file, Pos: p, Msg: fmt.Sprintf(format, args...)})
	}
	byName := map[string]*analysis.Analyzer{}
	names := make([]string, len(analyzers))
	for i, a := range analyzers {
		byName[a.Name] = a
		names[i] = a.Name
	}
	known := func(name string, p Pos, what string) bool {
		if byName[name] == nil {
			errorf(p, "%s: unknown analyzer %q (known: %s)", what, name, strings.Join(names, ", "))
			return false
		}
		return true
	}
	at := func(ps []Pos, i int) Pos {
		if i < len(ps) {
			return ps[i]
		}
		return l.Pos
	}
	for i, n := range l.Enable {
		known(n, at(l.EnablePos, i), "lint.enable")
	}
	for i, n := range l.Disable {
		known(n, at(l.DisablePos, i), "lint.disable")
	}
	for _, s := range l.Severity {
		if s.Analyzer != "default" {
			known(s.Analyzer, s.Pos, "lint.severity")
		}
	}
	for _, as := range l.Settings {
		if !known(as.Analyzer, as.Pos, "lint.settings") {
			continue
		}
		for _, f := range as.Flags {
			where := fmt.Sprintf("lint.settings.%s.%s", as.Analyzer, f.Name)
			if err := CheckFlag(byName[as.Analyzer], f.Name, f.Value); err != nil {
				errorf(f.Pos, "%s: %v", where, err)
			}
		}
	}
	return errs.Err()
}

// CheckFlag reports whether analyzer a has a flag name that accepts value,
// leaving the flag as it was.
func CheckFlag(a *analysis.Analyzer, name, value string) error {
	f := a.Flags.Lookup(name)
	if f == nil {
		var flags []string
		a.Flags.VisitAll(func(f *flag.Flag) { flags = append(flags, f.Name) })
		have := "it has no flags"
		if len(flags) > 0 {
			have = "its flags: " + strings.Join(flags, ", ")
		}
		return fmt.Errorf("analyzer %s has no flag %q (%s)", a.Name, name, have)
	}
	was := f.Value.String()
	defer f.Value.Set(was)
	if err := f.Value.Set(value); err != nil {
		return fmt.Errorf("invalid value %q: %v", value, err)
	}
	return nil
}

// Runs reports whether the section runs the analyzer named name: every
// analyzer runs unless lint.enable names others or lint.disable names it.
func (l *Lint) Runs(name string) bool {
	if len(l.Enable) > 0 && !slices.Contains(l.Enable, name) {
		return false
	}
	return !slices.Contains(l.Disable, name)
}

// Level is the severity the section sets for an analyzer's findings: its
// own key under lint.severity, else the key default, else "".
func (l *Lint) Level(analyzer string) string {
	def := ""
	for _, s := range l.Severity {
		switch s.Analyzer {
		case analyzer:
			return s.Level
		case "default":
			def = s.Level
		}
	}
	return def
}

// Assignment is an analyzer flag set to a value.
type Assignment struct {
	Analyzer, Flag, Value string
}

// Assignments are the flags the section sets, in file order.
func (l *Lint) Assignments() []Assignment {
	var out []Assignment
	for _, as := range l.Settings {
		for _, f := range as.Flags {
			out = append(out, Assignment{as.Analyzer, f.Name, f.Value})
		}
	}
	return out
}

// Flags checks the section (Check) and returns it as the analyzer flags of
// a unitchecker command line (Args): what go vet -vettool passes on, and
// what durable-vet applies before its own command line.
func (l *Lint) Flags(file string, analyzers []*analysis.Analyzer) ([]string, error) {
	if err := l.Check(file, analyzers); err != nil {
		return nil, err
	}
	return Args(analyzers, l.Runs, l.Assignments()), nil
}

// Args renders a selection of analyzers and flag assignments as analyzer
// flags, in a canonical order (go vet keys its cache by them): -name=false
// for each analyzer that does not run, in the order of analyzers, then
// -name.flag=value for each flag assigned, the last assignment of a flag
// winning, by analyzer then flag name.
func Args(analyzers []*analysis.Analyzer, runs func(name string) bool, assigns []Assignment) []string {
	var args []string
	for _, a := range analyzers {
		if !runs(a.Name) {
			args = append(args, "-"+a.Name+"=false")
		}
	}
	last := map[[2]string]string{}
	for _, as := range assigns {
		last[[2]string{as.Analyzer, as.Flag}] = as.Value
	}
	for _, a := range analyzers {
		var flags []string
		for k := range last {
			if k[0] == a.Name {
				flags = append(flags, k[1])
			}
		}
		slices.Sort(flags)
		for _, f := range flags {
			args = append(args, "-"+a.Name+"."+f+"="+last[[2]string{a.Name, f}])
		}
	}
	return args
}
