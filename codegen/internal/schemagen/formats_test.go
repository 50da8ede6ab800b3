package schemagen

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/durable-go/durable/codegen/catalog"
	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

// drafts2020Formats are every format of JSON Schema draft 2020-12.
var draft2020Formats = []string{
	"date", "date-time", "duration", "email", "hostname", "idn-email", "idn-hostname", "ipv4", "ipv6",
	"iri", "iri-reference", "json-pointer", "regex", "relative-json-pointer", "time", "uri",
	"uri-reference", "uri-template", "uuid",
}

// TestFormatsAgreeWithRuntime: a format the catalog accepts gives a
// schema the engine starts with; a format the catalog refuses (the engine
// cannot check it as the standard says) the engine refuses too, so that a
// hand-written schema cannot slip it past.
func TestFormatsAgreeWithRuntime(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "app.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	accepted := 0
	for _, format := range draft2020Formats {
		t.Run(format, func(t *testing.T) {
			cfg, perr := catalog.Parse("durable.yaml", []byte(`version: "1"
output: {schemas: s}
events:
  - name: a/b.c
    v: "1"
    fields: {x: {type: string, format: `+format+`}}
`))
			schema := []byte(`{"type": "object", "properties": {"x": {"type": "string", "format": "` + format + `"}}}`)
			if perr == nil {
				accepted++
				if schema, err = Event(cfg, &cfg.Events[0], "durable.yaml"); err != nil {
					t.Fatal(err)
				}
			}
			_, rerr := runtime.New(runtime.Options{
				Store:  st,
				Events: []runtime.EventDescriptor{runtime.NewEventType[struct{}]("a/b.c", "1", schema)},
			})
			switch {
			case perr == nil && rerr != nil:
				t.Errorf("the catalog accepts format %s, the engine refuses its schema: %v", format, rerr)
			case perr != nil && rerr == nil:
				t.Errorf("the catalog refuses format %s (%v), the engine accepts it", format, perr)
			case perr != nil && !strings.Contains(rerr.Error(), "is not supported"):
				t.Errorf("engine error does not say the format is unsupported: %v", rerr)
			}
		})
	}
	if accepted < 10 {
		t.Errorf("the catalog accepts only %d formats", accepted)
	}
}
