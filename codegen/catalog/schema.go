package catalog

import (
	"go/token"
	"reflect"
	"slices"
	"strings"

	"github.com/invopop/jsonschema"
	orderedmap "github.com/pb33f/ordered-map/v2"

	"github.com/durable-go/durable/codegen/internal/jsonfmt"
)

// SchemaID is the $id of the published catalog schema,
// schemas/durable.schema.json.
const SchemaID = "https://raw.githubusercontent.com/durable-go/durable/main/schemas/durable.schema.json"

// ConfigSchema returns the JSON Schema (draft 2020-12) of durable.yaml,
// derived from Config, indented, with a final newline. It is what
// schemas/durable.schema.json holds.
func ConfigSchema() ([]byte, error) {
	r := &jsonschema.Reflector{
		FieldNameTag:               "yaml",
		RequiredFromJSONSchemaTags: true,
		Anonymous:                  true,
	}
	s := r.ReflectFromType(reflect.TypeFor[Config]())
	s.ID = SchemaID
	s.Title = "durable catalog (durable.yaml)"
	s.Description = "Events, types and outputs of `durable generate`."
	// Field is reachable only through Fields, whose schema is written by
	// hand; reflect it into the same definitions.
	field := r.ReflectFromType(reflect.TypeFor[Field]())
	for name, def := range field.Definitions {
		if _, ok := s.Definitions[name]; !ok {
			s.Definitions[name] = def
		}
	}
	return jsonfmt.Marshal(s)
}

// JSONSchemaExtend adds to the schema of Config what struct tags cannot say:
// package is required when output.go is set.
func (Config) JSONSchemaExtend(s *jsonschema.Schema) {
	// Strict validators (ajv's strictRequired) want "type": "object" next
	// to every "required".
	s.If = &jsonschema.Schema{
		Type:       "object",
		Properties: orderedmap.New[string, *jsonschema.Schema](),
		Required:   []string{"output"},
	}
	// ajv's strictRequired wants each required key among the properties.
	out := &jsonschema.Schema{Type: "object", Properties: orderedmap.New[string, *jsonschema.Schema](), Required: []string{"go"}}
	out.Properties.Set("go", jsonschema.TrueSchema)
	s.If.Properties.Set("output", out)
	// With output.go, no event may take a Go name the generated file
	// declares itself.
	goName := orderedmap.New[string, *jsonschema.Schema]()
	goName.Set("go_name", &jsonschema.Schema{Type: "string", Not: &jsonschema.Schema{Enum: reservedGoNameList()}})
	events := orderedmap.New[string, *jsonschema.Schema]()
	events.Set("events", &jsonschema.Schema{AnyOf: []*jsonschema.Schema{
		{Type: "array", Items: &jsonschema.Schema{Type: "object", Properties: goName}},
		{Type: "null"},
	}})
	events.Set("package", jsonschema.TrueSchema)
	s.Then = &jsonschema.Schema{Type: "object", Required: []string{"package"}, Properties: events}
	if p, ok := s.Properties.Get("schema_base_url"); ok {
		p.Pattern = "/$"
	}
	if p, ok := s.Properties.Get("package"); ok {
		p.Pattern = packageRE.String()
		p.Not = &jsonschema.Schema{Enum: append([]any{"main"}, goKeywords()...)}
	}
	// Parse reads an empty section as none.
	for _, key := range []string{"events", "types"} {
		if p, ok := s.Properties.Get(key); ok {
			s.Properties.Set(key, orNull(p))
		}
	}
}

// absolutePathPattern matches the paths validate.go refuses as not
// relative: /x, \x and drive letters.
const absolutePathPattern = `^(/|\\|.:)`

// orNull allows null besides what s allows, keeping its description.
func orNull(s *jsonschema.Schema) *jsonschema.Schema {
	desc := s.Description
	s.Description = ""
	return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{s, {Type: "null"}}, Description: desc}
}

func goKeywords() []any {
	var out []any
	for tok := token.BREAK; tok <= token.VAR; tok++ {
		if tok.IsKeyword() {
			out = append(out, tok.String())
		}
	}
	return out
}

// JSONSchemaExtend requires at least one output, and relative paths of Go
// files that are not tests.
func (Output) JSONSchemaExtend(s *jsonschema.Schema) {
	one := uint64(1)
	s.MinProperties = &one
	for _, key := range []string{"go", "schemas", "registry"} {
		p, ok := s.Properties.Get(key)
		if !ok {
			continue
		}
		not := []*jsonschema.Schema{{Type: "string", Pattern: absolutePathPattern}}
		if key != "schemas" {
			not = append(not, &jsonschema.Schema{Type: "string", Pattern: `_test\.go$`})
		}
		p.Not = &jsonschema.Schema{AnyOf: not}
	}
}

// JSONSchemaExtend: the v pattern and the durable/ domain reserved.
func (Event) JSONSchemaExtend(s *jsonschema.Schema) {
	if p, ok := s.Properties.Get("v"); ok {
		p.Pattern = versionRE.String()
	}
	if p, ok := s.Properties.Get("name"); ok {
		p.Not = &jsonschema.Schema{Type: "string", Pattern: "^durable/"}
	}
	if p, ok := s.Properties.Get("fields"); ok {
		s.Properties.Set("fields", orNull(p))
	}
}

func reservedGoNameList() []any {
	var out []any
	for name := range reservedGoNames {
		out = append(out, name)
	}
	slices.SortFunc(out, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
	return out
}

// JSONSchemaExtend: enum lists at least one value; minimum and maximum only
// on integer and number fields, format only on strings, enum only on
// scalars.
func (Field) JSONSchemaExtend(s *jsonschema.Schema) {
	one := uint64(1)
	if p, ok := s.Properties.Get("enum"); ok {
		p.MinItems = &one
	}
	if p, ok := s.Properties.Get("fields"); ok {
		s.Properties.Set("fields", orNull(p))
	}
	only := func(types []any, keys ...string) *jsonschema.Schema {
		typ := orderedmap.New[string, *jsonschema.Schema]()
		typ.Set("type", &jsonschema.Schema{Type: "string", Not: &jsonschema.Schema{Enum: types}})
		forbid := orderedmap.New[string, *jsonschema.Schema]()
		for _, k := range keys {
			forbid.Set(k, jsonschema.FalseSchema)
		}
		return &jsonschema.Schema{
			If:   &jsonschema.Schema{Type: "object", Required: []string{"type"}, Properties: typ},
			Then: &jsonschema.Schema{Type: "object", Properties: forbid},
		}
	}
	s.AllOf = []*jsonschema.Schema{
		only([]any{"integer", "number"}, "minimum", "maximum"),
		only([]any{"string"}, "format"),
		only([]any{"string", "integer", "number", "boolean", "time"}, "enum"),
	}
}

// JSONSchemaExtend: a relative path.
func (TypeScript) JSONSchemaExtend(s *jsonschema.Schema) {
	if p, ok := s.Properties.Get("output"); ok {
		p.Not = &jsonschema.Schema{Type: "string", Pattern: absolutePathPattern}
	}
}
