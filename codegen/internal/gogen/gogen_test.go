package gogen

import (
	"go/parser"
	"go/token"
	"regexp"
	"strings"
	"testing"

	"github.com/durable-go/durable/codegen/catalog"
	"github.com/durable-go/durable/codegen/internal/registry"
)

var header = regexp.MustCompile(`^// Code generated .* DO NOT EDIT\.$`)

func TestRegistry(t *testing.T) {
	tests := []struct {
		name string
		fns  []registry.Function
		want []string
	}{
		{name: "empty", want: []string{"return []*runtime.Function{}"}},
		{
			name: "same package names and the registry's own package",
			fns: []registry.Function{
				{ID: "a", Var: "A", PkgPath: "m/x/billing", PkgName: "billing"},
				{ID: "b", Var: "B", PkgPath: "m/y/billing", PkgName: "billing"},
				{ID: "c", Var: "C", PkgPath: "m/reg", PkgName: "reg"},
			},
			want: []string{
				"\t\tbilling.A,  // a\n",
				"\t\tbilling1.B, // b\n",
				"\t\tC,          // c\n",
				`billing1 "m/y/billing"`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := Registry("m/reg", "reg", tt.fns, "durable.yaml")
			if err != nil {
				t.Fatal(err)
			}
			s := string(src)
			first, _, _ := strings.Cut(s, "\n")
			if !header.MatchString(first) {
				t.Errorf("header %q", first)
			}
			if _, err := parser.ParseFile(token.NewFileSet(), "r.go", src, 0); err != nil {
				t.Errorf("generated registry does not parse: %v\n%s", err, s)
			}
			for _, w := range tt.want {
				if !strings.Contains(s, w) {
					t.Errorf("registry lacks %q:\n%s", w, s)
				}
			}
		})
	}
}

func TestEventsRejectsMissingSchema(t *testing.T) {
	cfg, err := catalog.Parse("durable.yaml", []byte("version: \"1\"\npackage: ev\noutput: {go: e.go}\nevents: [{name: a/b.c, v: \"1\"}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Events(cfg, nil, "durable.yaml"); err == nil || !strings.Contains(err.Error(), "no schema for event a/b.c") {
		t.Errorf("error = %v", err)
	}
	src, err := Events(cfg, map[string][]byte{"a/b.c": []byte("{`}")}, "durable.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "const schemaBC = \"{`}\"") {
		t.Errorf("a schema with a backtick is not a quoted literal:\n%s", src)
	}
}
