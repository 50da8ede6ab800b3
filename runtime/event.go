package runtime

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Event is the envelope of an event, compatible with Inngest's:
// {"name", "data", "id", "ts" (milliseconds since the Unix epoch), "v"}.
//
// Data may be any value that encodes to a JSON object. Events sent without an
// ID get one; events sent with an ID already seen are deduplicated.
type Event struct {
	Name string `json:"name"`
	Data any    `json:"data"`
	ID   string `json:"id,omitempty"`
	TS   int64  `json:"ts,omitempty"`
	V    string `json:"v,omitempty"`
}

// TypedEvent is an event whose data has been decoded into T.
type TypedEvent[T any] struct {
	Name string `json:"name"`
	Data T      `json:"data"`
	ID   string `json:"id"`
	TS   int64  `json:"ts"`
	V    string `json:"v,omitempty"`
}

// Untyped turns the event back into an envelope.
func (e TypedEvent[T]) Untyped() Event {
	return Event{Name: e.Name, Data: e.Data, ID: e.ID, TS: e.TS, V: e.V}
}

// EventType describes one kind of event: its name, version and JSON Schema,
// with T the Go type of its data. `durable generate` emits one per catalog
// entry; hand-written code can use NewEventType.
type EventType[T any] struct {
	name    string
	version string
	schema  json.RawMessage
}

// NewEventType returns the description of an event kind. Schema is the JSON
// Schema of the event data, or nil; when set, the engine validates every event
// of this name against it before storing the event (give the event types to
// the engine in Options.Events).
//
// Without a schema, fields of T tagged `durable:"sensitive"` (at any depth)
// are still encrypted at rest: the event type gets a schema that marks them
// and checks nothing else.
func NewEventType[T any](name, version string, schema []byte) EventType[T] {
	if schema == nil {
		if marks := sensitiveSchema(reflect.TypeFor[T](), map[reflect.Type]bool{}); marks != nil {
			schema, _ = json.Marshal(marks)
		}
	}
	return EventType[T]{name: name, version: version, schema: json.RawMessage(schema)}
}

// sensitiveSchema returns a JSON Schema that marks with "x-sensitive" the
// fields of t tagged `durable:"sensitive"`, or nil when there are none.
func sensitiveSchema(t reflect.Type, seen map[reflect.Type]bool) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		if items := sensitiveSchema(t.Elem(), seen); items != nil {
			return map[string]any{"items": items}
		}
		return nil
	case reflect.Map:
		if values := sensitiveSchema(t.Elem(), seen); values != nil {
			return map[string]any{"additionalProperties": values}
		}
		return nil
	case reflect.Struct:
	default:
		return nil
	}
	if seen[t] {
		return nil
	}
	seen[t] = true
	defer delete(seen, t)
	props := map[string]any{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		jsonName, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if jsonName == "-" {
			continue
		}
		if f.Anonymous && jsonName == "" {
			if inner := sensitiveSchema(f.Type, seen); inner != nil {
				if p, ok := inner["properties"].(map[string]any); ok {
					for k, v := range p {
						props[k] = v
					}
				}
			}
			continue
		}
		if jsonName == "" {
			jsonName = f.Name
		}
		if slices.Contains(strings.Split(f.Tag.Get("durable"), ","), "sensitive") {
			props[jsonName] = map[string]any{"x-sensitive": true}
		} else if inner := sensitiveSchema(f.Type, seen); inner != nil {
			props[jsonName] = inner
		}
	}
	if len(props) == 0 {
		return nil
	}
	return map[string]any{"type": "object", "properties": props}
}

// Name is the event name, such as "shop/order.created".
func (t EventType[T]) Name() string { return t.name }

// Version is the catalog version of the event ("v" in the envelope).
func (t EventType[T]) Version() string { return t.version }

// Schema is the JSON Schema of the event's data, or nil.
func (t EventType[T]) Schema() json.RawMessage { return t.schema }

// New returns an event of this type carrying data.
func (t EventType[T]) New(data T) Event {
	return Event{Name: t.name, Data: data, V: t.version}
}

// Trigger triggers a function on every event of this type.
func (t EventType[T]) Trigger() Trigger { return EventTrigger(t.name, "") }

// TriggerIf triggers a function on events of this type for which the CEL
// expression ifExpr holds, with the event in scope as `event`.
func (t EventType[T]) TriggerIf(ifExpr string) Trigger { return EventTrigger(t.name, ifExpr) }

// Decode decodes an event envelope into a TypedEvent of this type.
func (t EventType[T]) Decode(raw []byte) (TypedEvent[T], error) {
	return DecodeEvent[T](raw)
}

// DecodeEvent decodes a JSON event envelope into a TypedEvent[T].
func DecodeEvent[T any](raw []byte) (TypedEvent[T], error) {
	var ev TypedEvent[T]
	if err := json.Unmarshal(raw, &ev); err != nil {
		return ev, fmt.Errorf("decoding event data: %w", err)
	}
	return ev, nil
}

// Names of the events the engine itself emits.
const (
	// FunctionFailedEvent is sent once for every run that fails for good, with
	// FunctionFailedData as its data.
	FunctionFailedEvent = "durable/function.failed"
	// FunctionInvokedEvent is the triggering event of a run started by step.Invoke.
	FunctionInvokedEvent = "durable/function.invoked"
	// CronEvent is the triggering event of a run started by a cron trigger.
	CronEvent = "durable/cron"
)

// FunctionFailedData is the data of FunctionFailedEvent.
type FunctionFailedData struct {
	FunctionID string          `json:"function_id"`
	RunID      string          `json:"run_id"`
	Event      json.RawMessage `json:"event"`
	Error      string          `json:"error"`
}

// FunctionFailed describes the system event sent when a run fails for good.
var FunctionFailed = NewEventType[FunctionFailedData](FunctionFailedEvent, "", nil)

// CronData is the data of a run started by a cron trigger.
type CronData struct {
	Cron string `json:"cron"`
	// At is the scheduled time of the tick, RFC 3339.
	At string `json:"at"`
}
