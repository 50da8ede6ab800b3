package runtime

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/durable-go/durable/runtime/internal/expr"
	"github.com/durable-go/durable/runtime/store"
)

// A wait is keyed only for the If shape async.<path> == event.<path>, with
// a scalar on the event side.
func TestKeyedWait(t *testing.T) {
	trigger := json.RawMessage(`{"name":"shop/order.created","data":{"order_id":"o1","n":7,"neg":-0,"ok":true,"obj":{"a":1},"nil":null,"deep":{"id":"d"}}}`)
	for _, tc := range []struct {
		ifSrc, path, key string
	}{
		{"async.data.order_id == event.data.order_id", "data.order_id", `"o1"`},
		{"  event.data.order_id==async.data.ref ", "data.ref", `"o1"`},
		{"async.data.x == event.data.deep.id", "data.x", `"d"`},
		{"async.data.n == event.data.n", "data.n", `7`},
		{"async.data.n == event.data.neg", "data.n", `0`},
		{"async.data.ok == event.data.ok", "data.ok", `true`},
		// Not keyed: evaluated as before.
		{"async.data.o == event.data.obj", "", ""},
		{"async.data.o == event.data.nil", "", ""},
		{"async.data.o == event.data.missing", "", ""},
		{"async.data.a == async.data.b", "", ""},
		{"event.data.a == event.data.b", "", ""},
		{"async.data.order_id == event.data.order_id && async.data.n > 1", "", ""},
		{"async.data.order_id != event.data.order_id", "", ""},
		{"async.data['order_id'] == event.data.order_id", "", ""},
		{"", "", ""},
	} {
		w := keyed(store.Wait{If: tc.ifSrc, Trigger: trigger})
		if w.MatchPath != tc.path || w.MatchKey != tc.key {
			t.Errorf("%q: keyed on (%q, %q), want (%q, %q)", tc.ifSrc, w.MatchPath, w.MatchKey, tc.path, tc.key)
		}
	}
}

// Two values have the same key exactly when CEL's == holds between them,
// so that the key never hides a wait its If would match.
func TestValueKeyAgreesWithCEL(t *testing.T) {
	values := []string{`"1"`, `1`, `1.0`, `1e0`, `-0`, `0`, `0.5`, `true`, `false`, `"true"`, `""`, `"é"`, `"\u00e9"`, `9007199254740993`, `9007199254740992`}
	prog, err := expr.Cached("async.data.x == event.data.y", true, defaultLimits.eval)
	if err != nil {
		t.Fatal(err)
	}
	lim := Options{}.limits()
	for _, a := range values {
		for _, b := range values {
			async, err := expr.DecodeEnvelope(json.RawMessage(fmt.Sprintf(`{"data":{"x":%s}}`, a)))
			if err != nil {
				t.Fatal(err)
			}
			event, err := expr.DecodeEnvelope(json.RawMessage(fmt.Sprintf(`{"data":{"y":%s}}`, b)))
			if err != nil {
				t.Fatal(err)
			}
			eq, evalErr := prog.Match(lim.eval, map[string]any{"event": event, "async": async})
			if evalErr != nil {
				t.Fatalf("%s == %s: %v", a, b, evalErr)
			}
			ka, _ := valueKey(async, "data.x")
			kb, _ := valueKey(event, "data.y")
			if (ka == kb) != eq {
				t.Errorf("%s == %s is %v in CEL, but their keys are %q and %q", a, b, eq, ka, kb)
			}
		}
	}
}
