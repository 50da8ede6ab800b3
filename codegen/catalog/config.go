package catalog

import (
	"encoding/json"
	"math"
	"math/big"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/invopop/jsonschema"
	"gopkg.in/yaml.v3"

	"github.com/durable-go/durable/analyzers/lintconfig"
)

// FormatVersion is the only catalog format version this package reads.
const FormatVersion = "1"

// Config is the content of durable.yaml.
//
// It is the one definition of the file format: the strict decoder reflects
// over its `yaml` tags (a `jsonschema:"required"` tag makes a key required)
// and ConfigSchema publishes it. A section added here (such as a future
// `lint:`) is decoded and published with no other change; its semantic
// checks go to validate.go.
type Config struct {
	Version string `yaml:"version" jsonschema:"required,enum=1" jsonschema_description:"Version of the catalog format. Always \"1\"."`
	Package string `yaml:"package" jsonschema:"pattern=^[a-z][a-z0-9_]*$" jsonschema_description:"Go package name of the generated events file (required with output.go)."`
	Output  Output `yaml:"output" jsonschema:"required" jsonschema_description:"Where generated files go, relative to the directory of this file."`
	// SchemaBaseURL prefixes the $id of every event schema:
	// <schema_base_url><domain>/<noun.verb>.json. Without it, $id is
	// urn:durable:event:<name>.
	SchemaBaseURL string          `yaml:"schema_base_url" jsonschema:"format=uri" jsonschema_description:"Absolute URL ending in / under which the event schemas are published; their $id is <schema_base_url><domain>/<noun.verb>.json. Without it, $id is urn:durable:event:<name>."`
	Types         Types           `yaml:"types" jsonschema_description:"Named object types that fields can use by name, as in []LineItem."`
	Events        []Event         `yaml:"events" jsonschema_description:"The events of the catalog."`
	TypeScript    TypeScript      `yaml:"typescript" jsonschema_description:"TypeScript declarations (.d.ts) of the event types, for services that send or receive the events from Node."`
	Lint          lintconfig.Lint `yaml:"lint" jsonschema_description:"Settings of durable lint: analyzers to run, severities, analyzer flags."`

	// File is the path the catalog was read from, as given to Load or Parse.
	File string `yaml:"-" json:"-"`
	Pos  Pos    `yaml:"-" json:"-"`
	// Keys holds the position of each key's value.
	Keys Positions `yaml:"-" json:"-"`

	// typeIndex maps a type name to its index in Types, so that resolving
	// the types of many fields stays linear; set by Parse.
	typeIndex map[string]int
}

// Output says where the generated files go. Paths are relative to the
// directory of the catalog file; at least one must be set. durable generate
// refuses a path that leads, through .. or symbolic links, out of the
// catalog's module (or its directory, outside a module).
type Output struct {
	Go       string `yaml:"go" jsonschema:"pattern=\\.go$" jsonschema_description:"Go file of the typed events, such as internal/events/events_gen.go."`
	Schemas  string `yaml:"schemas" jsonschema_description:"Directory of the JSON Schemas, one per event: <domain>/<noun.verb>.json."`
	Registry string `yaml:"registry" jsonschema:"pattern=\\.go$" jsonschema_description:"Go file listing every durable function of the module, such as internal/registry/registry_gen.go."`

	Pos  Pos       `yaml:"-" json:"-"`
	Keys Positions `yaml:"-" json:"-"`
}

// TypeScript configures the TypeScript declarations of the event types.
type TypeScript struct {
	Output string `yaml:"output" jsonschema:"required,pattern=\\.d\\.ts$" jsonschema_description:"The .d.ts file to write, relative to the directory of this file, such as web/src/events.d.ts."`

	Pos  Pos       `yaml:"-" json:"-"`
	Keys Positions `yaml:"-" json:"-"`
}

