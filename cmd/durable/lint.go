package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/durable-go/durable/analyzers/suite"
	"github.com/durable-go/durable/codegen/catalog"
)

func init() {
	register(command{
		name:    "lint",
		summary: "check durable functions with the durable analyzers (text, JSON or SARIF output)",
		run:     runLint,
	})
}

const lintUsage = `usage: durable lint [flags] [packages]

Runs the durable analyzers (durable lint --list) over the packages (default
./...) and prints one finding a line:

	file:line:col: analyzer: message

Settings are read from the lint section of durable.yaml (found like durable
generate finds it, or named with --config): enable, disable, severity and
settings (analyzer flags). Flags on the command line win over the file.

Severities are error, warning and note. By default every finding is an
error, except unused or unknown //durable:ignore directives (warning) and
advice (note). Notes are printed but do not fail the run.

Exit status: 0 with no findings (or notes only), 1 with findings, 2 on
errors (bad flags or settings, packages that do not load, analyzer failures).

Flags:
`

// lintFlags are the parsed command-line flags of durable lint.
type lintFlags struct {
	format, config, enable, disable string
	fix, list, tests                bool
	// analyzerFlags are -analyzer.flag=value settings, in command-line order.
	analyzerFlags []flagAssignment
}

type flagAssignment struct {
	analyzer, name, value string
	// where names the source of the setting in error messages.
	where string
}

// analyzerFlagVar records a -analyzer.flag value for later: the analyzer's
// own flag is set only once the configuration file has been applied.
type analyzerFlagVar struct {
	lf             *lintFlags
	analyzer, name string
	isBool         bool
}

func (v *analyzerFlagVar) String() string { return "" }
func (v *analyzerFlagVar) Set(s string) error {
	v.lf.analyzerFlags = append(v.lf.analyzerFlags, flagAssignment{v.analyzer, v.name, s, "flag -" + v.analyzer + "." + v.name})
	return nil
}
func (v *analyzerFlagVar) IsBoolFlag() bool { return v.isBool }

func parseLintFlags(args []string, stderr io.Writer, all []*analysis.Analyzer) (*lintFlags, []string, int) {
	lf := &lintFlags{}
	fs := flag.NewFlagSet("durable lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&lf.format, "format", "text", "output `format`: text, json or sarif")
	fs.StringVar(&lf.config, "config", "", "durable.yaml `file` whose lint section to read (default: durable.yaml here or in a parent directory up to the module root, if any)")
	fs.StringVar(&lf.enable, "enable", "", "comma-separated `analyzers` to run, and no others (overrides lint.enable and lint.disable)")
	fs.StringVar(&lf.disable, "disable", "", "comma-separated `analyzers` not to run")
	fs.BoolVar(&lf.fix, "fix", false, "apply the suggested fixes of the findings, then report what is left")
	fs.BoolVar(&lf.list, "list", false, "list the analyzers, their default severity and flags, and exit")
	fs.BoolVar(&lf.tests, "tests", true, "also check test files")
	for _, a := range all {
		a.Flags.VisitAll(func(f *flag.Flag) {
			b, ok := f.Value.(interface{ IsBoolFlag() bool })
			fs.Var(&analyzerFlagVar{lf: lf, analyzer: a.Name, name: f.Name, isBool: ok && b.IsBoolFlag()},
				a.Name+"."+f.Name, f.Usage+" (analyzer "+a.Name+")")
		})
	}
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), lintUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil, 0
		}
		return nil, nil, 2
	}
	switch lf.format {
	case "text", "json", "sarif":
	default:
		fmt.Fprintf(stderr, "durable lint: unknown --format %q (want text, json or sarif)\n", lf.format)
		return nil, nil, 2
	}
	if lf.fix && lf.format != "text" {
		// Fixing changes the files the positions refer to; keep machine
		// output exact by refusing the mix.
		fmt.Fprintln(stderr, "durable lint: --fix works with --format text only")
		return nil, nil, 2
	}
	patterns := fs.Args()
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	return lf, patterns, -1
}

// lintSettings is what durable lint runs: the analyzers, with their flags
// set, and the severity of each.
type lintSettings struct {
	analyzers []*analysis.Analyzer
	// severity maps an analyzer name (or "default") to its configured level.
	severity map[string]string
}

// level is the severity of a finding of analyzer a with category cat.
func (s *lintSettings) level(a, cat string) string {
	if cat == "advice" {
		return catalog.SeverityNote
	}
	if l, ok := s.severity[a]; ok {
		return l
	}
	return s.defaultLevel(a, cat)
}

// defaultLevel is the level of a finding when durable.yaml names no level for
// its analyzer.
func (s *lintSettings) defaultLevel(a, cat string) string {
	if l, ok := s.severity["default"]; ok {
		return l
	}
	if a == "durableignore" || cat == "ignore" {
		return catalog.SeverityWarning
	}
	return catalog.SeverityError
}

