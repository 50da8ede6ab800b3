package catalog

import (
	"bytes"
	"errors"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"

	"github.com/invopop/jsonschema"
	"gopkg.in/yaml.v3"
)

// Lint is the `lint:` section of durable.yaml, read by `durable lint`:
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
// Analyzer and flag names are checked by the linter, which knows them; this
// package checks the shape of the section and the severity levels.
type Lint struct {
	Enable   []string   `yaml:"enable" jsonschema_description:"Analyzers to run; when set, no other analyzer runs. Default: all of them (durable lint --list)."`
	Disable  []string   `yaml:"disable" jsonschema_description:"Analyzers not to run."`
	Severity Severities `yaml:"severity" jsonschema_description:"Severity of each analyzer's findings (error, warning or note), by analyzer name; the key default sets it for every analyzer not named. Findings of severity note do not make durable lint fail."`
	Settings Settings   `yaml:"settings" jsonschema_description:"Flags of each analyzer, by analyzer name then flag name, as listed by durable lint --list. A list value is joined with commas."`

	Pos  Pos       `yaml:"-" json:"-"`
	Keys Positions `yaml:"-" json:"-"`
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

const analyzerNamePattern = `^[a-z][a-z0-9_]*$`

var analyzerNameRE = regexp.MustCompile(analyzerNamePattern)

func (ss *Severities) decodeNode(d *decoder, n *yaml.Node, path string) {
	d.mapping(n, path, func(key, val *yaml.Node) {
		p := joinPath(path, key.Value)
		if !analyzerNameRE.MatchString(key.Value) {
			d.errorf(key, "%s: %q is not an analyzer name", path, key.Value)
			return
		}
		var level string
		d.decode(val, reflect.ValueOf(&level).Elem(), p)
		switch level {
		case SeverityError, SeverityWarning, SeverityNote:
		case "":
			return // wrong type, already reported
		default:
			d.errorf(val, "%s: unknown severity %q (want error, warning or note)", p, level)
			return
		}
		*ss = append(*ss, SeveritySetting{Analyzer: key.Value, Level: level, Pos: pos(key), LevelPos: pos(val)})
	})
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

func (s *Settings) decodeNode(d *decoder, n *yaml.Node, path string) {
	d.mapping(n, path, func(key, val *yaml.Node) {
		p := joinPath(path, key.Value)
		if !analyzerNameRE.MatchString(key.Value) {
			d.errorf(key, "%s: %q is not an analyzer name", path, key.Value)
			return
		}
		as := AnalyzerSettings{Analyzer: key.Value, Pos: pos(key)}
		d.mapping(val, p, func(fk, fv *yaml.Node) {
			v, ok := flagValue(d, fv, joinPath(p, fk.Value))
			if ok {
				as.Flags = append(as.Flags, FlagSetting{Name: fk.Value, Value: v, Pos: pos(fk), ValuePos: pos(fv)})
			}
		})
		*s = append(*s, as)
	})
}

// flagValue renders a scalar, or a list of scalars joined with commas, as
// the text a flag parses.
func flagValue(d *decoder, n *yaml.Node, path string) (string, bool) {
	n = resolve(n)
	scalar := func(n *yaml.Node) (string, bool) {
		n = resolve(n)
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			d.errorf(n, "%s: want a string, number or boolean, got %s", path, describe(n))
			return "", false
		}
		return n.Value, true
	}
	if n.Kind != yaml.SequenceNode {
		return scalar(n)
	}
	var b bytes.Buffer
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

func (l *Lint) decodeNode(d *decoder, n *yaml.Node, path string) {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // "lint:" with nothing under it
	}
	d.decodeStruct(n, reflect.ValueOf(l).Elem(), path)
	l.EnablePos = itemPositions(n, "enable")
	l.DisablePos = itemPositions(n, "disable")
	check := func(key string, names []string, at []Pos) {
		for i, name := range names {
			if !analyzerNameRE.MatchString(name) && i < len(at) {
				d.errorAt(at[i], "%s[%d]: %q is not an analyzer name", joinPath(path, key), i, name)
			}
		}
	}
	check("enable", l.Enable, l.EnablePos)
	check("disable", l.Disable, l.DisablePos)
}

// itemPositions returns the positions of the items of the list under key
// in mapping n.
func itemPositions(n *yaml.Node, key string) []Pos {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if resolve(n.Content[i]).Value != key {
			continue
		}
		list := resolve(n.Content[i+1])
		out := make([]Pos, len(list.Content))
		for j, c := range list.Content {
			out[j] = pos(c)
		}
		return out
	}
	return nil
}

// LoadLint reads the `lint:` section of the durable.yaml at path. It
// decodes that section only, strictly, so that linting does not depend on
// the rest of the catalog being valid (durable generate checks that); a
// file with no lint section gives an empty Lint. On failure the error is an
// ErrorList, or the error reading the file.
func LoadLint(path string) (*Lint, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseLint(path, data)
}

// ParseLint is LoadLint on the content of a file; file names it in errors.
func ParseLint(file string, data []byte) (*Lint, error) {
	d := &decoder{file: file}
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
		d.errorAt(Pos{Line: line, Col: 1}, "invalid YAML: %s", msg)
		return nil, d.errs.err()
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	root = resolve(root)
	l := &Lint{}
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "durable.yaml must be a mapping; got %s", describe(root))
		return nil, d.errs.err()
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if resolve(root.Content[i]).Value == "lint" {
			d.decode(root.Content[i+1], reflect.ValueOf(l).Elem(), "lint")
		}
	}
	if err := d.errs.err(); err != nil {
		return nil, err
	}
	return l, nil
}
