// Package eventschema validates event data against the JSON Schema of its
// event type: it compiles schemas (draft 2020-12, self-contained, with
// strict RFC 3986 URI formats and no format it cannot check as the
// standard says), refuses data the validator cannot check as the function
// will read it (repeated keys, huge numbers), reports every violation at
// its JSON pointer without quoting sensitive values, and normalises
// integers written as 5.0 or 1e1 so that they decode into Go integers.
package eventschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/durable-go/durable/runtime/internal/jsonptr"
	"github.com/durable-go/durable/runtime/internal/seal"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// printer renders the validator's messages.
var printer = message.NewPrinter(language.English)

// Violation is one way in which an event breaks the schema of its type:
// the JSON pointer of the offending value within the envelope, and what is
// wrong (runtime.Violation, which documents both).
type Violation struct {
	Pointer string
	Reason  string
}

// Schema is the compiled JSON Schema of an event type, with where its
// sensitive fields are.
type Schema struct {
	validator *jsonschema.Schema
	sens      *seal.Sensitivity
}

// Sensitivity finds the values the schema marks sensitive; nil when it
// marks none.
func (s *Schema) Sensitivity() *seal.Sensitivity { return s.sens }

// Compile compiles the schema of the event type name; nil when raw is
// empty or null (no validation). Errors name the event type and, for an
// unsupported format, the schema location.
func Compile(name string, raw json.RawMessage) (*Schema, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("event %q: schema is not valid JSON: %w", name, err)
	}
	if at, f := uncheckedFormat(doc, ""); f != "" {
		return nil, fmt.Errorf("event %q: schema at %s: format %q is not supported: the engine cannot check it as JSON Schema defines it (%s), so it would accept events other validators reject", name, "#"+at, f, uncheckedFormats[f])
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.RegisterFormat(&jsonschema.Format{Name: "uri", Validate: validateURI})
	c.RegisterFormat(&jsonschema.Format{Name: "uri-reference", Validate: validateURIReference})
	c.UseLoader(noLoader{})
	loc := "urn:durable:event:" + name
	if err := c.AddResource(loc, doc); err != nil {
		return nil, fmt.Errorf("event %q: invalid JSON Schema: %w", name, err)
	}
	s := &Schema{}
	if s.validator, err = c.Compile(loc); err != nil {
		return nil, fmt.Errorf("event %q: invalid JSON Schema: %w", name, err)
	}
	if s.sens, err = seal.NewSensitivity(doc); err != nil {
		return nil, fmt.Errorf("event %q: %w", name, err)
	}
	return s, nil
}

// uncheckedFormats are the formats of draft 2020-12 that the validator
// has no checker for, or checks otherwise than the standard says; why.
var uncheckedFormats = map[string]string{
	"idn-email":    "no checker for internationalized email addresses",
	"idn-hostname": "no checker for internationalized host names",
	"regex":        "it checks Go's regexp syntax, not ECMA-262's",
}

// uncheckedFormat finds a format of uncheckedFormats in a schema document
// (not in the values of enum, const, default and examples), with its JSON
// pointer.
func uncheckedFormat(v any, at string) (string, string) {
	switch x := v.(type) {
	case map[string]any:
		if f, ok := x["format"].(string); ok && uncheckedFormats[f] != "" {
			return at + "/format", f
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			switch k {
			case "enum", "const", "default", "examples":
				continue
			}
			if p, f := uncheckedFormat(x[k], at+"/"+jsonptr.Escape(k)); f != "" {
				return p, f
			}
		}
	case []any:
		for i, e := range x {
			if p, f := uncheckedFormat(e, fmt.Sprintf("%s/%d", at, i)); f != "" {
				return p, f
			}
		}
	}
	return "", ""
}

// noLoader refuses to load schemas from anywhere: an event schema must be
// self-contained, and starting an engine must not touch the network.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("%s: event schemas must be self-contained (refer only to their own $defs)", url)
}

// Validate decodes data (a JSON object) and validates it. It returns the
// decoded data (numbers as json.Number), for NormalizeIntegers and sealing,
// and the violations, sorted by pointer; an error is data that is not
// JSON.
func (s *Schema) Validate(data []byte) (any, []Violation, error) {
	v, bad, err := decodeData(data)
	if err != nil {
		return nil, nil, err
	}
	if bad = uncheckableNumbers(v, "/data", bad); len(bad) > 0 {
		slices.SortStableFunc(bad, func(a, b Violation) int { return strings.Compare(a.Pointer, b.Pointer) })
		return v, bad, nil
	}
	if err := s.validator.Validate(v); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, nil, fmt.Errorf("validating: %w", err)
		}
		return v, violations(ve, s.sens, v), nil
	}
	return v, nil, nil
}