// configure resolves the analyzers to run and sets their flags, from the
// lint section (lint may be nil) and the command line. Errors name the
// setting at fault.
func configure(all []*analysis.Analyzer, lint *catalog.Lint, file string, lf *lintFlags) (*lintSettings, []string) {
	var errs []string
	errorf := func(p catalog.Pos, format string, args ...any) {
		where := "durable lint"
		if p.Line > 0 {
			where = fmt.Sprintf("%s:%d:%d", file, p.Line, p.Col)
		}
		errs = append(errs, where+": "+fmt.Sprintf(format, args...))
	}
	byName := map[string]*analysis.Analyzer{}
	var names []string
	for _, a := range all {
		byName[a.Name] = a
		names = append(names, a.Name)
	}
	known := func(name string, p catalog.Pos, what string) bool {
		if byName[name] == nil {
			errorf(p, "%s: unknown analyzer %q (known: %s)", what, name, strings.Join(names, ", "))
			return false
		}
		return true
	}
	if lint == nil {
		lint = &catalog.Lint{}
	}
	split := func(s string) []string {
		var out []string
		for _, n := range strings.Split(s, ",") {
			if n = strings.TrimSpace(n); n != "" {
				out = append(out, n)
			}
		}
		return out
	}
	at := func(ps []catalog.Pos, i int) catalog.Pos {
		if i < len(ps) {
			return ps[i]
		}
		return catalog.Pos{}
	}
	for i, n := range lint.Enable {
		known(n, at(lint.EnablePos, i), "lint.enable")
	}
	for i, n := range lint.Disable {
		known(n, at(lint.DisablePos, i), "lint.disable")
	}
	cliEnable, cliDisable := split(lf.enable), split(lf.disable)
	for _, n := range cliEnable {
		known(n, catalog.Pos{}, "--enable")
	}
	for _, n := range cliDisable {
		known(n, catalog.Pos{}, "--disable")
	}
	if lf.enable != "" && len(cliEnable) == 0 {
		errorf(catalog.Pos{}, "--enable: no analyzer named")
	}

	run := map[string]bool{}
	switch {
	case len(cliEnable) > 0:
		for _, n := range cliEnable {
			run[n] = true
		}
	case len(lint.Enable) > 0:
		for _, n := range lint.Enable {
			run[n] = true
		}
		for _, n := range lint.Disable {
			delete(run, n)
		}
	default:
		for _, n := range names {
			run[n] = true
		}
		for _, n := range lint.Disable {
			delete(run, n)
		}
	}
	for _, n := range cliDisable {
		delete(run, n)
	}

	s := &lintSettings{severity: map[string]string{}}
	for _, sv := range lint.Severity {
		if sv.Analyzer == "default" || known(sv.Analyzer, sv.Pos, "lint.severity") {
			s.severity[sv.Analyzer] = sv.Level
		}
	}

	// Flags: back to their defaults (a previous run in this process may
	// have set them), then the file, then the command line.
	resetAnalyzerFlags(all)
	var assigns []flagAssignment
	for _, as := range lint.Settings {
		if !known(as.Analyzer, as.Pos, "lint.settings") {
			continue
		}
		for _, f := range as.Flags {
			assigns = append(assigns, flagAssignment{as.Analyzer, f.Name, f.Value, fmt.Sprintf("%s:%d:%d: lint.settings.%s.%s", file, f.Pos.Line, f.Pos.Col, as.Analyzer, f.Name)})
		}
	}
	assigns = append(assigns, lf.analyzerFlags...)
	for _, fa := range assigns {
		a := byName[fa.analyzer]
		f := a.Flags.Lookup(fa.name)
		if f == nil {
			var flags []string
			a.Flags.VisitAll(func(f *flag.Flag) { flags = append(flags, f.Name) })
			have := "it has no flags"
			if len(flags) > 0 {
				have = "its flags: " + strings.Join(flags, ", ")
			}
			errs = append(errs, fmt.Sprintf("%s: analyzer %s has no flag %q (%s)", fa.where, fa.analyzer, fa.name, have))
			continue
		}
		if err := f.Value.Set(fa.value); err != nil {
			errs = append(errs, fmt.Sprintf("%s: invalid value %q: %v", fa.where, fa.value, err))
		}
	}
	for _, a := range all {
		if run[a.Name] {
			s.analyzers = append(s.analyzers, a)
		}
	}
	if len(errs) == 0 && len(s.analyzers) == 0 {
		errs = append(errs, "durable lint: every analyzer is disabled; nothing to run")
	}
	return s, errs
}

// flagDefaults holds each analyzer flag's default value, recorded before
// any is set.
var flagDefaults = map[*flag.Flag]string{}

