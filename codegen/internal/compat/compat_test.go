package compat

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/durable-go/durable/codegen/catalog"
	"github.com/durable-go/durable/codegen/internal/schemagen"
)

// event is a catalog with one event, shop/order.created, of version v and
// the given fields (a YAML flow mapping's content) and named types.
func event(v, fields, types string) string {
	s := "version: \"1\"\noutput: {schemas: s}\n"
	if types != "" {
		s += "types: {" + types + "}\n"
	}
	return s + "events:\n  - name: shop/order.created\n    v: \"" + v + "\"\n    fields: {" + fields + "}\n"
}

func parse(t *testing.T, file, yaml string) *catalog.Config {
	t.Helper()
	cfg, err := catalog.Parse(file, []byte(yaml))
	if err != nil {
		t.Fatalf("%s:\n%s\n%v", file, yaml, err)
	}
	return cfg
}

// Each position below is in the new catalog: line 4 (or 5 with types) holds
// the fields, so a column names the key that changed.
func TestCompare(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     []string
	}{
		{
			name: "identical",
			old:  event("1", "a: {type: string, required: true}", ""),
			new:  event("1", "a: {type: string, required: true}", ""),
		},
		{
			name: "descriptions and field order do not matter",
			old:  event("1", "a: {type: string}, b: {type: integer}", ""),
			new:  event("1", "b: {type: integer, description: B.}, a: {type: string, description: A.}", ""),
		},
		{
			name: "field removed",
			old:  event("1", "a: {type: string}, b: {type: integer}", ""),
			new:  event("1", "a: {type: string}", ""),
			want: []string{`new.yaml:6:13: shop/order.created: b: field removed (breaks producers and consumers; v is still "1": declare a new v)`},
		},
		{
			name: "field removed, v bumped",
			old:  event("1", "a: {type: string}, b: {type: integer}", ""),
			new:  event("2", "a: {type: string}", ""),
			want: []string{`new.yaml:6:13: shop/order.created: b: field removed (breaks producers and consumers; allowed by the new v "2", was "1")`},
		},
		{
			name: "optional field added",
			old:  event("1", "a: {type: string}", ""),
			new:  event("1", "a: {type: string}, b: {type: integer}", ""),
			want: []string{`new.yaml:6:33: shop/order.created: b: optional field added (compatible)`},
		},
		{
			name: "required field added",
			old:  event("1", "a: {type: string}", ""),
			new:  event("1", "a: {type: string}, b: {type: integer, required: true}", ""),
			want: []string{`new.yaml:6:33: shop/order.created: b: field added as required (breaks producers; v is still "1": declare a new v)`},
		},
		{
			name: "field made required",
			old:  event("1", "a: {type: string}", ""),
			new:  event("1", "a: {type: string, required: true}", ""),
			want: []string{`new.yaml:6:42: shop/order.created: a: field made required (breaks producers; v is still "1": declare a new v)`},
		},
		{
			name: "field no longer required",
			old:  event("1", "a: {type: string, required: true}", ""),
			new:  event("1", "a: {type: string}", ""),
			want: []string{`new.yaml:6:17: shop/order.created: a: field no longer required (breaks consumers; v is still "1": declare a new v)`},
		},
		{
			name: "type changed",
			old:  event("1", "a: {type: string}", ""),
			new:  event("1", "a: {type: boolean}", ""),
			want: []string{`new.yaml:6:24: shop/order.created: a: type changed from string to boolean (breaks producers and consumers; v is still "1": declare a new v)`},
		},
		{
			name: "type narrowed",
			old:  event("1", "a: {type: number}", ""),
			new:  event("1", "a: {type: integer}", ""),
			want: []string{`new.yaml:6:24: shop/order.created: a: type narrowed from number to integer (breaks producers; v is still "1": declare a new v)`},
		},
		{
			name: "integer widened to number",
			old:  event("1", "a: {type: integer}", ""),
			new:  event("1", "a: {type: number}", ""),
			want: []string{`new.yaml:6:24: shop/order.created: a: type widened from integer to number: consumers of the previous version decode an integer (breaks consumers; v is still "1": declare a new v)`},
		},
		{
			name: "list element changed",
			old:  event("1", "a: {type: \"[]string\"}", ""),
			new:  event("1", "a: {type: \"[]integer\"}", ""),
			want: []string{`new.yaml:6:24: shop/order.created: a[]: type changed from string to integer (breaks producers and consumers; v is still "1": declare a new v)`},
		},
		{
			name: "map made a list",
			old:  event("1", "a: {type: \"map[string]string\"}", ""),
			new:  event("1", "a: {type: \"[]string\"}", ""),
			want: []string{`new.yaml:6:24: shop/order.created: a: type changed from map[string]string to []string (breaks producers and consumers; v is still "1": declare a new v)`},
		},
		{
			name: "enum value removed, another added",
			old:  event("1", "c: {type: string, enum: [EUR, USD]}", ""),
			new:  event("1", "c: {type: string, enum: [EUR, GBP]}", ""),
			want: []string{
				`new.yaml:6:38: shop/order.created: c: enum value "USD" removed (breaks producers; v is still "1": declare a new v)`,
				`new.yaml:6:44: shop/order.created: c: enum value "GBP" added (compatible)`,
			},
		},
		{
			name: "enum added, then removed",
			old:  event("1", "c: {type: integer}, d: {type: integer, enum: [1, 2]}", ""),
			new:  event("1", "c: {type: integer, enum: [1, 2]}, d: {type: integer}", ""),
			want: []string{
				`new.yaml:6:39: shop/order.created: c: enum added: values outside [1, 2] are refused (breaks producers; v is still "1": declare a new v)`,
				`new.yaml:6:51: shop/order.created: d: enum removed (compatible)`,
			},
		},
		{
			name: "enum numbers compare by value",
			old:  event("1", "c: {type: number, enum: [1, 2.5]}", ""),
			new:  event("1", "c: {type: number, enum: [1.0, 2.5]}", ""),
		},
		{
			name: "format added, changed, removed",
			old:  event("1", "a: {type: string}, b: {type: string, format: uri}, c: {type: string, format: uuid}", ""),
			new:  event("1", "a: {type: string, format: email}, b: {type: string, format: uuid}, c: {type: string}", ""),
			want: []string{
				`new.yaml:6:40: shop/order.created: a: format email added (breaks producers; v is still "1": declare a new v)`,
				`new.yaml:6:74: shop/order.created: b: format changed from uri to uuid (breaks producers; v is still "1": declare a new v)`,
				`new.yaml:6:84: shop/order.created: c: format uuid removed (compatible)`,
			},
		},
		{
			name: "bounds tightened",
			old:  event("1", "n: {type: integer, minimum: 0, maximum: 9007199254740993}, m: {type: number}", ""),
			new:  event("1", "n: {type: integer, minimum: 1, maximum: 9007199254740992}, m: {type: number, maximum: 1e3}", ""),
			want: []string{
				`new.yaml:6:42: shop/order.created: n: minimum tightened from 0 to 1 (breaks producers; v is still "1": declare a new v)`,
				`new.yaml:6:54: shop/order.created: n: maximum tightened from 9007199254740993 to 9007199254740992 (breaks producers; v is still "1": declare a new v)`,
				`new.yaml:6:100: shop/order.created: m: maximum 1e3 added (breaks producers; v is still "1": declare a new v)`,
			},
		},
		{
			name: "bounds widened or removed",
			old:  event("1", "n: {type: integer, minimum: 1, maximum: 10}, m: {type: number, minimum: 0.5}", ""),
			new:  event("1", "n: {type: integer, minimum: 0, maximum: 11}, m: {type: number}", ""),
			want: []string{
				`new.yaml:6:42: shop/order.created: n: minimum widened from 1 to 0 (compatible)`,
				`new.yaml:6:54: shop/order.created: n: maximum widened from 10 to 11 (compatible)`,
				`new.yaml:6:62: shop/order.created: m: minimum 0.5 removed (compatible)`,
			},
		},
		{
			name: "the range of the type written out, or removed: no change",
			old:  event("1", "n: {type: integer}, m: {type: number, maximum: 1.7976931348623157e308}", ""),
			new:  event("1", "n: {type: integer, minimum: -9223372036854775808, maximum: 9223372036854775807}, m: {type: number}", ""),
		},
		{
			name: "bound added at the range of an integer, tightening the other",
			old:  event("1", "n: {type: integer}", ""),
			new:  event("1", "n: {type: integer, maximum: 9223372036854775807, minimum: -9223372036854775807}", ""),
			want: []string{`new.yaml:6:72: shop/order.created: n: minimum -9223372036854775807 added (breaks producers; v is still "1": declare a new v)`},
		},
		{
			name: "defaults",
			old:  event("1", "a: {type: string, default: x}, b: {type: string, default: y}", ""),
			new:  event("1", "a: {type: string, default: z}, b: {type: string}, c: {type: boolean, default: false}", ""),
			want: []string{
				`new.yaml:6:41: shop/order.created: a: default changed from "x" to "z": events of the previous version that omit the field meant "x" (breaks consumers; v is still "1": declare a new v)`,
				`new.yaml:6:48: shop/order.created: b: default "y" removed: events of the previous version that omit the field meant it (breaks consumers; v is still "1": declare a new v)`,
				`new.yaml:6:64: shop/order.created: c: optional field added (compatible)`,
			},
		},
		{
			name: "sensitive",
			old:  event("1", "a: {type: string, sensitive: true}, b: {type: string}", ""),
			new:  event("1", "a: {type: string}, b: {type: string, sensitive: true}", ""),
			want: []string{
				`new.yaml:6:17: shop/order.created: a: no longer sensitive: stored in the clear and shown in logs from now on (compatible)`,
				`new.yaml:6:62: shop/order.created: b: now sensitive (compatible)`,
			},
		},
		{
			name: "inline object: nested field removed and added",
			old:  event("1", "o: {type: \"[]object\", fields: {x: {type: string}, y: {type: integer}}}", ""),
			new:  event("1", "o: {type: \"[]object\", fields: {x: {type: string}, z: {type: integer, required: true}}}", ""),
			want: []string{
				`new.yaml:6:44: shop/order.created: o[].y: field removed (breaks producers and consumers; v is still "1": declare a new v)`,
				`new.yaml:6:64: shop/order.created: o[].z: field added as required (breaks producers; v is still "1": declare a new v)`,
			},
		},
		{
			name: "free-form object closed, and opened",
			old:  event("1", "a: {type: object}, b: {type: object, fields: {x: {type: string}}}", ""),
			new:  event("1", "a: {type: object, fields: {x: {type: string}}}, b: {type: object}", ""),
			want: []string{
				`new.yaml:6:24: shop/order.created: a: free-form object now has fields: other properties are refused (breaks producers; v is still "1": declare a new v)`,
				`new.yaml:6:72: shop/order.created: b: object with fields became free-form: its fields are no longer checked (breaks consumers; v is still "1": declare a new v)`,
			},
		},
		{
			name: "named type: change reported at the type, once per event",
			old:  event("1", "a: {type: Item}, b: {type: \"map[string]Item\"}", "Item: {sku: {type: string}}"),
			new:  event("1", "a: {type: Item}, b: {type: \"map[string]Item\"}", "Item: {sku: {type: integer}}"),
			want: []string{`new.yaml:3:28: shop/order.created: a.sku: type changed from string to integer (breaks producers and consumers; v is still "1": declare a new v)`},
		},
		{
			name: "named type renamed, or made inline, with the same fields",
			old:  event("1", "a: {type: Item}, b: {type: Item}", "Item: {sku: {type: string}}"),
			new:  event("1", "a: {type: Article}, b: {type: object, fields: {sku: {type: string}}}", "Article: {sku: {type: string}}"),
		},
		{
			name: "recursive named type",
			old:  event("1", "c: {type: Cat}", "Cat: {name: {type: string}, children: {type: \"[]Cat\"}}"),
			new:  event("1", "c: {type: Cat}", "Cat: {name: {type: string}, children: {type: \"[]Cat\"}, n: {type: integer, required: true}}"),
			want: []string{`new.yaml:3:64: shop/order.created: c.n: field added as required (breaks producers; v is still "1": declare a new v)`},
		},
		{
			name: "event added and removed",
			old:  "version: \"1\"\noutput: {schemas: s}\nevents:\n  - {name: a/b.c, v: \"1\"}\n",
			new:  "version: \"1\"\noutput: {schemas: s}\nevents:\n  - {name: a/b.d, v: \"1\"}\n",
			want: []string{
				`new.yaml:4:12: a/b.d: event added (compatible)`,
				`new.yaml:4:3: a/b.c: event removed from the catalog (compatible)`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oldCfg, newCfg := parse(t, "old.yaml", tt.old), parse(t, "new.yaml", tt.new)
			got := Compare(oldCfg, newCfg)
			lines := make([]string, len(got))
			breaksProducers := false
			for i, f := range got {
				lines[i] = f.String()
				breaksProducers = breaksProducers || f.Breaks&Producers != 0
			}
			if strings.Join(lines, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("new catalog:\n%s\nfindings:\n%s\nwant:\n%s", tt.new, strings.Join(lines, "\n"), strings.Join(tt.want, "\n"))
			}
			// The schemas agree: a payload the old one accepts and the new
			// one refuses exists exactly when a change breaks producers.
			witness, checked := refusedByNew(t, oldCfg, newCfg)
			switch {
			case checked == 0:
			case breaksProducers && witness == "":
				t.Errorf("a change breaks producers, but the new schema accepts all %d payloads the old one does", checked)
			case !breaksProducers && witness != "":
				t.Errorf("no change breaks producers, but the new schema refuses %s, which the old one accepts", witness)
			}
		})
	}
}

