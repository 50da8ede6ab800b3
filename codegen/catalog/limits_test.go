package catalog

import (
	"fmt"
	"strings"
	"testing"
)

// laughs is a catalog whose default expands through levels of aliases, each
// listing the one before ten times: 10^levels values.
func laughs(levels int) string {
	var b strings.Builder
	b.WriteString(header + "types:\n  T:\n    x:\n      type: object\n      default:\n        l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < levels; i++ {
		fmt.Fprintf(&b, "        l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	return b.String()
}

// nestedFields is a type whose fields nest objects depth levels deep
// (the type itself is level 1).
func nestedFields(depth int) string {
	var b strings.Builder
	b.WriteString(header + "types:\n  T:\n")
	indent := "    "
	for i := 1; i < depth; i++ {
		fmt.Fprintf(&b, "%sf:\n%s  type: object\n%s  fields:\n", indent, indent, indent)
		indent += "    "
	}
	fmt.Fprintf(&b, "%sleaf: {type: string}\n", indent)
	return b.String()
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		// want is the one error expected, or "" for a valid catalog.
		want string
	}{
		{name: "aliases within budget", yaml: laughs(3)},
		{
			name: "alias expansion over budget",
			yaml: laughs(7),
			want: `durable.yaml:12:53: the alias *l2 expands past the budget of 10000 nodes reached through aliases (the larger of 10000 and 4× the document's 106 nodes); use fewer nested aliases`,
		},
		{
			name: "alias inside its own anchor",
			yaml: header + "types:\n  T:\n    x:\n      type: object\n      default: &a {b: *a}\n",
			want: `durable.yaml:8:23: the alias *a refers to a value that contains it (anchor &a at 8:16); a catalog cannot be recursive`,
		},
		{
			name: "alias inside a value its anchor holds",
			yaml: header + "types:\n  T:\n    x:\n      type: object\n      default: &a {b: &b [*a]}\n      description: *b\n",
			want: `durable.yaml:8:27: the alias *a refers to a value that contains it (anchor &a at 8:16); a catalog cannot be recursive`,
		},
		{name: "objects nested to the limit", yaml: nestedFields(MaxNesting)},
		{
			name: "objects nested past the limit",
			yaml: nestedFields(MaxNesting + 1),
			want: fmt.Sprintf(`durable.yaml:%d:%d: types.T%s: objects nested more than 32 levels deep`, 6+3*MaxNesting, 4*MaxNesting+5, strings.Repeat(".f.fields", MaxNesting)),
		},
		{
			name: "objects nested 3000 deep",
			yaml: nestedFields(3000),
			want: fmt.Sprintf(`durable.yaml:%d:%d: types.T%s: objects nested more than 32 levels deep`, 6+3*MaxNesting, 4*MaxNesting+5, strings.Repeat(".f.fields", MaxNesting)),
		},
		{
			name: "lists count as levels",
			yaml: header + "types:\n  T:\n    f:\n      type: \"" + strings.Repeat("[]", 30) + "object\"\n      fields: {g: {type: \"" + strings.Repeat("[]", 2) + "string\"}}\n",
			want: `durable.yaml:8:26: types.T.f.g: nested 34 levels deep (objects, lists and maps); at most 32 are allowed`,
		},
		{name: "lists to the limit", yaml: header + "types:\n  T:\n    f: {type: \"" + strings.Repeat("map[string][]", 15) + "[]string\"}\n"},
		{
			name: "type with too many []s",
			yaml: header + "types:\n  T:\n    f: {type: \"" + strings.Repeat("[]", 100000) + "string\"}\n",
			want: `durable.yaml:6:15: types.T.f: type "[][][][][][][][][][][][][][][][][][][][][][][][][][][][][][][][]"… (200006 bytes): more than 32 nested []s and map[string]s`,
		},
		{
			name: "default nested too deep",
			yaml: header + "types:\n  T:\n    f: {type: object, default: " + strings.Repeat("{a: ", 40) + "x" + strings.Repeat("}", 40) + "}\n",
			want: `durable.yaml:6:160: types.T.f.default` + strings.Repeat(".a", 32) + `: value nested more than 32 levels deep`,
		},
		{
			name: "NUL in a description",
			yaml: header + "events:\n  - {name: a/b.c, v: \"1\", description: \"a\\0b\", fields: {x: {type: string, description: \"\\uFEFF\"}}}\n",
			want: "durable.yaml:5:40: events[0].description: contains the character U+0000; use printable text (tabs and newlines are fine)\n" +
				"durable.yaml:5:88: events[0].fields.x.description: contains the character U+FEFF; use printable text (tabs and newlines are fine)",
		},
		{
			name: "empty required strings",
			yaml: "version: \"\"\npackage: events\noutput: {go: e/e_gen.go}\nevents:\n  - {name: \"\", v: \"\", fields: {x: {type: \"\"}}}\n",
			want: "durable.yaml:1:10: version must not be empty\n" +
				"durable.yaml:5:12: events[0]: name must not be empty\n" +
				"durable.yaml:5:19: events[0]: v must not be empty\n" +
				"durable.yaml:5:42: events[0].fields.x: type must not be empty",
		},
		{
			name: "huge key and values are quoted in part",
			yaml: header + "events:\n  - name: a/b.c\n    v: \"" + strings.Repeat("é", 50000) + "\"\n    fields:\n      ? " + strings.Repeat("k", 100000) + "\n      : {type: string, enum: [" + strings.Repeat("x", 100000) + ", " + strings.Repeat("x", 100000) + "], typo: 1}\n",
			want: `durable.yaml:6:8: events[0]: v "` + strings.Repeat("é", 32) + `"… (100000 bytes) must be letters, digits, '.', '_', '+' or '-', such as 2026-01-15.1` + "\n" +
				`durable.yaml:9:100033: events[0].fields.` + strings.Repeat("k", 64) + `…: enum value ` + strings.Repeat("x", 64) + `… is listed twice (first at 9:31)` + "\n" +
				`durable.yaml:9:200036: events[0].fields.` + strings.Repeat("k", 64) + `…: unknown key "typo" (known keys: default, description, enum, fields, format, maximum, minimum, required, sensitive, type)`,
		},
		{name: "tabs and newlines in a description", yaml: header + "events:\n  - {name: a/b.c, v: \"1\", description: \"a\\tb\\nc \\u2028\"}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("durable.yaml", []byte(tt.yaml))
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
