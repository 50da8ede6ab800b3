package catalog

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite schemas/durable.schema.json")

// publishedSchema is the committed catalog schema, relative to this package.
var publishedSchema = filepath.Join("..", "..", "schemas", "durable.schema.json")

func TestPublishedSchemaIsUpToDate(t *testing.T) {
	want, err := ConfigSchema()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(publishedSchema, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(publishedSchema)
	if err != nil {
		t.Fatalf("%v; run: go test ./codegen/catalog -run TestPublishedSchemaIsUpToDate -update", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: the config types changed; run: go test ./codegen/catalog -run TestPublishedSchemaIsUpToDate -update", publishedSchema)
	}
}

// TestPublishedSchemaAgreesWithParse checks the published schema accepts
// catalogs Parse accepts and rejects some that Parse rejects, as an editor
// would see them.
func TestPublishedSchemaAgreesWithParse(t *testing.T) {
	data, err := os.ReadFile(publishedSchema)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		yaml  string
		valid bool
	}{
		{"full", validCatalog, true},
		{"minimal", "version: \"1\"\noutput: {schemas: s}\n", true},
		{"unknown key", "version: \"1\"\noutput: {schemas: s}\nlnt: {}\n", false},
		{"wrong version", "version: \"2\"\noutput: {schemas: s}\n", false},
		{"no output", "version: \"1\"\noutput: {}\n", false},
		{"go without package", "version: \"1\"\noutput: {go: e/e.go}\n", false},
		{"bad event name", "version: \"1\"\noutput: {schemas: s}\nevents: [{name: Order, v: \"1\"}]\n", false},
		{"field without type", "version: \"1\"\noutput: {schemas: s}\nevents: [{name: a/b.c, v: \"1\", fields: {x: {required: true}}}]\n", false},
		{"unknown field key", "version: \"1\"\noutput: {schemas: s}\ntypes: {T: {x: {type: string, sensitve: true}}}\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, perr := Parse("durable.yaml", []byte(tt.yaml))
			if (perr == nil) != tt.valid {
				t.Fatalf("Parse error = %v, want valid=%v", perr, tt.valid)
			}
			var v any
			if err := yaml.Unmarshal([]byte(tt.yaml), &v); err != nil {
				t.Fatal(err)
			}
			js, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
			if err != nil {
				t.Fatal(err)
			}
			err = sch.Validate(inst)
			if (err == nil) != tt.valid {
				t.Errorf("schema validation error = %v, want valid=%v", err, tt.valid)
			}
		})
	}
}

const validCatalog = `# yaml-language-server: $schema=../schemas/durable.schema.json
version: "1"
package: events
output: {go: internal/events/events_gen.go, schemas: schemas/events, registry: internal/registry/registry_gen.go}
schema_base_url: https://schemas.example.com/events/
types:
  LineItem: {sku: {type: string, required: true}, quantity: {type: integer, minimum: 1, required: true}}
events:
  - name: shop/order.created
    v: "2026-01-15.1"
    description: An order was placed.
    fields:
      order_id: {type: string, format: uuid, required: true}
      items:    {type: "[]LineItem", required: true}
      card_last4: {type: string, sensitive: true}
      total: {type: number, minimum: 0, default: 0}
      shipping: {type: object, fields: {city: {type: string, enum: [Paris, Lyon]}}}
`

func TestValidCatalogParses(t *testing.T) {
	cfg, err := Parse("durable.yaml", []byte(validCatalog))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join([]string{cfg.Version, cfg.Package, cfg.Output.Registry, cfg.SchemaBaseURL}, " "); got != "1 events internal/registry/registry_gen.go https://schemas.example.com/events/" {
		t.Errorf("decoded %q", got)
	}
}
