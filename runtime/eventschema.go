package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

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
func (v Violation) String() string { return inline(v.Pointer) + ": " + inline(v.Reason) }

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
	fmt.Fprintf(&b, "runtime: event %d (%s, id %s) does not match the schema of its type (%d violation", e.Index, excerpt(e.Name, 0), inline(e.ID), len(e.Violations))
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
	sealer *sealer
}

type eventKind struct {
	name   string
	schema *jsonschema.Schema // nil: no validation
	// sens finds the sensitive values of an event's data; nil when the
	// schema marks none.
	sens *sensitivity
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
	if c.sealer, err = newSealer(k); err != nil {
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
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(noLoader{})
	loc := "urn:durable:event:" + name
	if err := c.AddResource(loc, doc); err != nil {
		return nil, fmt.Errorf("event %q: invalid JSON Schema: %w", name, err)
	}
	if k.schema, err = c.Compile(loc); err != nil {
		return nil, fmt.Errorf("event %q: invalid JSON Schema: %w", name, err)
	}
	if k.sens, err = newSensitivity(doc); err != nil {
		return nil, fmt.Errorf("event %q: %w", name, err)
	}
	return k, nil
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
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("runtime: event %d (%q): %w", i, name, err)
	}
	if k.schema != nil {
		if err := k.schema.Validate(v); err != nil {
			var ve *jsonschema.ValidationError
			if !errors.As(err, &ve) {
				return nil, fmt.Errorf("runtime: event %d (%q): validating: %w", i, name, err)
			}
			return nil, &EventValidationError{Index: i, Name: name, ID: id, Violations: violations(ve, k.sens, v)}
		}
	}
	if k.sens == nil {
		return data, nil
	}
	v, err = k.sens.transform(v, func(ptr string, val any) (any, error) {
		return c.sealer.seal(id, ptr, val)
	})
	if err != nil {
		return nil, fmt.Errorf("runtime: event %d (%q): %w", i, name, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("runtime: event %d (%q): %w", i, name, err)
	}
	return out, nil
}

// violations flattens a validation error into its leaves, with pointers into
// the envelope. Reasons at sensitive locations never quote the value.
func violations(ve *jsonschema.ValidationError, sens *sensitivity, data any) []Violation {
	var secret []string
	if sens != nil {
		_, _ = sens.transform(data, func(ptr string, v any) (any, error) {
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
		ptr := "/data" + jsonPointer(e.InstanceLocation)
		switch k := e.ErrorKind.(type) {
		case *kind.Required:
			for _, m := range k.Missing {
				out = append(out, Violation{ptr + "/" + escapePointer(m), "is required but missing"})
			}
		case *kind.AdditionalProperties:
			for _, p := range k.Properties {
				out = append(out, Violation{ptr + "/" + escapePointer(p), "is not a property of the schema"})
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
	}
	if secret {
		switch k := k.(type) {
		case *kind.Minimum:
			return "must be >= " + ratString(k.Want)
		case *kind.Maximum:
			return "must be <= " + ratString(k.Want)
		case *kind.ExclusiveMinimum:
			return "must be > " + ratString(k.Want)
		case *kind.ExclusiveMaximum:
			return "must be < " + ratString(k.Want)
		case *kind.MultipleOf:
			return "must be a multiple of " + ratString(k.Want)
		case *kind.Type, *kind.Enum, *kind.Const, *kind.MinLength, *kind.MaxLength:
			// Their messages quote the schema, never the value.
		default:
			return fmt.Sprintf("fails %q (details withheld: the field is sensitive)", strings.Join(k.KeywordPath(), "/"))
		}
	}
	return k.LocalizedString(printer)
}

func ratString(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return fmt.Sprint(f)
}

func jsonPointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escapePointer(t))
	}
	return b.String()
}

func escapePointer(tok string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(tok)
}
