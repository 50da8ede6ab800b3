package catalog

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParseWide parses catalogs that are wide rather than deep: one
// enum of n values, and n named types each used by the next. Parse time
// should grow linearly with n.
func BenchmarkParseWide(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		var enum strings.Builder
		enum.WriteString(header + "events:\n  - name: a/b.c\n    v: \"1\"\n    fields:\n      kind:\n        type: string\n        enum:\n")
		for i := range n {
			fmt.Fprintf(&enum, "          - v%d\n", i)
		}
		var types strings.Builder
		types.WriteString(header + "types:\n")
		for i := range n {
			fmt.Fprintf(&types, "  T%d: {next: {type: \"[]T%d\"}}\n", i, (i+1)%n)
		}
		for _, c := range []struct{ name, yaml string }{{"enum", enum.String()}, {"types", types.String()}} {
			b.Run(fmt.Sprintf("%s-%d", c.name, n), func(b *testing.B) {
				for b.Loop() {
					if _, err := Parse("durable.yaml", []byte(c.yaml)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkParseHostile parses the hostile catalogs of issue 18: nested
// aliases (10^7 values once expanded; more than 60 s and 4.8 GB before the
// alias budget) and objects nested 3,000 deep. Both are refused.
func BenchmarkParseHostile(b *testing.B) {
	for _, c := range []struct{ name, yaml string }{{"aliases-7-levels", laughs(7)}, {"fields-3000-deep", nestedFields(3000)}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.yaml)))
			for b.Loop() {
				if _, err := Parse("durable.yaml", []byte(c.yaml)); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}
