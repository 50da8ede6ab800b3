package runtime

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
	"github.com/durable-go/durable/runtime/internal/quote"
	"github.com/durable-go/durable/runtime/internal/seal"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// EventDescriptor describes an event type of the catalog: its name, its
// version and the JSON Schema of its data. Every EventType[T] is one, so the
// generated events.Events() can be given to Options.Events as it is.
type EventDescriptor interface {
	Name() string
	Version() string
	// Schema is the JSON Schema (draft 2020-12 unless it says otherwise
	// with $schema) of the event's data, or nil for no validation.
	Schema() json.RawMessage
}

var _ EventDescriptor = EventType[struct{}]{}

// Violation is one way in which an event breaks the schema of its type.
type Violation struct {
	// Pointer is the JSON pointer (RFC 6901) of the offending value within
	// the event envelope, such as /data/items/0/quantity. A missing
	// required field is pointed at where it should be.
	Pointer string
	// Reason says what is wrong. It never quotes the value of a field the
	// schema marks sensitive.
	Reason string
}

// String bounds and escapes what it quotes: pointers are made of the
// event's keys, and reasons may quote them.
func (v Violation) String() string { return quote.Inline(v.Pointer) + ": " + quote.Inline(v.Reason) }

// EventValidationError rejects an event whose data does not match the JSON
// Schema of its event type (Options.Events). Nothing of the batch it was sent
// in is stored.
type EventValidationError struct {
	// Index is the position of the event in the batch sent.
	Index int
	Name  string
	// ID is the event's ID, as given or as assigned for this send.
	ID string
	// Violations lists every violation, sorted by pointer.
	Violations []Violation
}

// maxViolationsShown bounds the violations Error lists (all are in
// Violations): a list of a thousand bad items makes a thousand.
const maxViolationsShown = 20

func (e *EventValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "runtime: event %d (%s, id %s) does not match the schema of its type (%d violation", e.Index, quote.Excerpt(e.Name, 0), quote.Inline(e.ID), len(e.Violations))
	if len(e.Violations) != 1 {
		b.WriteByte('s')
	}
	b.WriteString("):")
	for i, v := range e.Violations {
		if i == maxViolationsShown {
			fmt.Fprintf(&b, "\n\tand %d more", len(e.Violations)-i)
			break
		}
		b.WriteString("\n\t")
		b.WriteString(v.String())
	}
	return b.String()
}

// eventCatalog holds what the engine knows about the catalogued event types:
// the compiled schemas, where their sensitive fields are, and the key that
// encrypts those.
type eventCatalog struct {
	types map[string]*eventKind
	// sealer encrypts sensitive fields; nil when no key is set (then no
	// catalogued type has sensitive fields).
	sealer *seal.Sealer
}

type eventKind struct {
	name   string
	schema *jsonschema.Schema // nil: no validation
	// sens finds the sensitive values of an event's data; nil when the
	// schema marks none.
	sens *seal.Sensitivity
}

// newEventCatalog compiles the schemas of the event types and loads the
// encryption key. It reports every problem at once.
func newEventCatalog(types []EventDescriptor, key []byte) (*eventCatalog, error) {
	c := &eventCatalog{types: map[string]*eventKind{}}
	var errs []error
	var sensitive []string
	for i, t := range types {
		if t == nil {
			errs = append(errs, fmt.Errorf("Options.Events[%d] is nil", i))
			continue
		}
		name := t.Name()
		if name == "" {
			errs = append(errs, fmt.Errorf("Options.Events[%d] has no name", i))
			continue
		}
		if _, dup := c.types[name]; dup {
			errs = append(errs, fmt.Errorf("event %q: given twice in Options.Events", name))
			continue
		}
		k, err := compileEventKind(name, t.Schema())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.types[name] = k
		if k.sens != nil {
			sensitive = append(sensitive, name)
		}
	}
	k, err := encryptionKey(key)
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if k == nil {
		if len(sensitive) > 0 {
			slices.Sort(sensitive)
			return nil, fmt.Errorf("catalogued events have sensitive fields (%s) and no encryption key is set: "+
				"set Options.EncryptionKey (32 bytes) or %s (base64 of 32 bytes, for example from `openssl rand -base64 32`)",
				strings.Join(sensitive, ", "), EncryptionKeyEnv)
		}
		return c, nil
	}
	if c.sealer, err = seal.New(k); err != nil {
		return nil, err
	}
	return c, nil
}

