package runtime

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/durable-go/durable/runtime/internal/expr"
	"github.com/durable-go/durable/runtime/store"
)

// keyShape is a wait If of the shape `async.<path> == event.<path>` (in
// either order): the event side is known when the wait is created, so the
// store can find the wait by the awaited event's value at the async path
// instead of the engine evaluating every wait's If for every event.
var keyShape = regexp.MustCompile(`^\s*(async|event)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*==\s*(async|event)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*$`)

// keyed sets w's MatchPath and MatchKey when its If has the key shape and
// its trigger has a scalar at the event path. Otherwise w is found by its
// event name alone and its If evaluated, as before. The If is still
// evaluated for a keyed wait: the key only narrows the waits read.
func keyed(w store.Wait) store.Wait {
	m := keyShape.FindStringSubmatch(w.If)
	if m == nil || m[1] == m[3] {
		return w
	}
	asyncPath, eventPath := m[2][1:], m[4][1:]
	if m[1] == "event" {
		asyncPath, eventPath = eventPath, asyncPath
	}
	trig, err := expr.DecodeEnvelope(w.Trigger)
	if err != nil {
		return w
	}
	if key, ok := valueKey(trig, eventPath); ok {
		w.MatchPath, w.MatchKey = asyncPath, key
	}
	return w
}

// matchParams selects the waits env may complete.
func (env *envelope) matchParams() store.MatchWaitsParams {
	return store.MatchWaitsParams{EventName: env.Name, KeyOf: func(path string) (string, bool) {
		return valueKey(env.vars, path)
	}}
}

// valueKey returns the canonical JSON of the scalar at the dotted path of
// v: two values have the same key if and only if CEL's == holds between
// them (JSON numbers are doubles, and -0 == 0). Other values (objects,
// arrays, null, a missing field) have none.
func valueKey(v map[string]any, path string) (string, bool) {
	var cur any = v
	for name := range strings.SplitSeq(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		if cur, ok = m[name]; !ok {
			return "", false
		}
	}
	switch x := cur.(type) {
	case float64:
		if x == 0 {
			x = 0 // -0
		}
		cur = x
	case string, bool:
	default:
		return "", false
	}
	b, err := json.Marshal(cur)
	return string(b), err == nil
}
