// Package lintconfig is the `lint:` section of durable.yaml: which durable
// analyzers run, the severity of their findings and their flags. Every
// driver reads it the same way: durable lint, go vet -vettool=durable-vet
// and the golangci-lint plugin.
//
//	lint:
//	  disable: [stepid]              # or enable: [...] to run only those
//	  severity:
//	    default: warning             # every analyzer not named below
//	    sideeffect: error
//	  settings:
//	    idempotency:                 # the analyzer's flags (durable lint --list)
//	      calls: [example.com/pay.Client.Charge]
//
// Load decodes the section strictly, with file:line:col errors; Check and
// Flags check analyzer and flag names against the analyzers a driver runs
// and turn the section into analyzer flags, the form every driver applies.
package lintconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/invopop/jsonschema"
	"gopkg.in/yaml.v3"

	"github.com/durable-go/durable/internal/yamlpos"
)

// FileName is the name of the file that holds the lint section.
const FileName = "durable.yaml"

// Lint is the `lint:` section of durable.yaml.
type Lint struct {
	Enable   []string   `yaml:"enable" jsonschema_description:"Analyzers to run; when set, no other analyzer runs. Default: all of them (durable lint --list)."`
	Disable  []string   `yaml:"disable" jsonschema_description:"Analyzers not to run."`
	Severity Severities `yaml:"severity" jsonschema_description:"Severity of each analyzer's findings (error, warning or note), by analyzer name; the key default sets it for every analyzer not named. Findings of severity note do not make durable lint fail."`
	Settings Settings   `yaml:"settings" jsonschema_description:"Flags of each analyzer, by analyzer name then flag name, as listed by durable lint --list. A list value is joined with commas."`

	// Pos locates the section.
	Pos Pos `yaml:"-" json:"-"`
	// EnablePos and DisablePos locate each item of Enable and Disable.
	EnablePos, DisablePos []Pos `yaml:"-" json:"-"`
}

// Severity levels of findings, as in SARIF.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
	SeverityNote    = "note"
)

// Severities lists the severity keys of the lint section in file order.
type Severities []SeveritySetting

// SeveritySetting is one key of `lint.severity`: an analyzer name (or
// "default") and its level.
type SeveritySetting struct {
	Analyzer string
	Level    string
	// Pos locates the key (the analyzer name), LevelPos the level.
	Pos, LevelPos Pos
}

// JSONSchema describes Severities as the mapping it is in YAML.
func (Severities) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		Type:                 "object",
		PropertyNames:        &jsonschema.Schema{Type: "string", Pattern: analyzerNamePattern},
		AdditionalProperties: &jsonschema.Schema{Type: "string", Enum: []any{SeverityError, SeverityWarning, SeverityNote}},
	}
}

// Settings lists the analyzers configured under `lint.settings`, in file
// order.
type Settings []AnalyzerSettings

// AnalyzerSettings are the flags set for one analyzer.
type AnalyzerSettings struct {
	Analyzer string
	Pos      Pos
	Flags    []FlagSetting
}

// FlagSetting is one flag of an analyzer, with its value as the flag
// package parses it (a list is joined with commas).
type FlagSetting struct {
	Name, Value string
	// Pos locates the key (the flag name), ValuePos the value.
	Pos, ValuePos Pos
}

// JSONSchema describes Settings as the mapping of mappings it is in YAML.
func (Settings) JSONSchema() *jsonschema.Schema {
	scalar := []*jsonschema.Schema{{Type: "string"}, {Type: "number"}, {Type: "boolean"}}
	value := &jsonschema.Schema{OneOf: append(slices.Clone(scalar),
		&jsonschema.Schema{Type: "array", Items: &jsonschema.Schema{OneOf: scalar}})}
	return &jsonschema.Schema{
		Type:          "object",
		PropertyNames: &jsonschema.Schema{Type: "string", Pattern: analyzerNamePattern},
		AdditionalProperties: &jsonschema.Schema{
			Type:                 "object",
			PropertyNames:        &jsonschema.Schema{Type: "string", Pattern: `^[A-Za-z][A-Za-z0-9_.-]*$`},
			AdditionalProperties: value,
		},
	}
}