func compileEventKind(name string, raw json.RawMessage) (*eventKind, error) {
	k := &eventKind{name: name}
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return k, nil
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
	if k.schema, err = c.Compile(loc); err != nil {
		return nil, fmt.Errorf("event %q: invalid JSON Schema: %w", name, err)
	}
	if k.sens, err = seal.NewSensitivity(doc); err != nil {
		return nil, fmt.Errorf("event %q: %w", name, err)
	}
	return k, nil
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

// prepare validates the data of event i (already encoded as a JSON object)
// against the schema of its type, then encrypts its sensitive fields. It
// returns the data to store.
func (c *eventCatalog) prepare(i int, name, id string, data json.RawMessage) (json.RawMessage, error) {
	if c == nil {
		return data, nil
	}
	k := c.types[name]
	if k == nil || (k.schema == nil && k.sens == nil) {
		return data, nil
	}
	v, bad, err := decodeEventData(data)
	if err != nil {
		return nil, fmt.Errorf("runtime: event %d (%q): %w", i, name, err)
	}
	if k.schema != nil {
		if bad = uncheckableNumbers(v, "/data", bad); len(bad) > 0 {
			slices.SortStableFunc(bad, func(a, b Violation) int { return strings.Compare(a.Pointer, b.Pointer) })
			return nil, &EventValidationError{Index: i, Name: name, ID: id, Violations: bad}
		}
		if err := k.schema.Validate(v); err != nil {
			var ve *jsonschema.ValidationError
			if !errors.As(err, &ve) {
				return nil, fmt.Errorf("runtime: event %d (%q): validating: %w", i, name, err)
			}
			return nil, &EventValidationError{Index: i, Name: name, ID: id, Violations: violations(ve, k.sens, v)}
		}
	}
	v, changed := normalizeIntegers(v)
	if k.sens == nil {
		if !changed {
			return data, nil
		}
		return marshalData(i, name, v)
	}
	v, err = k.sens.Transform(v, func(ptr string, val any) (any, error) {
		return c.sealer.Seal(id, ptr, val)
	})
	if err != nil {
		return nil, fmt.Errorf("runtime: event %d (%q): %w", i, name, err)
	}
	return marshalData(i, name, v)
}

// Numbers the validator can check: it compares every number with a
// schema's bounds as an exact rational, which for 1e999999999 costs
// gigabytes (and for a larger exponent panics in the validator). Event
// data never needs such numbers; float64 itself ends at 1.8e308.
const (
	maxNumberChars    = 1000
	maxNumberExponent = 1000
)

// uncheckableNumbers lists the numbers of v (as decodeEventData
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

func marshalData(i int, name string, v any) (json.RawMessage, error) {
	out, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("runtime: event %d (%q): %w", i, name, err)
	}
	return out, nil
}

// normalizeIntegers rewrites the numbers of v (as decodeEventData
// decodes them) that are integers written with a fraction or an exponent,
// such as 5.0 or 1e1, in plain integer form when they fit an int64. JSON
// Schema counts them as integers, so a schema of type integer accepts
// them, but encoding/json refuses to decode them into the int64 of the
// generated Go type: the run would fail on an event already stored. A
// float64 field decodes either form to the same value.
func normalizeIntegers(v any) (any, bool) {
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
			if n, c := normalizeIntegers(e); c {
				x[k], changed = n, true
			}
		}
		return x, changed
	case []any:
		changed := false
		for i, e := range x {
			if n, c := normalizeIntegers(e); c {
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
