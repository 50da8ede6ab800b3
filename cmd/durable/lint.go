package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/durable-go/durable/analyzers/lintconfig"
	"github.com/durable-go/durable/analyzers/suite"
	"github.com/durable-go/durable/analyzers/vettool"
)

func init() {
	register(command{
		name:    "lint",
		summary: "check durable functions with the durable analyzers (text, JSON or SARIF output)",
		run:     runLint,
	})
}

// vettoolEnv makes the durable binary go vet's analysis tool: durable lint
// runs go vet -vettool=<this binary> with it set.
const vettoolEnv = "DURABLE_VETTOOL"

const lintUsage = `usage: durable lint [flags] [packages]

Runs the durable analyzers (durable lint --list) over the packages (default
./...) and prints one finding a line, the file relative to the module root:

	file:line:col: analyzer: message

It runs go vet with this binary as the analysis tool, so go vet's cache
keeps each package's results: a second run on unchanged code replays them.

Settings are read from the lint section of durable.yaml (the first found
from the working directory up to the module root, or the file named with
--config): enable, disable, severity and settings (analyzer flags). Flags on
the command line win over the file.

Severities are error, warning and note. Each analyzer has a default
(durable lint --list); advice is always a note, and unused or unknown
//durable:ignore directives are warnings. Notes are printed but do not fail
the run.

Exit status: 0 with no findings (or notes only), 1 with findings, 2 on
errors (bad flags or settings, packages that do not build, analyzer
failures).

Flags:
`

// lintFlags are the parsed command-line flags of durable lint.
type lintFlags struct {
	format, config, enable, disable, tags string
	fix, list, tests                      bool
	// analyzerFlags are -analyzer.flag=value settings, in command-line order.
	analyzerFlags []lintconfig.Assignment
}

// analyzerFlagVar records a -analyzer.flag value; it is checked and passed
// on to go vet once the configuration file has been read.
type analyzerFlagVar struct {
	lf             *lintFlags
	analyzer, name string
	isBool         bool
}

func (v *analyzerFlagVar) String() string { return "" }
func (v *analyzerFlagVar) Set(s string) error {
	v.lf.analyzerFlags = append(v.lf.analyzerFlags, lintconfig.Assignment{Analyzer: v.analyzer, Flag: v.name, Value: s})
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
	fs.StringVar(&lf.tags, "tags", "", "comma-separated build `tags` to consider satisfied (as go build -tags)")
	fs.BoolVar(&lf.fix, "fix", false, "apply the suggested fixes of the findings, then report what is left")
	fs.BoolVar(&lf.list, "list", false, "list the analyzers, their default severity and flags, and exit")
	fs.BoolVar(&lf.tests, "tests", true, "also report findings in test files")
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

// lintSettings is what durable lint runs: the analyzers, the go vet flags
// that select and configure them, and the severity of each.
type lintSettings struct {
	analyzers []*analysis.Analyzer
	// vetFlags are the analyzer flags passed to go vet (part of its cache
	// key): -name=false for analyzers that do not run, -name.flag=value.
	vetFlags []string
	lint     *lintconfig.Lint
}

// level is the severity of a finding of analyzer a with category cat:
// advice is a note; else the level durable.yaml sets, else the analyzer's
// default (suite.Rules).
func (s *lintSettings) level(a, cat string) string {
	if cat == suite.DiagnosticCategoryAdvice {
		return lintconfig.SeverityNote
	}
	if l := s.lint.Level(a); l != "" {
		return l
	}
	if r, ok := suite.Lookup(a); ok {
		return string(r.SeverityOf(cat))
	}
	return lintconfig.SeverityError
}

// configure resolves the analyzers to run and their flags, from the lint
// section (file names it in errors) and the command line. Errors name the
// setting at fault.
func configure(all []*analysis.Analyzer, lint *lintconfig.Lint, file string, lf *lintFlags) (*lintSettings, []string) {
	var errs []string
	if err := lint.Check(file, all); err != nil {
		var list lintconfig.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				errs = append(errs, e.Error())
			}
		} else {
			errs = append(errs, err.Error())
		}
	}
	byName := map[string]*analysis.Analyzer{}
	var names []string
	for _, a := range all {
		byName[a.Name] = a
		names = append(names, a.Name)
	}
	split := func(what, s string) []string {
		var out []string
		for _, n := range strings.Split(s, ",") {
			if n = strings.TrimSpace(n); n == "" {
				continue
			}
			if byName[n] == nil {
				errs = append(errs, fmt.Sprintf("durable lint: %s: unknown analyzer %q (known: %s)", what, n, strings.Join(names, ", ")))
				continue
			}
			out = append(out, n)
		}
		return out
	}
	cliEnable, cliDisable := split("--enable", lf.enable), split("--disable", lf.disable)
	if lf.enable != "" && len(cliEnable) == 0 && len(errs) == 0 {
		errs = append(errs, "durable lint: --enable: no analyzer named")
	}
	runs := func(name string) bool {
		if slices.Contains(cliDisable, name) {
			return false
		}
		if len(cliEnable) > 0 {
			return slices.Contains(cliEnable, name)
		}
		return lint.Runs(name)
	}
	for _, as := range lf.analyzerFlags {
		if err := lintconfig.CheckFlag(byName[as.Analyzer], as.Flag, as.Value); err != nil {
			errs = append(errs, fmt.Sprintf("durable lint: flag -%s.%s: %v", as.Analyzer, as.Flag, err))
		}
	}
	s := &lintSettings{lint: lint}
	for _, a := range all {
		if runs(a.Name) {
			s.analyzers = append(s.analyzers, a)
		}
	}
	if len(errs) == 0 && len(s.analyzers) == 0 {
		errs = append(errs, "durable lint: every analyzer is disabled; nothing to run")
	}
	// The file's settings first, then the command line's: the last wins.
	s.vetFlags = lintconfig.Args(all, runs, append(lint.Assignments(), lf.analyzerFlags...))
	return s, errs
}

