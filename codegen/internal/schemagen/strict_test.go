package schemagen

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Where the generated and published schemas are, from this directory.
const (
	publishedDir = "../../../schemas"
	metaSchema   = publishedDir + "/event.schema.json"
)

var generatedDirs = []string{"../../testdata/golden", "../../../examples/shop/schemas"}

// keywords2020 are the keywords of the JSON Schema 2020-12 vocabularies.
var keywords2020 = []string{
	"$schema", "$id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary", "$comment", "$defs",
	"allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "prefixItems", "items",
	"contains", "properties", "patternProperties", "additionalProperties", "propertyNames",
	"unevaluatedItems", "unevaluatedProperties",
	"type", "const", "enum", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
	"maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "maxContains", "minContains",
	"maxProperties", "minProperties", "required", "dependentRequired",
	"title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples",
	"format", "contentEncoding", "contentMediaType", "contentSchema",
}

// extensionKeywords are declared by schemas/event.schema.json.
var extensionKeywords = []string{"x-event-version", SensitiveKeyword}

// typedKeywords are the keywords that a strict validator (ajv's
// strictTypes) accepts only next to a type they apply to.
var typedKeywords = map[string]string{
	"properties": "object", "additionalProperties": "object", "required": "object", "propertyNames": "object",
	"minProperties": "object", "items": "array", "minimum": "number", "maximum": "number",
	"pattern": "string", "format": "string", "minLength": "string",
}

// strictProblems lists what a strict validator rejects in a schema: unknown
// keywords, and keywords without the type they apply to.
func strictProblems(v any, at string) []string {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil // true, false
	}
	var out []string
	types := map[string]bool{}
	switch t := obj["type"].(type) {
	case string:
		types[t] = true
	case []any:
		for _, x := range t {
			types[fmt.Sprint(x)] = true
		}
	}
	if types["integer"] {
		types["number"] = true
	}
	for _, k := range sortedKeys(obj) {
		if !slices.Contains(keywords2020, k) && !slices.Contains(extensionKeywords, k) {
			out = append(out, fmt.Sprintf("%s: unknown keyword %q", at, k))
		}
		if want, ok := typedKeywords[k]; ok && !types[want] {
			out = append(out, fmt.Sprintf("%s: %s without \"type\": %q", at, k, want))
		}
		sub := at + "/" + k
		switch k {
		case "properties", "$defs", "patternProperties", "dependentSchemas":
			m, _ := obj[k].(map[string]any)
			for _, name := range sortedKeys(m) {
				out = append(out, strictProblems(m[name], sub+"/"+name)...)
			}
		case "allOf", "anyOf", "oneOf", "prefixItems":
			list, _ := obj[k].([]any)
			for i, s := range list {
				out = append(out, strictProblems(s, fmt.Sprintf("%s/%d", sub, i))...)
			}
		case "items", "additionalProperties", "propertyNames", "not", "if", "then", "else", "contains",
			"unevaluatedItems", "unevaluatedProperties", "contentSchema":
			out = append(out, strictProblems(obj[k], sub)...)
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestSchemasAreStrictClean compiles every generated schema (golden files,
// the shop example) and every published one (schemas/) with the validator
// asserting formats and vocabularies, checks each against the event
// meta-schema that declares the extension keywords, and fails on anything
// a strict validator rejects.
func TestSchemasAreStrictClean(t *testing.T) {
	var files []string
	for _, dir := range append(slices.Clone(generatedDirs), publishedDir) {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") && !strings.Contains(p, string(filepath.Separator)+"fuzz"+string(filepath.Separator)) {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 6 {
		t.Fatalf("only %d schemas found: %v", len(files), files)
	}
	metaRaw, err := os.ReadFile(metaSchema)
	if err != nil {
		t.Fatal(err)
	}
	metaDoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(metaRaw))
	if err != nil {
		t.Fatal(err)
	}
	metaID := metaDoc.(map[string]any)["$id"].(string)
	mc := jsonschema.NewCompiler()
	mc.AssertVocabs()
	if err := mc.AddResource(metaID, metaDoc); err != nil {
		t.Fatal(err)
	}
	meta, err := mc.Compile(metaID)
	if err != nil {
		t.Fatalf("%s does not compile: %v", metaSchema, err)
	}
	for _, file := range files {
		t.Run(filepath.ToSlash(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			c := jsonschema.NewCompiler()
			c.AssertFormat()
			c.AssertVocabs()
			if err := c.AddResource(metaID, metaDoc); err != nil {
				t.Fatal(err)
			}
			if err := c.AddResource("file:///"+filepath.Base(file), doc); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Compile("file:///" + filepath.Base(file)); err != nil {
				t.Errorf("does not compile: %v", err)
			}
			if filepath.Base(file) != filepath.Base(metaSchema) {
				if err := meta.Validate(doc); err != nil {
					t.Errorf("breaks %s: %v", metaSchema, err)
				}
			}
			for _, p := range strictProblems(doc, "#") {
				t.Error(p)
			}
		})
	}
}

// TestStrictProblemsFinds checks that the strict check can fail.
func TestStrictProblemsFinds(t *testing.T) {
	doc := map[string]any{
		"required":   []any{"a"},
		"x-unknown":  true,
		"properties": map[string]any{"n": map[string]any{"minimum": 1}},
		"type":       "object",
		"$defs":      map[string]any{"D": map[string]any{"type": "string", "items": true}},
	}
	got := strictProblems(doc, "#")
	want := []string{
		`#/$defs/D: items without "type": "array"`,
		`#/properties/n: minimum without "type": "number"`,
		`#: unknown keyword "x-unknown"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestEventMetaSchemaChecksExtensions: the meta-schema checks the extension
// keywords at any depth (through $dynamicAnchor meta).
func TestEventMetaSchemaChecksExtensions(t *testing.T) {
	raw, err := os.ReadFile(metaSchema)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("meta.json", doc); err != nil {
		t.Fatal(err)
	}
	meta, err := c.Compile("meta.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		schema string
		valid  bool
	}{
		{`{"type": "object", "x-event-version": "1", "properties": {"a": {"type": "string", "x-sensitive": true}}}`, true},
		{`{"x-event-version": 1}`, false},
		{`{"properties": {"a": {"x-sensitive": "yes"}}}`, false},
		{`{"$defs": {"T": {"items": {"x-sensitive": 1}}}}`, false},
	}
	for _, tt := range tests {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(tt.schema))
		if err != nil {
			t.Fatal(err)
		}
		if err := meta.Validate(inst); (err == nil) != tt.valid {
			t.Errorf("%s: valid = %v, want %v (%v)", tt.schema, err == nil, tt.valid, err)
		}
	}
}