// Numbers the validator can check: it compares every number with a
// schema's bounds as an exact rational, which for 1e999999999 costs
// gigabytes (and for a larger exponent panics in the validator). Event
// data never needs such numbers; float64 itself ends at 1.8e308.
const (
	maxNumberChars    = 1000
	maxNumberExponent = 1000
)

// uncheckableNumbers lists the numbers of v (as decodeData
// decodes them) that are longer than maxNumberChars or whose exponent is
// beyond ±maxNumberExponent, at their JSON pointers under at.
func uncheckableNumbers(v any, at string, out []Violation) []Violation {
	switch x := v.(type) {
	case json.Number:
		if len(x) > maxNumberChars {
			return append(out, Violation{at, fmt.Sprintf("number of %d characters; at most %d are accepted", len(x), maxNumberChars)})
		}
		if e := strings.IndexAny(string(x), "eE"); e >= 0 {
			exp, err := strconv.Atoi(string(x[e+1:]))
			if err != nil || exp > maxNumberExponent || exp < -maxNumberExponent {
				return append(out, Violation{at, fmt.Sprintf("number with an exponent beyond ±%d", maxNumberExponent)})
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			out = uncheckableNumbers(x[k], at+"/"+jsonptr.Escape(k), out)
		}
	case []any:
		for i, e := range x {
			out = uncheckableNumbers(e, at+"/"+strconv.Itoa(i), out)
		}
	}
	return out
}

// NormalizeIntegers rewrites the numbers of v (as Validate decodes
// them) that are integers written with a fraction or an exponent,
// such as 5.0 or 1e1, in plain integer form when they fit an int64. JSON
// Schema counts them as integers, so a schema of type integer accepts
// them, but encoding/json refuses to decode them into the int64 of the
// generated Go type: the run would fail on an event already stored. A
// float64 field decodes either form to the same value.
func NormalizeIntegers(v any) (any, bool) {
	switch x := v.(type) {
	case json.Number:
		if !strings.ContainsAny(string(x), ".eE") {
			return v, false
		}
		r, ok := new(big.Rat).SetString(string(x))
		if !ok || !r.IsInt() || !r.Num().IsInt64() {
			return v, false
		}
		return json.Number(r.Num().String()), true
	case map[string]any:
		changed := false
		for k, e := range x {
			if n, c := NormalizeIntegers(e); c {
				x[k], changed = n, true
			}
		}
		return x, changed
	case []any:
		changed := false
		for i, e := range x {
			if n, c := NormalizeIntegers(e); c {
				x[i], changed = n, true
			}
		}
		return x, changed
	}
	return v, false
}

// validateURI is format "uri" as RFC 3986 defines it: an absolute URI of
// ASCII characters only. The validator's own check accepts IRIs (non-ASCII
// hosts and paths) and backslashes, which every strict validator rejects.
func validateURI(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	if !uriRE.MatchString(s) || badPercent.MatchString(s) {
		return errors.New("not an RFC 3986 URI")
	}
	if _, err := url.Parse(s); err != nil {
		return errors.New("not an RFC 3986 URI")
	}
	return nil
}

// validateURIReference is format "uri-reference" as RFC 3986 defines it: a
// URI or a relative reference, of ASCII characters only.
func validateURIReference(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	if !uriReferenceChars.MatchString(s) || strings.Count(s, "#") > 1 || badPercent.MatchString(s) {
		return errors.New("not an RFC 3986 URI reference")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "" && !uriRE.MatchString(s)) {
		return errors.New("not an RFC 3986 URI reference")
	}
	return nil
}

// uriReferenceChars are the characters RFC 3986 allows in a URI reference.
var uriReferenceChars = regexp.MustCompile(`^[A-Za-z0-9._~!$&'()*+,;=:@/?#%\[\]-]*$`)

// badPercent finds a % not followed by two hex digits.
var badPercent = regexp.MustCompile(`%([^0-9A-Fa-f]|.[^0-9A-Fa-f]|.?$)`)

// uriRE is RFC 3986's URI: a scheme, then only unreserved, reserved and
// percent-encoded characters, at most one # and brackets only around an
// IP literal host.
var uriRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:` +
	`(//([A-Za-z0-9._~!$&'()*+,;=:%-]*@)?(\[[0-9A-Fa-f:.vV]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]*)(:[0-9]*)?)?` +
	`([A-Za-z0-9._~!$&'()*+,;=:@/%-]*)` +
	`(\?[A-Za-z0-9._~!$&'()*+,;=:@/?%-]*)?` +
	`(#[A-Za-z0-9._~!$&'()*+,;=:@/?%-]*)?$`)

// violations flattens a validation error into its leaves, with pointers into
// the envelope. Reasons at sensitive locations never quote the value.
func violations(ve *jsonschema.ValidationError, sens *seal.Sensitivity, data any) []Violation {
	var secret []string
	if sens != nil {
		_, _ = sens.Transform(data, func(ptr string, v any) (any, error) {
			secret = append(secret, ptr)
			return v, nil
		})
	}
	isSecret := func(ptr string) bool {
		for _, s := range secret {
			if ptr == s || strings.HasPrefix(ptr, s+"/") {
				return true
			}
		}
		return false
	}
	var out []Violation
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		ptr := "/data" + jsonptr.Join(e.InstanceLocation)
		switch k := e.ErrorKind.(type) {
		case *kind.Required:
			for _, m := range k.Missing {
				out = append(out, Violation{ptr + "/" + jsonptr.Escape(m), "is required but missing"})
			}
		case *kind.AdditionalProperties:
			for _, p := range k.Properties {
				out = append(out, Violation{ptr + "/" + jsonptr.Escape(p), "is not a property of the schema"})
			}
		default:
			out = append(out, Violation{ptr, reason(e.ErrorKind, isSecret(ptr))})
		}
	}
	walk(ve)
	slices.SortFunc(out, func(a, b Violation) int {
		if c := strings.Compare(a.Pointer, b.Pointer); c != 0 {
			return c
		}
		return strings.Compare(a.Reason, b.Reason)
	})
	return slices.Compact(out)
}