// Event is one event of the catalog.
type Event struct {
	Name        string `yaml:"name" jsonschema:"required,pattern=^[a-z][a-z0-9-]*/[a-z][a-z0-9_-]*(\\.[a-z][a-z0-9_-]*)+$" jsonschema_description:"domain/noun.verb: past tense for facts (shop/order.created), imperative for commands (mail/receipt.send)."`
	V           string `yaml:"v" jsonschema:"required" jsonschema_description:"Version of the event's schema, sent as \"v\" in the envelope, such as 2026-01-15.1."`
	Description string `yaml:"description" jsonschema_description:"What the event means; becomes the doc comment of the generated Go and the schema's description."`
	GoName      string `yaml:"go_name" jsonschema:"pattern=^[A-Z][A-Za-z0-9]*$" jsonschema_description:"Go name of the event (its data type adds Data); defaults to the noun.verb in CamelCase, such as OrderCreated."`
	Fields      Fields `yaml:"fields" jsonschema_description:"The fields of the event data, by JSON name."`

	Pos  Pos       `yaml:"-" json:"-"`
	Keys Positions `yaml:"-" json:"-"`
}

// Field is one field of an event's data, a named type or an inline object.
type Field struct {
	Type        string  `yaml:"type" jsonschema:"required,pattern=^(\\[\\]|map\\[string\\])*([a-z]+|[A-Z][A-Za-z0-9]*)$" jsonschema_description:"string, integer, number, boolean, time, object, a named type, []T or map[string]T."`
	Required    bool    `yaml:"required" jsonschema_description:"The field must be present."`
	Description string  `yaml:"description" jsonschema_description:"What the field holds; becomes its doc comment and schema description."`
	Enum        []Value `yaml:"enum" jsonschema_description:"The only values allowed (scalar types only)."`
	Format      string  `yaml:"format" jsonschema:"enum=date-time,enum=date,enum=time,enum=duration,enum=email,enum=hostname,enum=ipv4,enum=ipv6,enum=uri,enum=uri-reference,enum=iri,enum=iri-reference,enum=uri-template,enum=uuid,enum=json-pointer,enum=relative-json-pointer" jsonschema_description:"JSON Schema format of a string field."`
	Minimum     *Number `yaml:"minimum" jsonschema_description:"Smallest value of an integer or number field."`
	Maximum     *Number `yaml:"maximum" jsonschema_description:"Largest value of an integer or number field."`
	Default     *Value  `yaml:"default" jsonschema_description:"Value a consumer assumes when the field is absent."`
	Sensitive   bool    `yaml:"sensitive" jsonschema_description:"Personal or secret data: encrypted at rest, redacted in logs and UI."`
	Fields      Fields  `yaml:"fields" jsonschema_description:"Fields of an inline object (type: object); without them the object is free-form."`

	// Name is the field's JSON name (its key in the mapping).
	Name    string    `yaml:"-" json:"-"`
	NamePos Pos       `yaml:"-" json:"-"`
	Pos     Pos       `yaml:"-" json:"-"`
	Keys    Positions `yaml:"-" json:"-"`
	// T is the parsed Type, set by validation.
	T *TypeExpr `yaml:"-" json:"-"`
}

// Fields are the fields of an object, in file order. In YAML it is a
// mapping from JSON field name to Field.
type Fields []Field

// JSONSchema describes Fields as the mapping it is in YAML.
func (Fields) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		Type:                 "object",
		PropertyNames:        &jsonschema.Schema{Type: "string", Pattern: fieldNamePattern},
		AdditionalProperties: &jsonschema.Schema{Ref: "#/$defs/Field"},
	}
}

func (fs *Fields) decodeNode(d *decoder, n *yaml.Node, path string) {
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > MaxNesting {
		d.errorf(n, "%sobjects nested more than %d levels deep", prefix(path), MaxNesting)
		return
	}
	d.mapping(n, path, func(key, val *yaml.Node) {
		f := Field{Name: key.Value, NamePos: pos(key), Pos: pos(val)}
		d.decode(val, reflect.ValueOf(&f).Elem(), joinPath(path, key.Value))
		*fs = append(*fs, f)
	})
}

// TypeDef is a named object type declared under `types:`.
type TypeDef struct {
	Name   string
	Pos    Pos
	Fields Fields
}

// Types are the named types of a catalog, in file order. In YAML it is a
// mapping from type name to its fields.
type Types []TypeDef

