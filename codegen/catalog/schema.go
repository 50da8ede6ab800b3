package catalog

import (
	"reflect"

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
	out := &jsonschema.Schema{Type: "object", Required: []string{"go"}}
	s.If.Properties.Set("output", out)
	s.Then = &jsonschema.Schema{Type: "object", Required: []string{"package"}}
}

// JSONSchemaExtend requires at least one output.
func (Output) JSONSchemaExtend(s *jsonschema.Schema) {
	one := uint64(1)
	s.MinProperties = &one
}