func resetAnalyzerFlags(all []*analysis.Analyzer) {
	for _, a := range all {
		a.Flags.VisitAll(func(f *flag.Flag) {
			def, ok := flagDefaults[f]
			if !ok {
				def = f.Value.String()
				flagDefaults[f] = def
			}
			_ = f.Value.Set(def)
		})
	}
}

// finding is one diagnostic, resolved to positions.
type finding struct {
	Analyzer string    `json:"analyzer"`
	Severity string    `json:"severity"`
	Category string    `json:"category,omitempty"`
	Pos      position  `json:"pos"`
	End      *position `json:"end,omitempty"`
	Message  string    `json:"message"`
	Related  []related `json:"related,omitempty"`
	Fixes    []fixJSON `json:"fixes,omitempty"`

	diag     analysis.Diagnostic
	fset     *token.FileSet
	analyzer *analysis.Analyzer
}

type position struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	offset int
}

type related struct {
	Pos     position `json:"pos"`
	Message string   `json:"message"`
}

type fixJSON struct {
	Message string     `json:"message"`
	Edits   []editJSON `json:"edits"`
}

type editJSON struct {
	File    string   `json:"file"`
	Start   position `json:"start"`
	End     position `json:"end"`
	NewText string   `json:"new_text"`
}

func toPosition(fset *token.FileSet, p token.Pos) position {
	pp := fset.Position(p)
	return position{File: pp.Filename, Line: pp.Line, Column: pp.Column, offset: pp.Offset}
}

func (p position) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column) }

func runLint(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	all := suite.Analyzers()
	lf, patterns, code := parseLintFlags(args, stderr, all)
	if code >= 0 {
		return code
	}
	var lint *catalog.Lint
	file := lf.config
	if file == "" {
		if found, err := findCatalog(); err == nil {
			file = found
		}
	}
	if file != "" {
		l, err := catalog.LoadLint(file)
		if err != nil {
			var list catalog.ErrorList
			if errors.As(err, &list) {
				for _, e := range list {
					fmt.Fprintln(stderr, e)
				}
				fmt.Fprintf(stderr, "durable lint: %d error(s) in the lint section of %s\n", len(list), file)
			} else {
				fmt.Fprintf(stderr, "durable lint: %v\n", err)
			}
			return 2
		}
		lint = l
	}
	settings, errs := configure(all, lint, file, lf)
	if len(errs) > 0 {
		for _, e := range errs {
			fmt.Fprintln(stderr, e)
		}
		return 2
	}
	if lf.list {
		listAnalyzers(stdout, all, settings)
		return 0
	}

	findings, code := analyze(ctx, settings, patterns, lf.tests, stderr)
	if code >= 0 {
		return code
	}
	if lf.fix {
		fixed, err := applyFixes(findings)
		if err != nil {
			fmt.Fprintf(stderr, "durable lint: --fix: %v\n", err)
			return 2
		}
		if len(fixed) > 0 {
			for _, f := range fixed {
				fmt.Fprintf(stderr, "fixed %s\n", relPath(f))
			}
			// Report what the fixes left, at positions in the new files.
			findings, code = analyze(ctx, settings, patterns, lf.tests, stderr)
			if code >= 0 {
				return code
			}
		}
	}
	var err error
	switch lf.format {
	case "json":
		err = writeJSON(stdout, findings)
	case "sarif":
		err = writeSARIF(stdout, findings, settings, all)
	default:
		for _, f := range findings {
			fmt.Fprintf(stdout, "%s: %s: %s\n", f.Pos, f.Analyzer, f.Message)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "durable lint: %v\n", err)
		return 2
	}
	for _, f := range findings {
		if f.Severity != catalog.SeverityNote {
			return 1
		}
	}
	return 0
}

