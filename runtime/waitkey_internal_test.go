package runtime

import (
	"encoding/json"
	"testing"

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
