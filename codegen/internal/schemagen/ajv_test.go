package schemagen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/durable-go/durable/codegen/internal/npmtest"
	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

// ajvScript compiles the schemas with ajv (draft 2020-12, strict mode, the
// formats of ajv-formats, the extension keywords of schemas/event.schema.json
// declared as its README says), checks each event schema against that
// meta-schema, and validates the payloads. It reads the request from the
// file in argv[2] and prints the results as JSON.
const ajvScript = `
const fs = require("fs");
const path = require("path");
const modules = path.join(process.argv[1], "node_modules");
const Ajv2020 = require(path.join(modules, "ajv/dist/2020"));
const addFormats = require(path.join(modules, "ajv-formats"));
const req = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));

function newAjv() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  ajv.addVocabulary(["x-event-version", "x-sensitive"]);
  return ajv;
}

const out = { compile: {}, meta: {}, valid: {} };
const metaAjv = newAjv();
let meta = null;
try {
  meta = metaAjv.compile(req.meta);
} catch (e) {
  out.compile[req.metaFile] = String(e.message || e);
}
for (const s of req.schemas) {
  let validate;
  try {
    validate = newAjv().compile(s.schema);
  } catch (e) {
    out.compile[s.file] = String(e.message || e);
    continue;
  }
  if (s.event && meta && !meta(s.schema)) {
    out.meta[s.file] = metaAjv.errorsText(meta.errors);
  }
  out.valid[s.file] = (s.payloads || []).map((p) => validate(JSON.parse(p)));
}
process.stdout.write(JSON.stringify(out));
`

// ajvRequest is what ajvScript reads.
type ajvRequest struct {
	MetaFile string          `json:"metaFile"`
	Meta     json.RawMessage `json:"meta"`
	Schemas  []ajvSchema     `json:"schemas"`
}

type ajvSchema struct {
	File   string          `json:"file"`
	Schema json.RawMessage `json:"schema"`
	// Event marks a generated event schema: checked against the event
	// meta-schema, and its payloads validated by the runtime too.
	Event    bool     `json:"event"`
	Payloads []string `json:"payloads"`
}

type ajvResult struct {
	Compile map[string]string `json:"compile"`
	Meta    map[string]string `json:"meta"`
	Valid   map[string][]bool `json:"valid"`
}

// TestAjvAgrees compiles every generated and published schema with ajv in
// strict mode, and validates payloads derived from each event schema (a
// valid one, then one mistake at a time) with both ajv and the engine: they
// must agree on every payload.
func TestAjvAgrees(t *testing.T) {
	npmtest.Require(t)
	npm := npmtest.Install(t, "ajv@8.17.1", "ajv-formats@3.0.1")

	metaRaw, err := os.ReadFile(metaSchema)
	if err != nil {
		t.Fatal(err)
	}
	req := ajvRequest{MetaFile: filepath.ToSlash(metaSchema), Meta: metaRaw}
	for _, dir := range append(slices.Clone(generatedDirs), publishedDir) {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") || strings.Contains(filepath.ToSlash(p), "/fuzz/") {
				return err
			}
			raw, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			s := ajvSchema{File: filepath.ToSlash(p), Schema: raw, Event: IsGenerated(raw)}
			if s.Event {
				s.Payloads = payloads(t, raw)
			}
			req.Schemas = append(req.Schemas, s)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	in := filepath.Join(t.TempDir(), "request.json")
	data, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "-e", ajvScript, npm, in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var res ajvResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("ajv output: %v\n%s", err, out)
	}
	for file, msg := range res.Compile {
		t.Errorf("%s: ajv (strict) does not compile it: %s", file, msg)
	}
	for file, msg := range res.Meta {
		t.Errorf("%s: breaks %s according to ajv: %s", file, metaSchema, msg)
	}

	events, total, accepted, skipped := 0, 0, 0, 0
	for _, s := range req.Schemas {
		if !s.Event {
			continue
		}
		valid, ok := res.Valid[s.File]
		if !ok {
			continue // not compiled: reported above
		}
		events++
		got := runtimeAccepts(t, s.Schema, s.Payloads)
		for i, p := range s.Payloads {
			if !doubleExact(t, p) {
				skipped++
				continue
			}
			total++
			if got[i] == nil {
				accepted++
			}
			if (got[i] == nil) != valid[i] {
				t.Errorf("%s: payload %s: ajv valid=%v, runtime error=%v", s.File, p, valid[i], got[i])
			}
		}
	}
	if events < 5 || accepted == 0 || accepted == total {
		t.Fatalf("%d event schemas, %d payloads of which %d accepted: the test checks too little", events, total, accepted)
	}
	t.Logf("%d schemas compiled in strict mode; %d payloads over %d event schemas, %d accepted by both; %d left out (numbers beyond JavaScript's precision)", len(req.Schemas), total, events, accepted, skipped)
}

