package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	goprinter "go/printer"
	"go/token"
	"math/rand"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/quick"
	"time"
)

// The golden catalog of every field kind: codegen generates its schema and
// Go types (go test ./codegen -run TestGolden -update rewrites them).
const (
	kindsSchema = "../codegen/testdata/golden/kinds/want/schemas/kinds/every.kind.json"
	kindsGo     = "../codegen/testdata/golden/kinds/want/events_gen.go"
)

// Copies of the generated types of kindsGo; TestKindsTypesAreGenerated
// fails when they drift apart.
type (
	// Point is a type of the catalog.
	Point struct {
		X int64   `json:"x"`
		Y float64 `json:"y,omitempty"`
	}

	// EveryKindData is the data of kinds/every.kind events.
	EveryKindData struct {
		N       int64                `json:"n,omitempty"`
		Bounded int64                `json:"bounded,omitempty"`
		F       float64              `json:"f,omitempty"`
		S       string               `json:"s,omitempty"`
		B       bool                 `json:"b,omitempty"`
		At      time.Time            `json:"at,omitzero"`
		Ns      []int64              `json:"ns,omitempty"`
		Times   map[string]time.Time `json:"times,omitempty"`
		Point   Point                `json:"point,omitzero"`
		Points  []Point              `json:"points,omitempty"`
		Inline  EveryKindDataInline  `json:"inline,omitzero"`
		Free    map[string]any       `json:"free,omitempty"`
	}

	// EveryKindDataInline is the inline field of EveryKindData.
	EveryKindDataInline struct {
		M int64 `json:"m"`
	}
)

// typeDecls prints the struct declarations of a Go file by name.
func typeDecls(t *testing.T, file string) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		if _, isStruct := ts.Type.(*ast.StructType); isStruct {
			var b bytes.Buffer
			if err := goprinter.Fprint(&b, token.NewFileSet(), ts.Type); err != nil {
				t.Fatal(err)
			}
			out[ts.Name.Name] = b.String()
		}
		return true
	})
	return out
}

func TestKindsTypesAreGenerated(t *testing.T) {
	gen, mine := typeDecls(t, kindsGo), typeDecls(t, "eventschema_property_test.go")
	if len(gen) == 0 {
		t.Fatalf("no structs in %s", kindsGo)
	}
	for name, src := range gen {
		if mine[name] != src {
			t.Errorf("type %s differs from the generated one in %s; copy it:\n%s", name, kindsGo, src)
		}
	}
}

func kindsCatalog(t testing.TB) *eventCatalog {
	t.Helper()
	raw, err := os.ReadFile(kindsSchema)
	if err != nil {
		t.Fatal(err)
	}
	k, err := compileEventKind("kinds/every.kind", raw)
	if err != nil {
		t.Fatal(err)
	}
	return &eventCatalog{types: map[string]*eventKind{"kinds/every.kind": k}}
}

// acceptedDecodes is the property: data the engine accepts (and stores as
// prepare returns it) decodes into the generated type. It reports whether
// data was accepted.
func acceptedDecodes(t testing.TB, c *eventCatalog, data []byte) bool {
	stored, err := c.prepare(0, "kinds/every.kind", "id", data)
	if err != nil {
		if _, ok := err.(*EventValidationError); !ok {
			t.Fatalf("%s: not a validation error: %v", data, err)
		}
		return false
	}
	var v EveryKindData
	if err := json.Unmarshal(stored, &v); err != nil {
		t.Fatalf("accepted %s (stored as %s), which does not decode into the generated type: %v", data, stored, err)
	}
	return true
}

// payload is a random event data object; its values mix what each kind
// accepts with the edge cases that differ between JSON Schema and Go:
// integers written 5.0 or 1e1 or beyond int64, RFC 3339 times Go does not
// parse.
type payload string

