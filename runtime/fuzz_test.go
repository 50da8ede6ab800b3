package runtime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
)

// fuzzData is event data of the shape durable generate emits: scalars,
// times, lists, maps, nested objects.
type fuzzData struct {
	ID    string             `json:"id"`
	N     int64              `json:"n,omitempty"`
	X     float64            `json:"x,omitempty"`
	OK    *bool              `json:"ok,omitempty"`
	At    time.Time          `json:"at"`
	Tags  []string           `json:"tags,omitempty"`
	Attrs map[string]any     `json:"attrs,omitempty"`
	Items []fuzzItem         `json:"items,omitempty"`
	ByKey map[string]float64 `json:"by_key,omitempty"`
}

type fuzzItem struct {
	SKU string `json:"sku"`
	Qty int64  `json:"qty"`
}

// FuzzDecodeEvent decodes arbitrary event envelopes
// ({"name","data","id","ts","v"}) into free-form and typed data. Property:
// an envelope that decodes re-encodes to one that decodes, with the same
// name, ID, timestamp and version, and encodes to the same bytes again
// (decoding loses nothing that encoding keeps).
func FuzzDecodeEvent(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		roundTrip[map[string]any](t, raw)
		roundTrip[json.RawMessage](t, raw)
		roundTrip[fuzzData](t, raw)
	})
}

func roundTrip[T any](t *testing.T, raw []byte) {
	t.Helper()
	ev, err := runtime.DecodeEvent[T](raw)
	if err != nil {
		return
	}
	enc, err := json.Marshal(ev)
	if err != nil {
		t.Fatalf("%T: decoded %+v from %q but cannot encode it: %v", ev.Data, ev, raw, err)
	}
	again, err := runtime.DecodeEvent[T](enc)
	if err != nil {
		t.Fatalf("%T: re-encoded envelope %s does not decode: %v", ev.Data, enc, err)
	}
	enc2, err := json.Marshal(again)
	if err != nil {
		t.Fatalf("%T: %v", ev.Data, err)
	}
	if !bytes.Equal(enc, enc2) {
		t.Fatalf("%T: envelope changes when re-encoded:\n first  %s\n second %s", ev.Data, enc, enc2)
	}
	// The envelope's own fields survive exactly; data may only lose what
	// omitempty drops (an empty list or map), which the byte comparison
	// above shows is a fixed point.
	if ev.Name != again.Name || ev.ID != again.ID || ev.TS != again.TS || ev.V != again.V {
		t.Fatalf("%T: envelope fields changed in a round trip: %q %q %d %q, then %q %q %d %q",
			ev.Data, ev.Name, ev.ID, ev.TS, ev.V, again.Name, again.ID, again.TS, again.V)
	}
	// The untyped envelope carries the same event.
	u, err := json.Marshal(ev.Untyped())
	if err != nil {
		t.Fatalf("%T: untyped envelope does not encode: %v", ev.Data, err)
	}
	var back runtime.TypedEvent[T]
	if err := json.Unmarshal(u, &back); err != nil {
		t.Fatalf("%T: untyped envelope %s does not decode: %v", ev.Data, u, err)
	}
}

// maxExprErrorBytes bounds the message of a definition error caused by one
// expression: it quotes excerpts of the source, never the whole of it.
const maxExprErrorBytes = 2 << 10

// exprFields are the places a function definition takes a CEL expression.
var exprFields = []struct {
	name string
	opts func(src string) (runtime.FunctionOpts, runtime.Trigger)
}{
	{"trigger If", func(src string) (runtime.FunctionOpts, runtime.Trigger) {
		return runtime.FunctionOpts{ID: "fuzz"}, runtime.EventTrigger("app/thing.happened", src)
	}},
	{"Idempotency", func(src string) (runtime.FunctionOpts, runtime.Trigger) {
		return runtime.FunctionOpts{ID: "fuzz", Idempotency: src}, runtime.EventTrigger("app/thing.happened", "")
	}},
	{"Concurrency[0]", func(src string) (runtime.FunctionOpts, runtime.Trigger) {
		return runtime.FunctionOpts{ID: "fuzz", Concurrency: []runtime.Concurrency{{Limit: 1, Key: src}}}, runtime.EventTrigger("app/thing.happened", "")
	}},
	{"Priority", func(src string) (runtime.FunctionOpts, runtime.Trigger) {
		return runtime.FunctionOpts{ID: "fuzz", Priority: &runtime.Priority{Run: src}}, runtime.EventTrigger("app/thing.happened", "")
	}},
	{"Cancel[0]", func(src string) (runtime.FunctionOpts, runtime.Trigger) {
		return runtime.FunctionOpts{ID: "fuzz", Cancel: []runtime.Cancel{{Event: "app/thing.cancelled", If: src}}}, runtime.EventTrigger("app/thing.happened", "")
	}},
}

// FuzzCompileExpressions defines functions whose trigger If, idempotency
// key, concurrency key, priority or cancel condition is an arbitrary CEL
// expression. Properties: a bad expression is a definition error (a value
// from Function.Err, never a panic) that names where the expression is and
// stays under maxExprErrorBytes; an expression that compiles in one key field
// compiles in every key field.
func FuzzCompileExpressions(f *testing.F) {
	handler := func(context.Context, runtime.Input[map[string]any]) (any, error) { return nil, nil }
	f.Fuzz(func(t *testing.T, src string) {
		if src == "" {
			return // no expression: nothing is compiled
		}
		keyErr := map[string]bool{}
		for _, field := range exprFields {
			opts, trigger := field.opts(src)
			err := runtime.NewFunction(opts, trigger, handler).Err()
			if err == nil {
				keyErr[field.name] = false
				continue
			}
			keyErr[field.name] = true
			msg := err.Error()
			if len(msg) > maxExprErrorBytes {
				t.Errorf("%s: error of %d bytes for a %d-byte expression (over %d):\n%.600s…", field.name, len(msg), len(src), maxExprErrorBytes, msg)
			}
			where := field.name
			if where == "trigger If" {
				where = "If expression"
			}
			if !strings.Contains(msg, where) {
				t.Errorf("%s: error does not name %q: %s", field.name, where, msg)
			}
		}
		if keyErr["Idempotency"] != keyErr["Concurrency[0]"] {
			t.Errorf("%q: Idempotency error %v, Concurrency key error %v; key fields compile alike", src, keyErr["Idempotency"], keyErr["Concurrency[0]"])
		}
	})
}
