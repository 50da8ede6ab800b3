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
	const h = "version: \"1\"\noutput: {schemas: s}\n"
	ev := func(fields string) string {
		return h + "events:\n  - name: a/b.c\n    v: \"1\"\n    fields: {" + fields + "}\n"
	}
	tests := []struct {
		name  string
		yaml  string
		valid bool
		// gap marks a catalog Parse rejects for a reason JSON Schema
		// cannot say (cross references, duplicates, Go name clashes):
		// the schema accepts it.
		gap bool
	}{
		{name: "full", yaml: validCatalog, valid: true},
		{name: "minimal", yaml: h, valid: true},
		{name: "unknown key", yaml: h + "lnt: {}\n"},
		{name: "wrong version", yaml: "version: \"2\"\noutput: {schemas: s}\n"},
		{name: "no output", yaml: "version: \"1\"\noutput: {}\n"},
		{name: "go without package", yaml: "version: \"1\"\noutput: {go: e/e.go}\n"},
		{name: "bad event name", yaml: h + "events: [{name: Order, v: \"1\"}]\n"},
		{name: "field without type", yaml: ev("x: {required: true}")},
		{name: "unknown field key", yaml: h + "types: {T: {x: {type: string, sensitve: true}}}\n"},
		{name: "v pattern", yaml: h + "events: [{name: a/b.c, v: \"1 0\"}]\n"},
		{name: "v fine", yaml: h + "events: [{name: a/b.c, v: 2026-01-15.1+x_y}]\n", valid: true},
		{name: "empty enum", yaml: ev("x: {type: string, enum: []}")},
		{name: "base url without slash", yaml: h + "schema_base_url: https://example.com/s\n"},
		{name: "base url with slash", yaml: h + "schema_base_url: https://example.com/s/\n", valid: true},
		{name: "absolute output", yaml: "version: \"1\"\noutput: {schemas: /tmp/s}\n"},
		{name: "backslash output", yaml: "version: \"1\"\noutput: {schemas: '\\\\s'}\n"},
		{name: "drive output", yaml: "version: \"1\"\npackage: e\noutput: {go: 'C:e.go'}\n"},
		{name: "test file output", yaml: "version: \"1\"\npackage: e\noutput: {go: e/e_test.go}\n"},
		{name: "registry test file", yaml: "version: \"1\"\noutput: {registry: r/r_test.go}\n"},
		{name: "reserved domain", yaml: h + "events: [{name: durable/run.failed, v: \"1\"}]\n"},
		{name: "package main", yaml: "version: \"1\"\npackage: main\noutput: {go: e/e.go}\n"},
		{name: "package keyword", yaml: "version: \"1\"\npackage: func\noutput: {go: e/e.go}\n"},
		{name: "go_name Events", yaml: "version: \"1\"\npackage: e\noutput: {go: e/e.go}\nevents: [{name: a/b.c, v: \"1\", go_name: Events}]\n"},
		{name: "minimum on string", yaml: ev("x: {type: string, minimum: 1}")},
		{name: "maximum on list", yaml: ev("x: {type: \"[]integer\", maximum: 1}")},
		{name: "minimum on number", yaml: ev("x: {type: number, minimum: 1}"), valid: true},
		{name: "format on integer", yaml: ev("x: {type: integer, format: uuid}")},
		{name: "format on list", yaml: ev("x: {type: \"[]string\", format: uuid}")},
		{name: "enum on object", yaml: ev("x: {type: object, enum: [a]}")},
		{name: "unsupported format", yaml: ev("x: {type: string, format: regex}")},
		{name: "null sections", yaml: h + "types:\nevents:\n", valid: true},
		{name: "null fields", yaml: h + "types: {T: }\nevents: [{name: a/b.c, v: \"1\", fields: }]\n", valid: true},
		{name: "null inline fields", yaml: ev("x: {type: object, fields: }"), valid: true},
		{name: "merge keys", yaml: ev("a: &a {type: integer, minimum: 1}, b: {<<: *a, required: true}"), valid: true},
		{name: "merge keys bring a bad key", yaml: ev("a: &a {type: integer, minimum: 1}, b: {<<: *a, type: string}")},
		{name: "go_name Events without output.go", yaml: h + "events: [{name: a/b.c, v: \"1\", go_name: Events}]\n", valid: true},
		{name: "type Events", yaml: "version: \"1\"\npackage: e\noutput: {go: e/e.go}\ntypes: {Events: {a: {type: string}}}\n", gap: true},
		{name: "unknown type", yaml: ev("x: {type: Nope}"), gap: true},
		{name: "duplicate event", yaml: h + "events: [{name: a/b.c, v: \"1\"}, {name: a/b.c, v: \"1\"}]\n", gap: true},
		{name: "enum value of another type", yaml: ev("x: {type: integer, enum: [a]}"), gap: true},
		{name: "typescript", yaml: h + "typescript: {output: web/events.d.ts}\n", valid: true},
		{name: "typescript unknown key", yaml: h + "typescript: {output: web/events.d.ts, module: x}\n"},
		{name: "typescript without output", yaml: h + "typescript: {}\n"},
		{name: "typescript absolute", yaml: h + "typescript: {output: /web/events.d.ts}\n"},
		{name: "typescript not .d.ts", yaml: h + "typescript: {output: web/events.ts}\n"},
		{name: "typescript null", yaml: h + "typescript:\n"},
		{name: "type named as a TypeScript declaration", yaml: h + "typescript: {output: e.d.ts}\ntypes: {EventName: {a: {type: string}}}\n", gap: true},
		{name: "integer bound beyond int64", yaml: ev("x: {type: integer, maximum: 9223372036854775808}"), gap: true},
	}
	// The catalogs on disk: golden and example.
	disk, err := filepath.Glob(filepath.Join("..", "testdata", "golden", "*", "durable.yaml"))
	if err != nil || len(disk) == 0 {
		t.Fatalf("no golden catalogs: %v", err)
	}
	for _, file := range append(disk, filepath.Join("..", "..", "examples", "shop", "durable.yaml")) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		tests = append(tests, struct {
			name  string
			yaml  string
			valid bool
			gap   bool
		}{name: filepath.ToSlash(file), yaml: string(data), valid: true})
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
			switch {
			case tt.gap && err != nil:
				t.Errorf("the schema now rejects this catalog (%v): it is no gap any more; drop gap", err)
			case !tt.gap && (err == nil) != tt.valid:
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
