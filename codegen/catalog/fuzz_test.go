package catalog_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/format"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/durable-go/durable/codegen/catalog"
	"github.com/durable-go/durable/codegen/internal/gogen"
	"github.com/durable-go/durable/codegen/internal/schemagen"
	"github.com/durable-go/durable/codegen/internal/tsgen"
)

// FuzzParse decodes arbitrary catalogs. Properties:
//   - a catalog that fails is refused with a catalog.ErrorList whose every
//     error names the file and a line, in at most maxMessageBytes;
//   - a catalog that decodes generates, for every event, a schema that is a
//     JSON object that compiles as the engine compiles it (draft 2020-12,
//     formats asserted, nothing loaded from elsewhere), and a Go file that
//     gofmt leaves as it is.
//
// The seed corpus is testdata/fuzz/FuzzParse: the golden catalogs, the
// example app's, hostile ones (alias bombs, self-referencing anchors, deep
// nesting) and the crashers found so far.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		checkCatalog(t, data)
	})
}

// FuzzGenerate builds well-formed catalogs around arbitrary values (a
// field's name, type, description, format, enum values and default; an
// event's name, version and description), which byte mutations of YAML
// rarely reach, and checks them as FuzzParse does.
func FuzzGenerate(f *testing.F) {
	f.Fuzz(func(t *testing.T, event, version, eventDesc, field, typ, desc, format, enum1, enum2, def string, required, sensitive bool) {
		fieldDef := map[string]any{"type": typ}
		if desc != "" {
			fieldDef["description"] = desc
		}
		if format != "" {
			fieldDef["format"] = format
		}
		if enum1 != "" || enum2 != "" {
			fieldDef["enum"] = []any{scalar(enum1), scalar(enum2)}
		}
		if def != "" {
			fieldDef["default"] = scalar(def)
		}
		if required {
			fieldDef["required"] = true
		}
		if sensitive {
			fieldDef["sensitive"] = true
		}
		doc := map[string]any{
			"version": "1",
			"package": "events",
			"output":  map[string]any{"go": "events/events_gen.go", "schemas": "schemas"},
			"types":   map[string]any{"Item": map[string]any{"sku": map[string]any{"type": "string", "required": true}}},
			"events": []any{map[string]any{
				"name": event, "v": version, "description": eventDesc,
				"fields": map[string]any{field: fieldDef, "items": map[string]any{"type": "[]Item"}},
			}},
		}
		data, err := yaml.Marshal(doc)
		if err != nil {
			t.Skip(err) // not a catalog problem
		}
		checkCatalog(t, data)
	})
}

// scalar reads s as a YAML scalar, so that enum values and defaults are
// numbers, booleans or null as well as strings.
func scalar(s string) any {
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		return s
	}
	switch v.(type) {
	case map[string]any, []any:
		return s
	}
	return v
}

// maxMessageBytes bounds one error message: messages quote excerpts of
// values and keys, and paths at most 32 levels deep.
const maxMessageBytes = 4 << 10

// checkCatalog checks the properties of FuzzParse and FuzzGenerate.
func checkCatalog(t *testing.T, data []byte) {
	t.Helper()
	cfg, err := catalog.Parse("durable.yaml", data)
	if err != nil {
		var list catalog.ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Fatalf("error %v (%T) is not a non-empty catalog.ErrorList", err, err)
		}
		for _, e := range list {
			if e.File != "durable.yaml" || e.Pos.Line < 1 || e.Pos.Col < 1 {
				t.Errorf("error without a position: %q", e.Error())
			}
			if len(e.Msg) > maxMessageBytes {
				t.Errorf("message of %d bytes (over %d): %.300q…", len(e.Msg), maxMessageBytes, e.Msg)
			}
		}
		return
	}
	schemas := map[string][]byte{}
	for i := range cfg.Events {
		e := &cfg.Events[i]
		s, err := schemagen.Event(cfg, e, "durable.yaml")
		if err != nil {
			t.Fatalf("schema of %s: %v", e.Name, err)
		}
		var obj map[string]any
		if err := json.Unmarshal(s, &obj); err != nil {
			t.Fatalf("schema of %s is not a JSON object: %v\n%s", e.Name, err, s)
		}
		if err := compileSchema(e.Name, s); err != nil {
			t.Fatalf("schema of %s does not compile: %v\n%s", e.Name, err, s)
		}
		schemas[e.Name] = s
	}
	// TypeScript: every comment closes where it should, and every event is
	// declared under its quoted name.
	ts := string(tsgen.Declarations(cfg, "durable.yaml"))
	for _, line := range strings.Split(ts, "\n") {
		if strings.Contains(line, "*/") && (strings.Count(line, "*/") > 1 || !strings.HasSuffix(line, "*/")) {
			t.Fatalf("TypeScript declarations: a comment ends early on the line %q:\n%s", line, ts)
		}
	}
	for _, e := range cfg.Events {
		name, _ := json.Marshal(e.Name)
		if !strings.Contains(ts, "  "+string(name)+": ") {
			t.Fatalf("TypeScript declarations lack %s:\n%s", name, ts)
		}
	}
	if cfg.Output.Go == "" {
		return
	}
	src, err := gogen.Events(cfg, schemas, "durable.yaml")
	if err != nil {
		t.Fatalf("generating Go: %v", err)
	}
	formatted, err := format.Source(src)
	if err != nil {
		t.Fatalf("generated Go does not parse: %v\n%s", err, src)
	}
	if !bytes.Equal(formatted, src) {
		t.Fatalf("generated Go is not gofmt'd:\n%s", src)
	}
}

// compileSchema compiles an event schema with the settings of the engine
// (runtime/eventschema.go).
func compileSchema(name string, schema []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(refuseLoads{})
	loc := "urn:durable:event:" + name
	if err := c.AddResource(loc, doc); err != nil {
		return err
	}
	_, err = c.Compile(loc)
	return err
}

type refuseLoads struct{}

func (refuseLoads) Load(url string) (any, error) {
	return nil, fmt.Errorf("%s: an event schema must be self-contained", url)
}