func randInteger(r *rand.Rand) string {
	n := r.Int63() - r.Int63()
	switch r.Intn(12) {
	case 0:
		return fmt.Sprintf("%d.0", n)
	case 1:
		return fmt.Sprintf("%de%d", r.Intn(100), r.Intn(25))
	case 2:
		return []string{"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "1e20", "-1e19", "9007199254740993"}[r.Intn(7)]
	case 3:
		return fmt.Sprintf("%d.5", n%1000)
	case 4:
		return []string{"-0", "-0.0", "0e0", "1E2", "2.50e1", "1.0e-0"}[r.Intn(6)]
	case 5:
		return fmt.Sprintf("%d", r.Int63n(20)-10)
	}
	return fmt.Sprint(n)
}

func randNumber(r *rand.Rand) string {
	switch r.Intn(4) {
	case 0:
		return randInteger(r)
	case 1:
		return fmt.Sprintf("%ge%d", r.Float64(), r.Intn(700)-350)
	case 2:
		return []string{"-1e-400", "1e-400", "1e308", "-0.0", "1.7976931348623157e308"}[r.Intn(5)]
	}
	return fmt.Sprint(r.NormFloat64() * 1e6)
}

func randTime(r *rand.Rand) string {
	pick := func(xs ...string) string { return xs[r.Intn(len(xs))] }
	frac := pick("", "", ".5", ".123456789", ".1234567891234", ".")
	zone := pick("Z", "Z", "z", "+02:00", "-00:00", "+23:59", "+24:00", "+02")
	return fmt.Sprintf(`"%04d-%02d-%02d%s%02d:%02d:%s%s%s"`,
		r.Intn(10000), 1+r.Intn(13), 1+r.Intn(31), pick("T", "T", "t", " "), r.Intn(25), r.Intn(61), pick("00", "07", "59", "60", "61"), frac, zone)
}

func randPoint(r *rand.Rand) string {
	if r.Intn(10) == 0 {
		return `{"y": 1}`
	}
	return fmt.Sprintf(`{"x": %s, "y": %s}`, randInteger(r), randNumber(r))
}

func (payload) Generate(r *rand.Rand, _ int) reflect.Value {
	fields := map[string]func() string{
		"n":       func() string { return randInteger(r) },
		"bounded": func() string { return randInteger(r) },
		"f":       func() string { return randNumber(r) },
		"s":       func() string { return `"s"` },
		"b":       func() string { return "true" },
		"at":      func() string { return randTime(r) },
		"ns":      func() string { return "[" + randInteger(r) + "," + randInteger(r) + "]" },
		"times":   func() string { return `{"a":` + randTime(r) + `}` },
		"point":   func() string { return randPoint(r) },
		"points":  func() string { return "[" + randPoint(r) + "]" },
		"inline":  func() string { return `{"m": ` + randInteger(r) + `}` },
		"free":    func() string { return `{"x": ` + randNumber(r) + `}` },
	}
	var parts []string
	for name, value := range fields {
		if r.Intn(3) == 0 {
			parts = append(parts, fmt.Sprintf("%q: %s", name, value()))
		}
	}
	return reflect.ValueOf(payload("{" + strings.Join(parts, ", ") + "}"))
}

// TestAcceptedDecodes checks the property on random payloads, and that it
// is not vacuous: many are accepted, many rejected.
func TestAcceptedDecodes(t *testing.T) {
	c := kindsCatalog(t)
	accepted, total := 0, 0
	err := quick.Check(func(p payload) bool {
		total++
		if acceptedDecodes(t, c, []byte(p)) {
			accepted++
		}
		return true
	}, &quick.Config{MaxCount: 5000, Rand: rand.New(rand.NewSource(1))})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of %d random payloads accepted, each decoded", accepted, total)
	if accepted < total/10 || accepted > total*9/10 {
		t.Errorf("%d of %d random payloads accepted: the generator no longer exercises both sides", accepted, total)
	}
}

// FuzzAcceptedDecodes checks the property on arbitrary data, starting from
// the edge cases.
func FuzzAcceptedDecodes(f *testing.F) {
	for _, seed := range []string{
		`{"n": 5.0}`, `{"n": 1e1}`, `{"n": 9223372036854775808}`, `{"n": 1e20}`, `{"n": -9223372036854775808}`,
		`{"bounded": 9007199254740993.0}`, `{"f": -1e-400}`, `{"ns": [1.0, 2e0]}`, `{"inline": {"m": 3.00}}`,
		`{"at": "2026-01-15t10:00:00Z"}`, `{"at": "2026-01-15T10:00:00z"}`, `{"at": "2016-12-31T23:59:60Z"}`,
		`{"times": {"a": "2026-01-15T10:00:00.5+02:00"}}`, `{"point": {"x": 1e2, "y": 1e2}}`, `{"free": {"a": 1.0}}`,
		`{"n": 1e999999999999}`, `{"f": 1e100000000}`, `{"point":{"x":1e2,"x":0}}`,
	} {
		f.Add([]byte(seed))
	}
	c := kindsCatalog(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) || len(bytes.TrimSpace(data)) == 0 || bytes.TrimSpace(data)[0] != '{' {
			return // the engine sends prepare only JSON objects
		}
		acceptedDecodes(t, c, data)
	})
}

// BenchmarkPrepareEvent measures validating a typical event against its
// schema, the cost every Send of a cataloged event pays.
func BenchmarkPrepareEvent(b *testing.B) {
	c := kindsCatalog(b)
	data := []byte(`{"n": 42, "f": 1.5, "at": "2026-01-15T10:00:00Z", "ns": [1, 2, 3],
		"point": {"x": 1, "y": 2}, "free": {"a": "b", "c": [true, null]}}`)
	if _, err := c.prepare(0, "kinds/every.kind", "id", data); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.prepare(0, "kinds/every.kind", "id", data); err != nil {
			b.Fatal(err)
		}
	}
}