// refusedByNew validates payloads derived from the old catalog's events
// (each field at its bounds, enum values, formats; optional fields present
// and absent) against the schemas generated from both catalogs, and returns
// one that the old schema accepts and the new refuses, if any, and how many
// the old one accepts.
func refusedByNew(t *testing.T, old, new *catalog.Config) (witness string, checked int) {
	t.Helper()
	for i := range old.Events {
		oe := &old.Events[i]
		j := slices.IndexFunc(new.Events, func(e catalog.Event) bool { return e.Name == oe.Name })
		if j < 0 {
			continue
		}
		oldSchema, newSchema := compile(t, old, oe), compile(t, new, &new.Events[j])
		g := &sampler{cfg: old}
		for _, p := range g.object(oe.Fields, 0) {
			doc, err := jsonschema.UnmarshalJSON(strings.NewReader(p))
			if err != nil {
				t.Fatalf("payload %s: %v", p, err)
			}
			if oldSchema.Validate(doc) != nil {
				t.Fatalf("the old schema refuses the sample %s", p)
			}
			checked++
			if newSchema.Validate(doc) != nil && witness == "" {
				witness = p
			}
		}
	}
	return witness, checked
}

func compile(t *testing.T, cfg *catalog.Config, e *catalog.Event) *jsonschema.Schema {
	t.Helper()
	raw, err := schemagen.Event(cfg, e, "test")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("file:///s.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("file:///s.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sampler derives valid JSON values (as text) from catalog fields.
type sampler struct{ cfg *catalog.Config }

// object returns the object with the required fields only, with every
// field, and with every field and one of them at each of its samples.
func (g *sampler) object(fs catalog.Fields, depth int) []string {
	first := map[string]string{}
	each := map[string][]string{}
	for i := range fs {
		f := &fs[i]
		each[f.Name] = g.field(f, depth)
		first[f.Name] = each[f.Name][0]
	}
	render := func(with map[string]string, required bool) string {
		var parts []string
		for _, f := range fs {
			if v, ok := with[f.Name]; ok && (!required || f.Required) {
				parts = append(parts, strconv.Quote(f.Name)+":"+v)
			}
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	out := []string{render(first, true), render(first, false)}
	if depth >= 2 {
		return out
	}
	for _, f := range fs {
		for _, v := range each[f.Name][1:] {
			with := maps.Clone(first)
			with[f.Name] = v
			out = append(out, render(with, false))
		}
	}
	return out
}

func (g *sampler) field(f *catalog.Field, depth int) []string {
	if len(f.Enum) > 0 {
		var out []string
		for _, v := range f.Enum {
			b, _ := json.Marshal(v.V)
			out = append(out, string(b))
		}
		return out
	}
	return g.typ(f.T, f, depth)
}

// typ lists values of type t; f, for the bounds and format of a scalar.
func (g *sampler) typ(t *catalog.TypeExpr, f *catalog.Field, depth int) []string {
	bounded := func(mid string, min, max string) []string {
		out := []string{mid}
		if f.Minimum != nil {
			out[0], min = string(f.Minimum.JSON), string(f.Minimum.JSON)
		}
		if f.Maximum != nil {
			max = string(f.Maximum.JSON)
		}
		return append(out, min, max)
	}
	switch t.Kind {
	case catalog.KindString:
		if v, ok := formatSamples[f.Format]; ok {
			return []string{strconv.Quote(v)}
		}
		return []string{`"text"`}
	case catalog.KindTime:
		return []string{`"2026-01-15T10:00:00Z"`}
	case catalog.KindInteger:
		return bounded("7", "-9223372036854775808", "9223372036854775807")
	case catalog.KindNumber:
		return bounded("2.5", "-1e300", "1e300")
	case catalog.KindBoolean:
		return []string{"true", "false"}
	case catalog.KindArray, catalog.KindMap:
		var out []string
		for _, v := range g.typ(t.Elem, f, depth+1) {
			if t.Kind == catalog.KindArray {
				out = append(out, "["+v+"]")
			} else {
				out = append(out, `{"k":`+v+"}")
			}
		}
		return out
	case catalog.KindObject:
		if len(t.Fields) == 0 {
			return []string{`{"k":"v"}`}
		}
		return g.object(t.Fields, depth+1)
	case catalog.KindNamed:
		if depth >= 3 {
			return []string{"{" + requiredOnly(g.cfg.TypeDef(t.Name).Fields) + "}"}
		}
		return g.object(g.cfg.TypeDef(t.Name).Fields, depth+1)
	}
	return []string{"null"}
}

// requiredOnly is an object with only the required fields, for recursive
// types at the depth limit; it fails the test's premise (a valid sample)
// when one of them is an object, which no case here needs.
func requiredOnly(fs catalog.Fields) string {
	var parts []string
	for _, f := range fs {
		if f.Required {
			parts = append(parts, strconv.Quote(f.Name)+`:"text"`)
		}
	}
	return strings.Join(parts, ",")
}

// formatSamples are valid values of the formats the cases use.
var formatSamples = map[string]string{
	"uri": "https://example.com/a", "uuid": "123e4567-e89b-12d3-a456-426614174000", "email": "a@example.com",
}