const analyzerNamePattern = `^[a-z][a-z0-9_]*$`

var analyzerNameRE = regexp.MustCompile(analyzerNamePattern)

// Pos, Error and ErrorList are the positioned errors of the lint section:
// every problem names file:line:col.
type (
	Pos       = yamlpos.Pos
	Error     = yamlpos.Error
	ErrorList = yamlpos.ErrorList
)

// Find returns the durable.yaml of dir: the first found in dir or its
// parents, up to the root of the module dir is in (the directory holding
// go.mod). It returns "" when there is none.
func Find(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	root := moduleRoot(dir)
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, FileName)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		if d == root || filepath.Dir(d) == d {
			return ""
		}
	}
}

// Load reads the lint section of the durable.yaml at path. It decodes that
// section only, strictly, so that linting does not depend on the rest of
// the catalog being valid (durable generate checks that); a file with no
// lint section gives an empty Lint. On failure the error is an ErrorList,
// or the error reading the file.
func Load(path string) (*Lint, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse is Load on the content of a file; file names it in errors.
func Parse(file string, data []byte) (*Lint, error) {
	var errs ErrorList
	report := func(line, col int, msg string) {
		errs = append(errs, &Error{File: file, Pos: Pos{Line: line, Col: col}, Msg: msg})
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &Lint{}, nil
		}
		msg, line := err.Error(), 1
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		report(line, 1, "invalid YAML: "+msg)
		return nil, errs.Err()
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	root = resolve(root)
	l := &Lint{}
	if root.Kind != yaml.MappingNode {
		report(root.Line, root.Column, FileName+" must be a mapping; got "+describe(root))
		return nil, errs.Err()
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if resolve(root.Content[i]).Value == "lint" {
			l.DecodeYAML(root.Content[i+1], "lint", report)
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return l, nil
}

// DecodeYAML decodes the lint section from its node; path names the
// section in messages ("lint"), and each problem goes to report. It is how
// the catalog decoder (codegen/catalog) reads the section of a full
// durable.yaml.
func (l *Lint) DecodeYAML(n *yaml.Node, path string, report func(line, col int, msg string)) {
	d := &decoder{report: report}
	n = resolve(n)
	l.Pos = pos(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // "lint:" with nothing under it
	}
	known := []string{"disable", "enable", "settings", "severity"}
	d.mapping(n, path, func(key, val *yaml.Node) {
		p := path + "." + key.Value
		switch key.Value {
		case "enable":
			l.Enable, l.EnablePos = d.names(val, p)
		case "disable":
			l.Disable, l.DisablePos = d.names(val, p)
		case "severity":
			l.Severity = d.severities(val, p)
		case "settings":
			l.Settings = d.settings(val, p)
		default:
			d.errorf(key, "%s: unknown key %q (known keys: %s)", path, key.Value, strings.Join(known, ", "))
		}
	})
}

// decoder reports the problems of one section.
type decoder struct {
	report func(line, col int, msg string)
}

func pos(n *yaml.Node) Pos { return Pos{Line: n.Line, Col: n.Column} }

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.report(n.Line, n.Column, fmt.Sprintf(format, args...))
}

func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// describe names what a node holds, for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!int":
		return "the integer " + n.Value
	case "!!float":
		return "the number " + n.Value
	case "!!bool":
		return "the boolean " + n.Value
	case "!!null":
		return "null"
	case "!!timestamp":
		return "the timestamp " + n.Value
	}
	return fmt.Sprintf("the string %q", n.Value)
}

// mapping calls fn for each key of a mapping node, reporting non-string and
// duplicate keys. A null node is an empty mapping.
func (d *decoder) mapping(n *yaml.Node, path string, fn func(key, val *yaml.Node)) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		if !isNull(n) {
			d.errorf(n, "%s: want a mapping, got %s", path, describe(n))
		}
		return
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := resolve(n.Content[i]), resolve(n.Content[i+1])
		if key.Kind != yaml.ScalarNode || key.Tag == "!!merge" {
			d.errorf(key, "%s: keys must be plain strings", path)
			continue
		}
		if first, dup := seen[key.Value]; dup {
			d.errorf(key, "%s: duplicate key %q (first at %d:%d)", path, key.Value, first.Line, first.Column)
			continue
		}
		seen[key.Value] = key
		fn(key, val)
	}
}