// finding is one diagnostic, its file relative to the module root.
type finding struct {
	Analyzer string    `json:"analyzer"`
	Severity string    `json:"severity"`
	Category string    `json:"category,omitempty"`
	Pos      position  `json:"pos"`
	End      *position `json:"end,omitempty"`
	Message  string    `json:"message"`
	Related  []related `json:"related,omitempty"`
	Fixes    []fixJSON `json:"fixes,omitempty"`
}

type position struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	// path is the file's absolute path and offset the position's byte
	// offset in it (for edits).
	path   string
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

func (p position) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column) }

func runLint(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	all := suite.Analyzers()
	lf, patterns, code := parseLintFlags(args, stderr, all)
	if code >= 0 {
		return code
	}
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(stderr, "durable lint: %v\n", err)
		return 2
	}
	lint := &lintconfig.Lint{}
	file := lf.config
	if file == "" {
		file = lintconfig.Find(wd)
	}
	if file != "" {
		// Name the file as the user would: relative to here.
		if rel, err := filepath.Rel(wd, file); err == nil && filepath.IsAbs(file) {
			file = rel
		}
		l, err := vettool.LoadConfig(file)
		if err != nil {
			var list interface{ Unwrap() []error }
			if errors.As(err, &list) {
				errs := list.Unwrap()
				for _, e := range errs {
					fmt.Fprintln(stderr, e)
				}
				fmt.Fprintf(stderr, "durable lint: %d error(s) in %s\n", len(errs), file)
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
	root := lintconfig.ModuleRoot(wd)
	if root == "" {
		root = wd
	}
	v := &vetRun{settings: settings, patterns: patterns, tags: lf.tags, tests: lf.tests, root: root, stderr: stderr}
	findings, code := v.analyze(ctx)
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
				fmt.Fprintf(stderr, "fixed %s\n", v.rel(f))
			}
			// Report what the fixes left, at positions in the new files.
			findings, code = v.analyze(ctx)
			if code >= 0 {
				return code
			}
		}
	}
	switch lf.format {
	case "json":
		err = writeJSON(stdout, findings)
	case "sarif":
		err = writeSARIF(stdout, root, findings, settings, all)
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
		if f.Severity != lintconfig.SeverityNote {
			return 1
		}
	}
	return 0
}

// vetRun runs go vet with this binary as its analysis tool.
type vetRun struct {
	settings *lintSettings
	patterns []string
	tags     string
	tests    bool
	// root is the main module's root, which paths are relative to.
	root   string
	stderr io.Writer
	// lines caches the line starts of files, for edit positions.
	lines map[string][]int
}

// vetDiagnostic is a diagnostic as go vet -json prints it
// (golang.org/x/tools/internal/analysis/driverutil.JSONDiagnostic).
type vetDiagnostic struct {
	Category       string `json:"category"`
	Posn           string `json:"posn"`
	End            string `json:"end"`
	Message        string `json:"message"`
	SuggestedFixes []struct {
		Message string `json:"message"`
		Edits   []struct {
			Filename string `json:"filename"`
			Start    int    `json:"start"`
			End      int    `json:"end"`
			New      string `json:"new"`
		} `json:"edits"`
	} `json:"suggested_fixes"`
	Related []struct {
		Posn    string `json:"posn"`
		Message string `json:"message"`
	} `json:"related"`
}

