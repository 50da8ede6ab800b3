package web

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestOpenAPIDocumentsEveryRoute: every route the handler serves is in
// schemas/openapi.yaml, and every documented operation is served.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	b, err := os.ReadFile("../../../schemas/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("schemas/openapi.yaml: %v", err)
	}
	served := map[string]bool{}
	for _, rt := range routes() {
		op := strings.ToLower(rt.method) + " " + rt.pattern
		served[op] = true
		if _, ok := doc.Paths[rt.pattern][strings.ToLower(rt.method)]; !ok {
			t.Errorf("route %s %s is not in schemas/openapi.yaml", rt.method, rt.pattern)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			if !served[method+" "+path] {
				t.Errorf("schemas/openapi.yaml documents %s %s, which the handler does not serve", strings.ToUpper(method), path)
			}
		}
	}
}
