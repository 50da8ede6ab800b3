package catalog_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/format"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/durable-go/durable/codegen/catalog"
	"github.com/durable-go/durable/codegen/internal/gogen"
	"github.com/durable-go/durable/codegen/internal/schemagen"
)

// FuzzParse decodes arbitrary catalogs. Properties:
//   - a catalog that fails is refused with a catalog.ErrorList whose every
//     error names the file and a line;
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
	})
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
