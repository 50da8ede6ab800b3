package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/durable-go/durable/runtime/internal/eventschema"
	"github.com/durable-go/durable/runtime/internal/quote"
	"github.com/durable-go/durable/runtime/internal/seal"
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
	schema *eventschema.Schema // nil: no validation
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
	s, err := eventschema.Compile(name, raw)
	if err != nil {
		return nil, err
	}
	k := &eventKind{name: name, schema: s}
	if s != nil {
		k.sens = s.Sensitivity()
	}
	return k, nil
}

// prepare validates the data of event i (already encoded as a JSON object)
// against the schema of its type, then encrypts its sensitive fields. It
// returns the data to store.
func (c *eventCatalog) prepare(i int, name, id string, data json.RawMessage) (json.RawMessage, error) {
	if c == nil {
		return data, nil
	}
	k := c.types[name]
	if k == nil || k.schema == nil { // the sensitive fields are the schema's
		return data, nil
	}
	v, bad, err := k.schema.Validate(data)
	if err != nil {
		return nil, fmt.Errorf("runtime: event %d (%q): %w", i, name, err)
	}
	if len(bad) > 0 {
		vs := make([]Violation, len(bad))
		for j, b := range bad {
			vs[j] = Violation(b)
		}
		return nil, &EventValidationError{Index: i, Name: name, ID: id, Violations: vs}
	}
	v, changed := eventschema.NormalizeIntegers(v)
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

func marshalData(i int, name string, v any) (json.RawMessage, error) {
	out, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("runtime: event %d (%q): %w", i, name, err)
	}
	return out, nil
}
