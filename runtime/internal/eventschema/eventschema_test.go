package eventschema

import (
	"encoding/json"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func TestValidateURI(t *testing.T) {
	tests := []struct {
		uri   string
		valid bool
	}{
		{"https://example.com/a/b?q=1#top", true},
		{"urn:durable:event:shop/order.created", true},
		{"mailto:a@example.com", true},
		{"http://[::1]:8080/x", true},
		{"https://example.com/%C3%A9", true},
		{"file:///etc/hosts", true},
		{"https://例子.com", false}, // an IRI, not a URI
		{"https://example.com/é", false},
		{`https://example.com\path`, false},
		{"https://example.com/a b", false},
		{"https://example.com/%zz", false},
		{"https://example.com/%4", false},
		{"https://example.com:80x/", false},
		{"//example.com/relative", false},
		{"example.com", false},
		{"1http://example.com", false},
		{"https://exa<mple.com", false},
	}
	for _, tt := range tests {
		if err := validateURI(tt.uri); (err == nil) != tt.valid {
			t.Errorf("%q: valid = %v, want %v (%v)", tt.uri, err == nil, tt.valid, err)
		}
	}
	if validateURI(5) != nil {
		t.Error("a non-string is not the format's business")
	}
}

func TestValidateURIReference(t *testing.T) {
	tests := []struct {
		ref   string
		valid bool
	}{
		{"", true},
		{"../a/b?c#d", true},
		{"//example.com/x", true},
		{"https://example.com/a", true},
		{"a/b%20c", true},
		{"a/é", false},
		{`a\b`, false},
		{"a b", false},
		{"a#b#c", false},
		{"a%2", false},
		{"https://例子.com", false},
	}
	for _, tt := range tests {
		if err := validateURIReference(tt.ref); (err == nil) != tt.valid {
			t.Errorf("%q: valid = %v, want %v (%v)", tt.ref, err == nil, tt.valid, err)
		}
	}
}

func TestRatString(t *testing.T) {
	tests := map[string]string{
		"0":                      "0",
		"-1e-400":                "-1e-400",
		"9007199254740993":       "9007199254740993",
		"9223372036854775807":    "9223372036854775807",
		"1e30":                   "1e30",
		"-1.25e30":               "-1.25e30",
		"0.1":                    "0.1",
		"-2.5":                   "-2.5",
		"1/3":                    "1/3",
		"1.7976931348623157e308": "1.7976931348623157e308",
		"123.456e-30":            "1.23456e-28",
	}
	for in, want := range tests {
		r, ok := new(big.Rat).SetString(in)
		if !ok {
			t.Fatalf("bad test value %s", in)
		}
		if got := ratString(r); got != want {
			t.Errorf("ratString(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestNormalizeIntegers(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"n": 5.0}`, `{"n":5}`},
		{`{"n": 1e1, "m": [2.50e1, {"k": -0.0}]}`, `{"m":[25,{"k":0}],"n":10}`},
		{`{"n": 9223372036854775807.0}`, `{"n":9223372036854775807}`},
		// Beyond int64, or not an integer: left as written.
		{`{"n": 1e20, "f": 1.5, "g": 9223372036854775808.0}`, ``},
		{`{"n": 5, "s": "5.0"}`, ``},
	}
	for _, tt := range tests {
		v, err := unmarshalForTest(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		out, changed := NormalizeIntegers(v)
		if changed != (tt.want != "") {
			t.Errorf("%s: changed = %v", tt.in, changed)
			continue
		}
		if !changed {
			continue
		}
		got, _ := json.Marshal(out)
		if string(got) != tt.want {
			t.Errorf("%s normalized to %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestBoundReasons checks that violations of bounds print the bounds and
// values exactly (the validator's own messages print float64s: -1e-400 as
// 0), and never a sensitive value.
func TestBoundReasons(t *testing.T) {
	schema := `{"type": "object", "properties": {
		"tiny": {"type": "number", "minimum": -1e-400},
		"big": {"type": "integer", "maximum": 9007199254740993},
		"secret": {"type": "integer", "exclusiveMinimum": 10, "x-sensitive": true},
		"step": {"type": "number", "multipleOf": 0.1}
	}}`
	s, err := Compile("a/b.c", json.RawMessage(schema))
	if err != nil {
		t.Fatal(err)
	}
	_, bad, err := s.Validate([]byte(`{"tiny": -2e-400, "big": 9007199254740994, "secret": 7, "step": 0.15}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Violation{
		{"/data/big", "must be <= 9007199254740993, got 9007199254740994"},
		{"/data/secret", "must be > 10"},
		{"/data/step", "must be a multiple of 0.1, got 0.15"},
		{"/data/tiny", "must be >= -1e-400, got -2e-400"},
	}
	if !slices.Equal(bad, want) {
		t.Errorf("violations = %v\nwant %v", bad, want)
	}
	for _, v := range bad {
		if strings.Contains(v.Reason, "got 7") {
			t.Errorf("the sensitive value is quoted: %v", v)
		}
	}
}

// TestUncheckableDataRefused checks that what the validator cannot check
// as the function will read it is refused before it sees it: numbers it
// cannot compare with a bound cheaply (an exponent beyond int range made
// it panic, one of 1e9 made it build a billion-digit rational), and
// repeated keys (it keeps the last; a Go struct decodes both).
func TestUncheckableDataRefused(t *testing.T) {
	s, err := Compile("a/b.c", json.RawMessage(`{"type": "object", "properties": {
		"n": {"type": "integer", "minimum": 0},
		"list": {"type": "array", "items": {"type": "number", "maximum": 10}}
	}}`))
	if err != nil {
		t.Fatal(err)
	}
	long := "1" + strings.Repeat("0", maxNumberChars)
	tests := []struct {
		data string
		want []Violation // nil: accepted
	}{
		{`{"n": 1e999999999999}`, []Violation{{"/data/n", "number with an exponent beyond ±1000"}}},
		{`{"n": 1e99999999999999999999}`, []Violation{{"/data/n", "number with an exponent beyond ±1000"}}},
		{`{"list": [1, 2e-1001]}`, []Violation{{"/data/list/1", "number with an exponent beyond ±1000"}}},
		{`{"list": [` + long + `]}`, []Violation{{"/data/list/0", "number of 1001 characters; at most 1000 are accepted"}}},
		{`{"other": 1E+100000000}`, []Violation{{"/data/other", "number with an exponent beyond ±1000"}}},
		{`{"n": 1, "n": 1e2}`, []Violation{{"/data/n", "key repeated in the object"}}},
		{`{"list": [{"a": 1, "a": 2}], "n": 1e2000}`, []Violation{
			{"/data/list/0/a", "key repeated in the object"}, {"/data/n", "number with an exponent beyond ±1000"}}},
		{`{"n": 1e3, "list": [1e-1000, 5E+0], "o": {"n": 1}}`, nil},
	}
	for _, tt := range tests {
		_, bad, err := s.Validate([]byte(tt.data))
		if err != nil {
			t.Errorf("%.60s: %v", tt.data, err)
			continue
		}
		if !slices.Equal(bad, tt.want) {
			t.Errorf("%.60s: violations = %v, want %v", tt.data, bad, tt.want)
		}
	}
}

func unmarshalForTest(s string) (any, error) {
	return jsonschema.UnmarshalJSON(strings.NewReader(s))
}

func TestUncheckedFormatsRefused(t *testing.T) {
	tests := []struct {
		schema string
		want   string // "" when the schema compiles
	}{
		{`{"type": "object", "properties": {"e": {"type": "string", "format": "idn-email"}}}`, `schema at #/properties/e/format: format "idn-email" is not supported`},
		{`{"$defs": {"T": {"items": {"format": "idn-hostname"}}}}`, `schema at #/$defs/T/items/format: format "idn-hostname"`},
		{`{"properties": {"r": {"format": "regex"}}}`, `format "regex" is not supported`},
		{`{"properties": {"format": {"type": "string", "format": "email"}}}`, ""},
		{`{"properties": {"x": {"enum": [{"format": "regex"}]}}}`, ""},
	}
	for _, tt := range tests {
		_, err := Compile("a/b.c", json.RawMessage(tt.schema))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.schema, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: err = %v, want %q", tt.schema, err, tt.want)
		}
	}
}

// TestStrictURIFormatsRegistered: event schemas are compiled with the RFC
// 3986 checkers, not the validator's lenient ones.
func TestStrictURIFormatsRegistered(t *testing.T) {
	s, err := Compile("a/b.c", json.RawMessage(`{"type": "object", "properties": {
		"u": {"type": "string", "format": "uri"}, "r": {"type": "string", "format": "uri-reference"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	for data, valid := range map[string]bool{
		`{"u": "https://example.com/x", "r": "../x"}`: true,
		`{"u": "https://例子.com"}`:                     false,
		`{"u": "https://example.com\\x"}`:             false,
		`{"r": "例子"}`:                                 false,
	} {
		_, bad, err := s.Validate([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		if (len(bad) == 0) != valid {
			t.Errorf("%s: valid = %v, want %v (%v)", data, len(bad) == 0, valid, bad)
		}
	}
}
