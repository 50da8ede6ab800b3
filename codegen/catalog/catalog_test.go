package catalog

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

const header = "version: \"1\"\npackage: events\noutput: {go: events/events_gen.go, schemas: schemas}\n"

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{
			name: "empty",
			yaml: "",
			want: []string{"durable.yaml:1:1: the catalog is empty; it needs at least version and output"},
		},
		{
			name: "not a mapping",
			yaml: "- a\n",
			want: []string{"durable.yaml:1:1: the catalog must be a mapping with version, package, output, types and events; got a list"},
		},
		{
			name: "invalid yaml",
			yaml: "version: \"1\"\n  bad: [\n",
			want: []string{"durable.yaml:1:1: invalid YAML: did not find expected key"},
		},
		{
			name: "two documents",
			yaml: header + "---\nversion: \"1\"\n",
			want: []string{"durable.yaml:4:1: a catalog holds one YAML document; remove the second one"},
		},
		{
			name: "missing required keys",
			yaml: "package: events\n",
			want: []string{
				`durable.yaml:1:1: missing required key "version"`,
				`durable.yaml:1:1: missing required key "output"`,
			},
		},
		{
			name: "typescript: unknown key, absolute path, not .d.ts",
			yaml: "version: \"1\"\noutput: {schemas: s}\ntypescript: {output: /web/events.ts, modle: x}\n",
			want: []string{
				`durable.yaml:3:22: typescript.output: "/web/events.ts" must be relative to the directory of the catalog`,
				`durable.yaml:3:22: typescript.output: "/web/events.ts" must be a .d.ts file`,
				`durable.yaml:3:38: typescript: unknown key "modle" (known keys: output)`,
			},
		},
		{
			name: "typescript: missing output",
			yaml: "version: \"1\"\noutput: {schemas: s}\ntypescript: {}\n",
			want: []string{
				`durable.yaml:3:13: typescript: missing required key "output"`,
			},
		},
		{
			name: "typescript: names the declarations use",
			yaml: "version: \"1\"\noutput: {schemas: s}\ntypescript: {output: e.d.ts}\ntypes:\n  Record: {a: {type: string}}\n  Event: {name: {type: object, fields: {x: {type: string}}}}\n",
			want: []string{
				`durable.yaml:5:3: type Record gets the name Record, which the TypeScript declarations declare or use themselves; rename it`,
				`durable.yaml:6:11: the object of field Event.name gets the name EventName, which the TypeScript declarations declare or use themselves; rename it`,
			},
		},
		{
			name: "wrong version and unknown top-level key",
			yaml: "version: 1\npackage: events\noutput: {schemas: s}\nlnt: {}\n",
			want: []string{
				`durable.yaml:1:10: version: want a string, got the integer 1; quote it: "1"`,
				`durable.yaml:4:1: unknown key "lnt" (known keys: events, lint, output, package, schema_base_url, types, typescript, version)`,
			},
		},
		{
			name: "unsupported version",
			yaml: "version: \"2\"\noutput: {schemas: s}\n",
			want: []string{`durable.yaml:1:10: version: unsupported catalog version "2"; this durable reads version "1"`},
		},
		{
			name: "outputs",
			yaml: "version: \"1\"\npackage: main\noutput: {go: /abs/e.go, registry: reg.txt}\n",
			want: []string{
				`durable.yaml:2:10: package: events cannot live in package main, which cannot be imported`,
				`durable.yaml:3:14: output.go: "/abs/e.go" must be relative to the directory of the catalog`,
				`durable.yaml:3:35: output.registry: "reg.txt" must be a .go file`,
				`durable.yaml:3:35: output.registry: the directory of "reg.txt" gives the package name "", which is not an importable Go package name`,
			},
		},
		{
			name: "no output",
			yaml: "version: \"1\"\noutput: {}\n",
			want: []string{`durable.yaml:2:9: output: set at least one of go, schemas and registry`},
		},
		{
			name: "package required with go",
			yaml: "version: \"1\"\noutput: {go: e/e.go}\n",
			want: []string{`durable.yaml:1:1: missing required key "package" (the Go package name of e/e.go)`},
		},
		{
			name: "duplicate keys",
			yaml: header + "events:\n  - name: a/b.c\n    v: \"1\"\n    v: \"2\"\n",
			want: []string{`durable.yaml:7:5: events[0]: duplicate key "v" (first at 6:5)`},
		},
		{
			name: "event names and duplicates",
			yaml: header + `events:
  - name: shop/order.created
    v: "1"
  - name: Shop/Order
    v: "1"
  - name: shop/order.created
    v: "1"
  - name: durable/function.failed
    v: "1"
  - {name: shop/x.y, v: "bad version"}
`,
			want: []string{
				`durable.yaml:7:11: events[1]: event name "Shop/Order" is not domain/noun.verb (lowercase, such as shop/order.created)`,
				`durable.yaml:9:11: events[2]: duplicate event "shop/order.created" (first at 5:11)`,
				`durable.yaml:11:11: events[3]: event name "durable/function.failed": the durable/ domain is reserved for the engine's own events`,
				`durable.yaml:13:25: events[4]: v "bad version" must be letters, digits, '.', '_', '+' or '-', such as 2026-01-15.1`,
			},
		},
		{
			name: "event keys",
			yaml: header + "events:\n  - name: a/b.c\n    nmae: x\n    fields: [a]\n",
			want: []string{
				`durable.yaml:5:5: events[0]: missing required key "v"`,
				`durable.yaml:6:5: events[0]: unknown key "nmae" (known keys: description, fields, go_name, name, v)`,
				`durable.yaml:7:13: events[0].fields: want a mapping, got a list`,
			},
		},
		{
			name: "field types",
			yaml: header + `types:
  Item: {sku: {type: string}}
events:
  - name: a/b.c
    v: "1"
    fields:
      a: {type: strin}
      b: {type: "[]Itme"}
      c: {type: "map[int]string"}
      d: {required: true}
      e: {type: string, required: "yes"}
      f: {type: 3}
`,
			want: []string{
				`durable.yaml:10:17: events[0].fields.a: unknown type "strin" (builtin: string, integer, number, boolean, time, object; declared: Item)`,
				`durable.yaml:11:17: events[0].fields.b: unknown type "Itme" (builtin: string, integer, number, boolean, time, object; declared: Item)`,
				`durable.yaml:12:17: events[0].fields.c: type "map[int]string": map keys must be string, not "int"`,
				`durable.yaml:13:10: events[0].fields.d: missing required key "type"`,
				`durable.yaml:14:35: events[0].fields.e.required: want true or false, got the string "yes"`,
				`durable.yaml:15:17: events[0].fields.f.type: want a string, got the integer 3; quote it: "3"`,
			},
		},
		{
			name: "constraints",
			yaml: header + `events:
  - name: a/b.c
    v: "1"
    fields:
      a: {type: string, format: uid, minimum: 1}
      b: {type: integer, minimum: 5, maximum: 2}
      c: {type: integer, minimum: 1.5, default: 0}
      d: {type: string, enum: [x, y, x], default: z}
      e: {type: "[]string", enum: [a]}
      f: {type: boolean, format: date}
      g: {type: time, default: yesterday}
      h: {type: number, enum: []}
`,
			want: []string{
				`durable.yaml:8:33: events[0].fields.a: unknown format "uid" (known: date, date-time, duration, email, hostname, ipv4, ipv6, iri, iri-reference, json-pointer, relative-json-pointer, time, uri, uri-reference, uri-template, uuid)`,
				`durable.yaml:8:47: events[0].fields.a: minimum applies to integer and number fields, not string`,
				`durable.yaml:9:47: events[0].fields.b: maximum 2 is less than minimum 5`,
				`durable.yaml:10:35: events[0].fields.c: minimum of an integer field must be an integer, not 1.5`,
				`durable.yaml:10:49: events[0].fields.c: default 0 is less than minimum 1.5`,
				`durable.yaml:11:38: events[0].fields.d: enum value x is listed twice (first at 11:32)`,
				`durable.yaml:11:51: events[0].fields.d: default z is not one of the enum values`,
				`durable.yaml:12:35: events[0].fields.e: enum applies to string, integer, number, boolean and time fields, not []string`,
				`durable.yaml:13:34: events[0].fields.f: format applies to string fields, not boolean`,
				`durable.yaml:14:32: events[0].fields.g: default "yesterday" is not an RFC 3339 time such as 2026-01-15T10:00:00Z`,
				`durable.yaml:15:31: events[0].fields.h: enum is empty; list the allowed values`,
			},
		},
		{
			name: "structured defaults",
			yaml: header + `types:
  Item: {sku: {type: string, required: true}, qty: {type: integer}}
events:
  - name: a/b.c
    v: "1"
    fields:
      a: {type: "[]Item", default: [{sku: x}, {qty: 1}]}
      b: {type: "map[string]integer", default: {x: 1, y: two}}
      c: {type: Item, default: {sku: x, color: red}}
`,
			want: []string{
				`durable.yaml:10:36: events[0].fields.a: default item 1: lacks required field "sku"`,
				`durable.yaml:11:48: events[0].fields.b: default key "y": "two" must be an integer, not a string`,
				`durable.yaml:12:32: events[0].fields.c: default has unknown field "color"`,
			},
		},
		{
			name: "names",
			yaml: header + `types:
  item: {a: {type: string}}
  Node: {next: {type: Node}, children: {type: "[]Node"}}
  EventType: {a: {type: string}}
events:
  - name: shop/order.created
    v: "1"
    fields:
      order_id: {type: string}
      orderId: {type: string}
      "bad-name": {type: string}
  - name: billing/order.created
    v: "1"
  - name: shop/item.added
    v: "1"
    go_name: lowercase
  - name: shop/all.events
    go_name: Events
    v: "1"
`,
			want: []string{
				`durable.yaml:5:3: types: type name "item" must be an exported Go name (^[A-Z][A-Za-z0-9]*$)`,
				`durable.yaml:6:3: types.Node contains itself through Node.next; use []Node or map[string]Node for a recursive type`,
				`durable.yaml:7:3: type EventType gets the Go name EventType, which the generated file declares itself; rename it (go_name for events)`,
				`durable.yaml:13:7: events[0].fields: fields "orderId" and "order_id" (at 12:7) both become the Go field OrderID`,
				`durable.yaml:14:7: events[0].fields: field name "bad-name" must match ^[A-Za-z_][A-Za-z0-9_]*$`,
				`durable.yaml:15:5: event "billing/order.created" and event "shop/order.created" (at 9:5) both get the Go name OrderCreated; rename one (go_name for events)`,
				`durable.yaml:15:5: the data of event "billing/order.created" and the data of event "shop/order.created" (at 9:5) both get the Go name OrderCreatedData; rename one (go_name for events)`,
				`durable.yaml:19:14: events[2]: go_name "lowercase" must be an exported Go name`,
				`durable.yaml:20:5: event "shop/all.events" gets the Go name Events, which the generated file declares itself; rename it (go_name for events)`,
			},
		},
		{
			name: "inline objects",
			yaml: header + `events:
  - name: a/b.c
    v: "1"
    fields:
      a: {type: string, fields: {x: {type: string}}}
      b: {type: object, fields: {x: {type: nope}}}
`,
			want: []string{
				`durable.yaml:8:33: events[0].fields.a: fields are only allowed with type object (or []object, map[string]object), not string`,
				`durable.yaml:9:44: events[0].fields.b.x: unknown type "nope" (builtin: string, integer, number, boolean, time, object; declared: none)`,
			},
		},
		{
			name: "numbers and formats",
			yaml: header + `events:
  - name: a/b.c
    v: "1"
    fields:
      a: {type: integer, maximum: 9223372036854775808}
      b: {type: integer, minimum: -1e19}
      c: {type: number, minimum: .inf}
      d: {type: number, maximum: 1e400}
      e: {type: string, format: idn-email}
      f: {type: string, format: idn-hostname}
      g: {type: string, format: regex}
      h: {type: integer, minimum: 9007199254740993, maximum: 9007199254740992}
`,
			want: []string{
				`durable.yaml:8:35: events[0].fields.a: maximum 9223372036854775808 is outside the range of an integer field (int64: -9223372036854775808 to 9223372036854775807)`,
				`durable.yaml:9:35: events[0].fields.b: minimum -1e19 is outside the range of an integer field (int64: -9223372036854775808 to 9223372036854775807)`,
				`durable.yaml:10:34: events[0].fields.c.minimum: ".inf" is not a JSON number (infinities and NaN have no JSON form)`,
				// YAML has no float beyond float64: 1e400 is a string.
				`durable.yaml:11:34: events[0].fields.d.maximum: want a number, got the string "1e400"`,
				`durable.yaml:12:33: events[0].fields.e: format idn-email is not supported: the runtime has no checker for internationalized email addresses; use email, or a plain string`,
				`durable.yaml:13:33: events[0].fields.f: format idn-hostname is not supported: the runtime has no checker for internationalized host names; use hostname, or a plain string`,
				`durable.yaml:14:33: events[0].fields.g: format regex is not supported: the runtime checks Go's regexp syntax, not ECMA-262's as JSON Schema requires; use a plain string`,
				`durable.yaml:15:62: events[0].fields.h: maximum 9007199254740992 is less than minimum 9007199254740993`,
			},
		},
		{
			name: "merge keys",
			yaml: header + `events:
  - name: a/b.c
    v: "1"
    fields:
      a: &base {type: integer, minimum: 1}
      b: {<<: *base, typo: 1}
      c: {<<: [*base, 3]}
      d: {<<: *base, <<: {required: true}, type: string}
`,
			want: []string{
				// d's minimum comes from a's mapping, and is reported there.
				`durable.yaml:8:41: events[0].fields.d: minimum applies to integer and number fields, not string`,
				`durable.yaml:9:22: events[0].fields.b: unknown key "typo" (known keys: default, description, enum, fields, format, maximum, minimum, required, sensitive, type)`,
				`durable.yaml:10:23: events[0].fields.c: <<: want a mapping or a list of mappings to merge, got the integer 3`,
			},
		},
		{
			name: "schema base url",
			yaml: header + "schema_base_url: example.com/schemas\n",
			want: []string{`durable.yaml:4:18: schema_base_url: "example.com/schemas" is not an absolute URL ending in /`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("durable.yaml", []byte(tt.yaml))
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Parse error = %v, want an ErrorList", err)
			}
			got := strings.Split(list.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestParseValid(t *testing.T) {
	src := `# yaml-language-server: $schema=../schemas/durable.schema.json
version: "1"
package: events
output: {go: internal/events/events_gen.go, schemas: schemas/events, registry: internal/registry/registry_gen.go}
types:
  LineItem: {sku: {type: string, required: true}, quantity: {type: integer, minimum: 1, required: true}}
  Tree: {children: {type: "[]Tree"}, byName: {type: "map[string]Tree"}}
events:
  - name: shop/order.created
    v: 2026-01-15
    description: An order was placed.
    fields:
      order_id: {type: string, format: uuid, required: true}
      items:    {type: "[]LineItem", required: true}
      card_last4: {type: string, sensitive: true}
      placed_at: {type: time, default: "2026-01-15T10:00:00Z"}
      shipping:
        type: object
        fields:
          city: {type: string, enum: [Paris, Lyon], default: Paris}
      tags: {type: "map[string][]string"}
`
	cfg, err := Parse("durable.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Events[0].V != "2026-01-15" {
		t.Errorf("v = %q; an unquoted date must be read as the string written", cfg.Events[0].V)
	}
	var names []string
	for _, s := range cfg.Structs() {
		names = append(names, s.GoName)
	}
	if got, want := strings.Join(names, " "), "LineItem Tree OrderCreatedData OrderCreatedDataShipping"; got != want {
		t.Errorf("structs = %s, want %s", got, want)
	}
	f := cfg.Events[0].Fields
	for i, want := range []string{"string", "[]LineItem", "string", "time", "object", "map[string][]string"} {
		if got := f[i].T.String(); got != want {
			t.Errorf("field %s type = %s, want %s", f[i].Name, got, want)
		}
	}
	if p := f[0].NamePos; p != (Pos{Line: 13, Col: 7}) {
		t.Errorf("order_id at %v, want 13:7", p)
	}
}

func TestGoName(t *testing.T) {
	tests := map[string]string{
		"order_id":      "OrderID",
		"card_last4":    "CardLast4",
		"customerId":    "CustomerID",
		"order.created": "OrderCreated",
		"api_url":       "APIURL",
		"http-request":  "HTTPRequest",
		"_x":            "X",
		"sku":           "Sku",
	}
	for in, want := range tests {
		if got := GoName(in); got != want {
			t.Errorf("GoName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMergeKeys(t *testing.T) {
	cfg, err := Parse("durable.yaml", []byte(header+`types:
  Money: &money
    amount: &amount {type: integer, minimum: 0, required: true}
    currency: {type: string}
events:
  - name: a/b.c
    v: "1"
    fields:
      <<: *money
      total: {<<: *amount, description: Sum of the items.}
      currency: {type: string, required: true}
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range cfg.Events[0].Fields {
		got = append(got, fmt.Sprintf("%s:%s:%v:%v:%q", f.Name, f.Type, f.Required, f.Minimum != nil, f.Description))
	}
	want := []string{
		`amount:integer:true:true:""`,
		`total:integer:true:true:"Sum of the items."`,
		// Written here, so it wins over the merged currency.
		`currency:string:true:false:""`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("fields:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNumbersAsWritten(t *testing.T) {
	cfg, err := Parse("durable.yaml", []byte(header+`events:
  - name: a/b.c
    v: "1"
    fields:
      a: {type: integer, minimum: 9007199254740993}
      b: {type: integer, minimum: 0x1F}
      c: {type: number, minimum: -1e-400}
      d: {type: number, minimum: .5}
      e: {type: number, minimum: 1_000}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"9007199254740993", "31", "-1e-400", "0.5", "1000"}
	for i, f := range cfg.Events[0].Fields {
		if got := string(f.Minimum.JSON); got != want[i] {
			t.Errorf("%s: minimum %s written as %s, want %s", f.Name, f.Minimum.Text, got, want[i])
		}
	}
}
