package codegen

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// bigCatalog is a catalog of n events with five fields each and a few
// shared types.
func bigCatalog(n int) string {
	var b strings.Builder
	b.WriteString("version: \"1\"\npackage: events\noutput: {go: gen/events_gen.go, schemas: gen/schemas}\n")
	b.WriteString("types:\n  Item: {sku: {type: string, required: true}, qty: {type: integer, minimum: 1}}\n")
	b.WriteString("  Address: {street: {type: string, sensitive: true}, city: {type: string}}\nevents:\n")
	for i := range n {
		fmt.Fprintf(&b, `  - name: dom%d/thing%d.happened
    v: "2026-01-15.%d"
    description: Thing %d happened.
    fields:
      id: {type: string, format: uuid, required: true}
      items: {type: "[]Item", required: true}
      at: {type: time}
      address: {type: Address}
      status: {type: string, enum: [a, b, c], default: a}
`, i%20, i, i, i)
	}
	return b.String()
}

// BenchmarkGenerate1000Events plans (parses, renders, reads the old files)
// and writes a 1,000-event catalog; the floor is under 1s.
func BenchmarkGenerate1000Events(b *testing.B) {
	dir := b.TempDir()
	cfg := filepath.Join(dir, "durable.yaml")
	writeFileB(b, cfg, bigCatalog(1000))
	for b.Loop() {
		p, err := Generate(context.Background(), Options{Config: cfg})
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Files) != 1001 {
			b.Fatalf("%d files", len(p.Files))
		}
	}
}

func TestBigCatalogGenerates(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "durable.yaml")
	writeFile(t, cfg, bigCatalog(50))
	p, err := Generate(context.Background(), Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 51 {
		t.Errorf("%d files, want 51", len(p.Files))
	}
}