// maxExact is 2^53: up to it, every integer is a JavaScript number.
var maxExact = new(big.Rat).SetInt64(1 << 53)

// doubleExact reports whether every number in the JSON text p is one that
// JavaScript reads exactly (an integer or fraction of magnitude up to 2^53
// that is a float64) or reads as an infinity. ajv, like every validator
// reading JSON numbers as IEEE doubles, decides the others on a rounded
// value (9223372036854775808 passes "maximum": 9223372036854775807 there,
// -1e-400 passes "minimum": 0), while the engine compares exactly: the
// generated TypeScript says so for integer fields.
func doubleExact(t *testing.T, p string) bool {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(p))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return true
		}
		if err != nil {
			t.Fatalf("payload %s: %v", p, err)
		}
		n, ok := tok.(json.Number)
		if !ok {
			continue
		}
		exact, ok := new(big.Rat).SetString(n.String())
		if !ok {
			t.Fatalf("payload %s: number %s", p, n)
		}
		f, _ := strconv.ParseFloat(n.String(), 64)
		if math.IsInf(f, 0) {
			continue
		}
		if new(big.Rat).SetFloat64(f).Cmp(exact) != 0 || new(big.Rat).Abs(exact).Cmp(maxExact) > 0 {
			return false
		}
	}
}

// runtimeAccepts sends each payload to an engine validating events of the
// schema, returning nil for an accepted one and the validation error for a
// refused one.
func runtimeAccepts(t *testing.T, schema []byte, payloads []string) []error {
	t.Helper()
	var head struct {
		Title   string `json:"title"`
		Version string `json:"x-event-version"`
	}
	if err := json.Unmarshal(schema, &head); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "ajv.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng, err := runtime.New(runtime.Options{
		Store:         st,
		Events:        []runtime.EventDescriptor{runtime.NewEventType[map[string]any](head.Title, head.Version, schema)},
		EncryptionKey: bytes.Repeat([]byte{7}, 32),
	})
	if err != nil {
		t.Fatalf("%s: %v", head.Title, err)
	}
	out := make([]error, len(payloads))
	for i, p := range payloads {
		_, err := eng.Send(context.Background(), runtime.Event{Name: head.Title, Data: json.RawMessage(p)})
		// Data that is not an object is refused before validation.
		var ve *runtime.EventValidationError
		if err != nil && !errors.As(err, &ve) && !strings.Contains(err.Error(), "data must encode to a JSON object") {
			t.Fatalf("%s: payload %s: %v", head.Title, p, err)
		}
		out[i] = err
	}
	return out
}