// JSONSchema describes Types as the mapping it is in YAML.
func (Types) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		Type:                 "object",
		PropertyNames:        &jsonschema.Schema{Type: "string", Pattern: typeNamePattern},
		AdditionalProperties: orNull(&jsonschema.Schema{Ref: "#/$defs/Fields"}),
	}
}

func (ts *Types) decodeNode(d *decoder, n *yaml.Node, path string) {
	d.mapping(n, path, func(key, val *yaml.Node) {
		t := TypeDef{Name: key.Value, Pos: pos(key)}
		t.Fields.decodeNode(d, val, joinPath(path, key.Value))
		*ts = append(*ts, t)
	})
}

// Value is a YAML value of any type (enum items, defaults), with its
// position. V holds it as encoding/json would decode it: string, float64 or
// int64 numbers, bool, nil, []any, map[string]any.
type Value struct {
	V   any
	Pos Pos
	// Kind is the YAML kind: "string", "integer", "number", "boolean",
	// "null", "list" or "mapping".
	Kind string
}

// JSONSchema allows any value.
func (Value) JSONSchema() *jsonschema.Schema { return jsonschema.TrueSchema }

func (v *Value) decodeNode(d *decoder, n *yaml.Node, path string) {
	// A value's nesting is its own, not its field's.
	outer := d.depth
	d.depth = 0
	defer func() { d.depth = outer }()
	v.Pos = pos(n)
	v.Kind = kindName(n)
	v.V = d.anyValue(n, path)
}

// Number is a YAML integer or float, with its source text: schemas print
// it exactly as written (a float64 would turn 9007199254740993 into
// 9.007199254740992e+15, and -1e-400 into 0).
type Number struct {
	Text string
	// JSON is the number as JSON writes it: Text when that is JSON
	// already, else the exact value (YAML's 0x1F, 1_000, +5, .5).
	JSON json.Number
	// Rat is the exact value; Value the nearest float64.
	Rat   *big.Rat
	Value float64
	// Integer reports whether the YAML value was an integer.
	Integer bool
	Pos     Pos
}

// JSONSchema describes Number as a JSON number.
func (Number) JSONSchema() *jsonschema.Schema { return &jsonschema.Schema{Type: "number"} }

// jsonNumberRE is the grammar of a JSON number (RFC 8259, section 6).
var jsonNumberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

func (num *Number) decodeNode(d *decoder, n *yaml.Node, path string) {
	num.Pos = pos(n)
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		d.errorf(n, "%swant a number, got %s", prefix(path), describe(n))
		return
	}
	r, ok := exactNumber(n)
	if !ok {
		d.errorf(n, "%s%s is not a JSON number (infinities and NaN have no JSON form)", prefix(path), excerpt(n.Value))
		return
	}
	num.Text, num.Rat, num.Integer = n.Value, r, n.Tag == "!!int"
	num.Value, _ = r.Float64()
	switch {
	case jsonNumberRE.MatchString(n.Value):
		num.JSON = json.Number(n.Value)
	case r.IsInt():
		num.JSON = json.Number(r.Num().String())
	default:
		num.JSON = json.Number(strconv.FormatFloat(num.Value, 'g', -1, 64))
	}
}

// exactNumber is the exact value of a YAML integer or float scalar; false
// for infinities and NaN.
func exactNumber(n *yaml.Node) (*big.Rat, bool) {
	text := strings.ReplaceAll(n.Value, "_", "")
	if n.Tag == "!!int" {
		i, ok := new(big.Int).SetString(text, 0)
		if !ok {
			// YAML 1.1 forms (0o17 is 017 there) that big.Int reads otherwise.
			var v int64
			if n.Decode(&v) != nil {
				return nil, false
			}
			i = big.NewInt(v)
		}
		return new(big.Rat).SetInt(i), true
	}
	if r, ok := new(big.Rat).SetString(strings.TrimPrefix(text, "+")); ok {
		return r, true
	}
	var f float64
	if n.Decode(&f) != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, false
	}
	return new(big.Rat).SetFloat64(f), true
}

// Positions maps the keys of a YAML mapping to the positions of their
// values.
type Positions map[string]Pos

// Of is the position of key's value, or fallback when the key is absent.
func (p Positions) Of(key string, fallback Pos) Pos {
	if at, ok := p[key]; ok {
		return at
	}
	return fallback
}