// analyze runs go vet and returns the findings, sorted and without
// duplicates, or an exit code after printing errors.
func (v *vetRun) analyze(ctx context.Context) ([]*finding, int) {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(v.stderr, "durable lint: %v\n", err)
		return nil, 2
	}
	v.lines = nil // files change under --fix
	args := []string{"vet", "-vettool=" + exe, "-json"}
	if v.tags != "" {
		args = append(args, "-tags="+v.tags)
	}
	args = append(args, v.settings.vetFlags...)
	args = append(args, v.patterns...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(os.Environ(), vettoolEnv+"=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		v.stderr.Write(errb.Bytes())
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			fmt.Fprintf(v.stderr, "durable lint: running go vet: %v\n", err)
		} else {
			fmt.Fprintf(v.stderr, "durable lint: go vet %s failed; fix the errors above (go build and go vet show them too)\n", strings.Join(v.patterns, " "))
		}
		return nil, 2
	}
	v.stderr.Write(errb.Bytes())

	failed := false
	seen := map[string]bool{}
	var findings []*finding
	dec := json.NewDecoder(&out)
	for {
		// One object per package: package ID → analyzer → diagnostics, or
		// {"error": "..."} when the analyzer failed.
		var tree map[string]map[string]json.RawMessage
		if err := dec.Decode(&tree); err == io.EOF {
			break
		} else if err != nil {
			fmt.Fprintf(v.stderr, "durable lint: reading go vet's output: %v\n", err)
			return nil, 2
		}
		for pkg, results := range tree {
			for analyzer, raw := range results {
				var diags []vetDiagnostic
				if err := json.Unmarshal(raw, &diags); err != nil {
					var e struct{ Error string }
					_ = json.Unmarshal(raw, &e)
					fmt.Fprintf(v.stderr, "durable lint: analyzer %s failed on package %s: %s\n", analyzer, pkg, cmp.Or(e.Error, string(raw)))
					failed = true
					continue
				}
				for _, d := range diags {
					f := v.finding(analyzer, d)
					if !v.tests && strings.HasSuffix(f.Pos.File, "_test.go") {
						continue
					}
					key := fmt.Sprintf("%s\x00%s\x00%s", f.Pos, f.Analyzer, f.Message)
					if seen[key] {
						continue
					}
					seen[key] = true
					findings = append(findings, f)
				}
			}
		}
	}
	if failed {
		return nil, 2
	}
	slices.SortStableFunc(findings, func(a, b *finding) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column), cmp.Compare(a.Analyzer, b.Analyzer), cmp.Compare(a.Message, b.Message))
	})
	return findings, -1
}

func (v *vetRun) finding(analyzer string, d vetDiagnostic) *finding {
	f := &finding{
		Analyzer: analyzer,
		Severity: v.settings.level(analyzer, d.Category),
		Category: d.Category,
		Pos:      v.parsePosn(d.Posn),
		Message:  d.Message,
	}
	if d.End != "" && d.End != d.Posn {
		e := v.parsePosn(d.End)
		f.End = &e
	}
	for _, r := range d.Related {
		f.Related = append(f.Related, related{Pos: v.parsePosn(r.Posn), Message: r.Message})
	}
	for _, fx := range d.SuggestedFixes {
		fj := fixJSON{Message: fx.Message}
		for _, e := range fx.Edits {
			fj.Edits = append(fj.Edits, editJSON{
				File:    v.rel(e.Filename),
				Start:   v.at(e.Filename, e.Start),
				End:     v.at(e.Filename, e.End),
				NewText: e.New,
			})
		}
		f.Fixes = append(f.Fixes, fj)
	}
	return f
}

// parsePosn parses go vet's file:line:col.
func (v *vetRun) parsePosn(s string) position {
	p := position{File: s}
	colon2 := strings.LastIndexByte(s, ':')
	if colon2 < 0 {
		return p
	}
	colon1 := strings.LastIndexByte(s[:colon2], ':')
	if colon1 < 0 {
		return p
	}
	line, err1 := strconv.Atoi(s[colon1+1 : colon2])
	col, err2 := strconv.Atoi(s[colon2+1:])
	if err1 != nil || err2 != nil {
		return p
	}
	file := s[:colon1]
	return position{File: v.rel(file), Line: line, Column: col, path: file, offset: v.offset(file, line, col)}
}

// rel names a file relative to the module root.
func (v *vetRun) rel(file string) string {
	if !filepath.IsAbs(file) {
		return filepath.ToSlash(file)
	}
	if rel, err := filepath.Rel(v.root, file); err == nil {
		return filepath.ToSlash(rel)
	}
	return file
}

// lineStarts returns the offsets at which the lines of file start.
func (v *vetRun) lineStarts(file string) []int {
	if v.lines == nil {
		v.lines = map[string][]int{}
	}
	starts, ok := v.lines[file]
	if !ok {
		data, _ := os.ReadFile(file)
		starts = []int{0}
		for i, c := range data {
			if c == '\n' {
				starts = append(starts, i+1)
			}
		}
		v.lines[file] = starts
	}
	return starts
}

func (v *vetRun) offset(file string, line, col int) int {
	starts := v.lineStarts(file)
	if line < 1 || line > len(starts) {
		return -1
	}
	return starts[line-1] + col - 1
}

// at is the position of a byte offset in file.
func (v *vetRun) at(file string, offset int) position {
	starts := v.lineStarts(file)
	line := sort.Search(len(starts), func(i int) bool { return starts[i] > offset })
	col := 1
	if line > 0 {
		col = offset - starts[line-1] + 1
	}
	return position{File: v.rel(file), Line: line, Column: col, path: file, offset: offset}
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
			flags = append(flags, fmt.Sprintf("%*s  -%s.%s: %s (default %q)", width, "", a.Name, f.Name, f.Usage, f.DefValue))
		})
		sort.Strings(flags)
		for _, f := range flags {
			fmt.Fprintln(w, f)
		}
	}
	fmt.Fprintln(w, "\nRun 'durable explain <analyzer>' for an analyzer's documentation.")
}