// payloads derives payloads from an event schema: a valid instance, then
// that instance with one mistake each (a required property dropped, an
// unknown one added, a value of the wrong type, out of its bounds or enum,
// breaking its format), plus edge cases every validator must decide alike
// (5.0 for an integer, lowercase date-times, numbers beyond int64).
func payloads(t *testing.T, raw []byte) []string {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(raw, &root); err != nil {
		t.Fatal(err)
	}
	g := &payloadGen{defs: map[string]any{}}
	if defs, ok := root["$defs"].(map[string]any); ok {
		g.defs = defs
	}
	base := g.sample(root, 0)
	out := []string{encode(t, base), "null", "[]", `"x"`}
	for _, v := range g.variants(root, base, 0) {
		out = append(out, encode(t, v))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

type payloadGen struct{ defs map[string]any }

// maxDepth bounds how deep variants go (recursive types).
const maxDepth = 4

func (g *payloadGen) resolve(s map[string]any) map[string]any {
	for {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		def, _ := g.defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		if def == nil {
			return map[string]any{}
		}
		s = def
	}
}

// sample is a valid instance of s.
func (g *payloadGen) sample(sch any, depth int) any {
	s, _ := sch.(map[string]any)
	s = g.resolve(s)
	if e, ok := s["enum"].([]any); ok && len(e) > 0 {
		return e[len(e)-1]
	}
	if branches, ok := s["anyOf"].([]any); ok {
		return g.sample(branches[0], depth+1)
	}
	switch s["type"] {
	case "object":
		obj := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		req, _ := s["required"].([]any)
		for name, p := range props {
			// Optional properties too, down to maxDepth (recursive types).
			if slices.Contains(req, any(name)) || depth < maxDepth {
				obj[name] = g.sample(p, depth+1)
			}
		}
		if ap, ok := s["additionalProperties"].(map[string]any); ok && props == nil && depth < maxDepth {
			obj["k"] = g.sample(ap, depth+1)
		}
		return obj
	case "array":
		if depth >= maxDepth {
			return []any{}
		}
		return []any{g.sample(s["items"], depth+1)}
	case "integer":
		return json.RawMessage(boundedSample(s, "7"))
	case "number":
		return json.RawMessage(boundedSample(s, "2.5"))
	case "boolean":
		return true
	case "string":
		if s["format"] == "date-time" {
			return "2026-01-15T10:00:00.5+02:00"
		}
		if f, ok := s["format"].(string); ok {
			return formatSamples[f][0]
		}
		return "text"
	}
	return nil
}

// boundedSample is x, or the minimum when x is below it, or the maximum
// when above.
func boundedSample(s map[string]any, x string) string {
	min, _ := s["minimum"].(float64)
	max, _ := s["maximum"].(float64)
	var v float64
	fmt.Sscan(x, &v)
	switch {
	case s["minimum"] != nil && v < min:
		return fmt.Sprint(s["minimum"])
	case s["maximum"] != nil && v > max:
		return fmt.Sprint(s["maximum"])
	}
	return x
}

// formatSamples are a valid and an invalid value of each format.
var formatSamples = map[string][2]string{
	"uuid":     {"123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456"},
	"email":    {"a@example.com", "a@@example"},
	"uri":      {"https://example.com/a?b#c", "https://例子.com"},
	"hostname": {"example.com", "-bad-.com"},
	"ipv4":     {"192.0.2.1", "192.0.2.256"},
	"ipv6":     {"2001:db8::1", "2001:db8:::1"},
	"date":     {"2026-01-15", "2026-02-30"},
}

// variants are base with one mistake or edge case each, at any depth.
func (g *payloadGen) variants(sch any, base any, depth int) []any {
	s, _ := sch.(map[string]any)
	s = g.resolve(s)
	var out []any
	if depth > maxDepth {
		return nil
	}
	switch s["type"] {
	case "object":
		obj, ok := base.(map[string]any)
		if !ok {
			return nil
		}
		with := func(k string, v any) map[string]any {
			c := make(map[string]any, len(obj)+1)
			for kk, vv := range obj {
				c[kk] = vv
			}
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
			return c
		}
		out = append(out, with("zz_unknown", "x"), "not an object")
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				out = append(out, with(r.(string), nil))
			}
		}
		props, _ := s["properties"].(map[string]any)
		if ap, ok := s["additionalProperties"].(map[string]any); ok && props == nil {
			props = map[string]any{"k": ap}
		}
		for _, name := range sortedKeys(props) {
			if v, ok := obj[name]; ok {
				for _, m := range g.variants(props[name], v, depth+1) {
					out = append(out, with(name, m))
				}
			}
		}
	case "array":
		if arr, ok := base.([]any); ok && len(arr) > 0 {
			for _, m := range g.variants(s["items"], arr[0], depth+1) {
				out = append(out, []any{m})
			}
		}
		out = append(out, map[string]any{})
	case "integer":
		out = append(out, "1", true, json.RawMessage("5.0"), json.RawMessage("1e1"), json.RawMessage("1.5"),
			json.RawMessage("9223372036854775808"), json.RawMessage("-9223372036854775809"), json.RawMessage("1e20"))
	case "number":
		out = append(out, "1", json.RawMessage("1e400"), json.RawMessage("-1e-400"), json.RawMessage("0"))
	case "boolean":
		out = append(out, "true", json.RawMessage("0"))
	case "string":
		out = append(out, json.RawMessage("1"), "")
		if f, ok := s["format"].(string); ok {
			if samples, ok := formatSamples[f]; ok {
				out = append(out, samples[1])
			}
		}
		if s["format"] == "date-time" {
			out = append(out, "2026-01-15t10:00:00z", "2026-12-31T23:59:60Z", "2026-01-15T10:00:00", "2026-01-15T10:00:00.123456789Z")
		}
	}
	if e, ok := s["enum"].([]any); ok {
		out = append(out, e[0], json.RawMessage(`"not-in-the-enum"`), json.RawMessage("123456"))
	}
	for _, k := range []string{"minimum", "maximum"} {
		if _, ok := s[k]; !ok || s["type"] == nil {
			continue
		}
		n := s[k].(float64)
		if n > -1e15 && n < 1e15 {
			out = append(out, json.RawMessage(fmt.Sprint(n-1)), json.RawMessage(fmt.Sprint(n+1)), json.RawMessage(fmt.Sprint(n)))
		}
	}
	return out
}

func encode(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