// reason describes a violation. The validator's own messages quote the
// offending value for formats and patterns (and numbers for bounds); those
// are rephrased so that no value leaks into errors and logs.
func reason(k jsonschema.ErrorKind, secret bool) string {
	switch k := k.(type) {
	case *kind.Format:
		return fmt.Sprintf("is not a valid %s", k.Want)
	case *kind.Pattern:
		return fmt.Sprintf("does not match the pattern %q", k.Want)
	// The validator's messages print bounds as float64s: -1e-400 as 0,
	// 9007199254740993 as 9007199254740992. These print them exactly.
	case *kind.Minimum:
		return bound(">=", k.Want, k.Got, secret)
	case *kind.Maximum:
		return bound("<=", k.Want, k.Got, secret)
	case *kind.ExclusiveMinimum:
		return bound(">", k.Want, k.Got, secret)
	case *kind.ExclusiveMaximum:
		return bound("<", k.Want, k.Got, secret)
	case *kind.MultipleOf:
		return bound("a multiple of", k.Want, k.Got, secret)
	}
	if secret {
		switch k.(type) {
		case *kind.Type, *kind.Enum, *kind.Const, *kind.MinLength, *kind.MaxLength:
			// Their messages quote the schema, never the value.
		default:
			return fmt.Sprintf("fails %q (details withheld: the field is sensitive)", strings.Join(k.KeywordPath(), "/"))
		}
	}
	return k.LocalizedString(printer)
}

// bound says that a value must be rel want; it quotes the value got unless
// it is secret.
func bound(rel string, want, got *big.Rat, secret bool) string {
	msg := "must be " + rel + " " + ratString(want)
	if !secret {
		msg += ", got " + ratString(got)
	}
	return msg
}

// ratString writes r exactly: as a decimal when it has one (every number
// JSON can write does), else as a fraction.
func ratString(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	if r.IsInt() {
		return shortDecimal(r.Num().String())
	}
	// A decimal needs as many digits after the point as the larger power
	// of 2 or 5 in the denominator.
	d := new(big.Int).Set(r.Denom())
	digits := 0
	for _, p := range []int64{2, 5} {
		n, q, m := 0, new(big.Int), new(big.Int)
		for {
			q.QuoRem(d, big.NewInt(p), m)
			if m.Sign() != 0 {
				break
			}
			d.Set(q)
			n++
		}
		digits = max(digits, n)
	}
	if d.Cmp(big.NewInt(1)) != 0 {
		return r.String() // a fraction such as 1/3
	}
	return shortDecimal(strings.TrimRight(r.FloatString(digits), "0"))
}

// shortDecimal writes an exact decimal of more than 24 characters, such as
// 1e-400's, in exponent form, keeping every significant digit.
func shortDecimal(s string) string {
	if len(s) <= 24 {
		return s
	}
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	exp := len(intPart) - 1 - (len(intPart+frac) - len(strings.TrimLeft(intPart+frac, "0")))
	digits = strings.TrimRight(digits, "0")
	if len(digits) > 1 {
		digits = digits[:1] + "." + digits[1:]
	}
	return fmt.Sprintf("%s%se%d", sign, digits, exp)
}