// analyze loads the packages and runs the analyzers. It returns the
// findings, sorted and without duplicates (a file is in a package and its
// test variant), or an exit code after printing errors.
func analyze(ctx context.Context, s *lintSettings, patterns []string, tests bool, stderr io.Writer) ([]*finding, int) {
	cfg := &packages.Config{Context: ctx, Mode: packages.LoadAllSyntax, Tests: tests}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		fmt.Fprintf(stderr, "durable lint: loading %s: %v\n", strings.Join(patterns, " "), err)
		return nil, 2
	}
	if len(pkgs) == 0 {
		fmt.Fprintf(stderr, "durable lint: %s matched no packages\n", strings.Join(patterns, " "))
		return nil, 2
	}
	broken := 0
	seenErr := map[string]bool{}
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		if len(p.Errors) == 0 {
			return
		}
		broken++
		for _, e := range p.Errors {
			msg := e.Error()
			if seenErr[msg] {
				continue
			}
			seenErr[msg] = true
			fmt.Fprintf(stderr, "%s\n", msg)
		}
		fmt.Fprintf(stderr, "durable lint: package %s does not load\n", p.PkgPath)
	})
	if broken > 0 {
		fmt.Fprintf(stderr, "durable lint: %d package(s) do not load; fix them (go build ./... and go vet ./... show the same errors)\n", broken)
		return nil, 2
	}
	// go test's generated main packages (pkg.test) are not the user's
	// code; go vet does not check them either.
	pkgs = slices.DeleteFunc(pkgs, func(p *packages.Package) bool { return strings.HasSuffix(p.ID, ".test") })
	graph, err := checker.Analyze(s.analyzers, pkgs, nil)
	if err != nil {
		fmt.Fprintf(stderr, "durable lint: %v\n", err)
		return nil, 2
	}
	failed := false
	seen := map[string]bool{}
	var out []*finding
	for _, act := range graph.Roots {
		if act.Err != nil {
			fmt.Fprintf(stderr, "durable lint: analyzer %s failed on package %s: %v\n", act.Analyzer.Name, act.Package.PkgPath, act.Err)
			failed = true
			continue
		}
		fset := act.Package.Fset
		for _, d := range act.Diagnostics {
			f := &finding{
				Analyzer: act.Analyzer.Name,
				Severity: s.level(act.Analyzer.Name, d.Category),
				Category: d.Category,
				Pos:      toPosition(fset, d.Pos),
				Message:  d.Message,
				diag:     d,
				fset:     fset,
				analyzer: act.Analyzer,
			}
			key := fmt.Sprintf("%s:%d\x00%s\x00%s", f.Pos.File, f.Pos.offset, f.Analyzer, f.Message)
			if seen[key] {
				continue
			}
			seen[key] = true
			if d.End.IsValid() {
				e := toPosition(fset, d.End)
				f.End = &e
			}
			for _, r := range d.Related {
				f.Related = append(f.Related, related{Pos: toPosition(fset, r.Pos), Message: r.Message})
			}
			for _, fx := range d.SuggestedFixes {
				fj := fixJSON{Message: fx.Message}
				for _, e := range fx.TextEdits {
					end := e.End
					if !end.IsValid() {
						end = e.Pos
					}
					start := toPosition(fset, e.Pos)
					fj.Edits = append(fj.Edits, editJSON{File: start.File, Start: start, End: toPosition(fset, end), NewText: string(e.NewText)})
				}
				f.Fixes = append(f.Fixes, fj)
			}
			out = append(out, f)
		}
	}
	if failed {
		return nil, 2
	}
	for _, f := range out {
		f.Pos.File = relPath(f.Pos.File)
		if f.End != nil {
			f.End.File = relPath(f.End.File)
		}
		for i := range f.Related {
			f.Related[i].Pos.File = relPath(f.Related[i].Pos.File)
		}
		for i := range f.Fixes {
			for j := range f.Fixes[i].Edits {
				e := &f.Fixes[i].Edits[j]
				e.File = relPath(e.File)
				e.Start.File, e.End.File = e.File, e.File
			}
		}
	}
	slices.SortStableFunc(out, func(a, b *finding) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column), cmp.Compare(a.Analyzer, b.Analyzer), cmp.Compare(a.Message, b.Message))
	})
	return out, -1
}

// relPath shows a file relative to the working directory when it is under it.
func relPath(file string) string {
	wd, err := os.Getwd()
	if err != nil || !filepath.IsAbs(file) {
		return file
	}
	if rel, err := filepath.Rel(wd, file); err == nil && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && rel != ".." {
		return rel
	}
	return file
}

// summary is the first line of an analyzer's Doc, without the "name: " prefix.
func summary(a *analysis.Analyzer) string {
	first, _, _ := strings.Cut(a.Doc, "\n")
	return strings.TrimPrefix(first, a.Name+": ")
}

func listAnalyzers(w io.Writer, all []*analysis.Analyzer, s *lintSettings) {
	enabled := map[string]bool{}
	for _, a := range s.analyzers {
		enabled[a.Name] = true
	}
	width := 0
	for _, a := range all {
		width = max(width, len(a.Name))
	}
	for _, a := range all {
		state := ""
		if !enabled[a.Name] {
			state = " (disabled)"
		}
		fmt.Fprintf(w, "%-*s  %-7s  %s%s\n", width, a.Name, s.level(a.Name, ""), summary(a), state)
		var flags []string
		a.Flags.VisitAll(func(f *flag.Flag) {
			flags = append(flags, fmt.Sprintf("%*s  -%s.%s: %s (default %q)", width, "", a.Name, f.Name, f.Usage, flagDefaults[f]))
		})
		sort.Strings(flags)
		for _, f := range flags {
			fmt.Fprintln(w, f)
		}
	}
	fmt.Fprintln(w, "\nRun 'durable explain <analyzer>' for an analyzer's documentation.")
}
