package compat

import (
	"strings"
	"testing"

	"github.com/durable-go/durable/codegen/catalog"
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
			got := Compare(parse(t, "old.yaml", tt.old), parse(t, "new.yaml", tt.new))
			lines := make([]string, len(got))
			for i, f := range got {
				lines[i] = f.String()
			}
			if strings.Join(lines, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("new catalog:\n%s\nfindings:\n%s\nwant:\n%s", tt.new, strings.Join(lines, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