// str decodes a string scalar.
func (d *decoder) str(n *yaml.Node, path string) (string, bool) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "!!timestamp") {
		hint := ""
		if n.Kind == yaml.ScalarNode && !isNull(n) {
			hint = fmt.Sprintf("; quote it: %q", n.Value)
		}
		d.errorf(n, "%s: want a string, got %s%s", path, describe(n), hint)
		return "", false
	}
	return n.Value, true
}

// names decodes a list of analyzer names and their positions.
func (d *decoder) names(n *yaml.Node, path string) ([]string, []Pos) {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		if !isNull(n) {
			d.errorf(n, "%s: want a list, got %s", path, describe(n))
		}
		return nil, nil
	}
	var names []string
	var at []Pos
	for i, c := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		name, ok := d.str(c, p)
		if !ok {
			continue
		}
		if !analyzerNameRE.MatchString(name) {
			d.errorf(c, "%s: %q is not an analyzer name", p, name)
			continue
		}
		names = append(names, name)
		at = append(at, pos(resolve(c)))
	}
	return names, at
}

func (d *decoder) severities(n *yaml.Node, path string) Severities {
	var ss Severities
	d.mapping(n, path, func(key, val *yaml.Node) {
		p := path + "." + key.Value
		if !analyzerNameRE.MatchString(key.Value) {
			d.errorf(key, "%s: %q is not an analyzer name", path, key.Value)
			return
		}
		level, ok := d.str(val, p)
		if !ok {
			return
		}
		switch level {
		case SeverityError, SeverityWarning, SeverityNote:
		default:
			d.errorf(val, "%s: unknown severity %q (want error, warning or note)", p, level)
			return
		}
		ss = append(ss, SeveritySetting{Analyzer: key.Value, Level: level, Pos: pos(key), LevelPos: pos(val)})
	})
	return ss
}

func (d *decoder) settings(n *yaml.Node, path string) Settings {
	var s Settings
	d.mapping(n, path, func(key, val *yaml.Node) {
		p := path + "." + key.Value
		if !analyzerNameRE.MatchString(key.Value) {
			d.errorf(key, "%s: %q is not an analyzer name", path, key.Value)
			return
		}
		as := AnalyzerSettings{Analyzer: key.Value, Pos: pos(key)}
		d.mapping(val, p, func(fk, fv *yaml.Node) {
			if v, ok := d.flagValue(fv, p+"."+fk.Value); ok {
				as.Flags = append(as.Flags, FlagSetting{Name: fk.Value, Value: v, Pos: pos(fk), ValuePos: pos(fv)})
			}
		})
		s = append(s, as)
	})
	return s
}

// flagValue renders a scalar, or a list of scalars joined with commas, as
// the text a flag parses.
func (d *decoder) flagValue(n *yaml.Node, path string) (string, bool) {
	n = resolve(n)
	scalar := func(n *yaml.Node) (string, bool) {
		n = resolve(n)
		if n.Kind != yaml.ScalarNode || isNull(n) {
			d.errorf(n, "%s: want a string, number or boolean, got %s", path, describe(n))
			return "", false
		}
		return n.Value, true
	}
	if n.Kind != yaml.SequenceNode {
		return scalar(n)
	}
	var b strings.Builder
	for i, c := range n.Content {
		v, ok := scalar(c)
		if !ok {
			return "", false
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(v)
	}
	return b.String(), true
}

// ModuleRoot returns the root of the module dir is in (the directory
// holding go.mod), where Find stops, or "" when there is none.
func ModuleRoot(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	return moduleRoot(dir)
}

var roots sync.Map // absolute directory -> module root ("" when none)

func moduleRoot(dir string) string {
	if r, ok := roots.Load(dir); ok {
		return r.(string)
	}
	root := ""
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
		root = dir
	} else if parent := filepath.Dir(dir); parent != dir {
		root = moduleRoot(parent)
	}
	roots.Store(dir, root)
	return root
}
