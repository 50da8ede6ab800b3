package expr

import (
	"encoding/json"
	"regexp"
	"strings"
)

// equalityShape is a wait If of the shape `async.<path> == event.<path>` (in
// either order): the event side is known when the wait is created, so the
// store can find the wait by the awaited event's value at the async path
// instead of the engine evaluating every wait's If for every event.
var equalityShape = regexp.MustCompile(`^\s*(async|event)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*==\s*(async|event)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*$`)

// EqualityPaths reports whether src has the shape `async.<path> ==
// event.<path>` (in either order) and returns the two dotted paths, without
// their leading async. and event.
func EqualityPaths(src string) (asyncPath, eventPath string, ok bool) {
	m := equalityShape.FindStringSubmatch(src)
	if m == nil || m[1] == m[3] {
		return "", "", false
	}
	asyncPath, eventPath = m[2][1:], m[4][1:]
	if m[1] == "event" {
		asyncPath, eventPath = eventPath, asyncPath
	}
	return asyncPath, eventPath, true
}

// ValueKey returns the canonical JSON of the scalar at the dotted path of
// v: two values have the same key if and only if CEL's == holds between
// them (JSON numbers are doubles, and -0 == 0). Other values (objects,
// arrays, null, a missing field) have none.
func ValueKey(v map[string]any, path string) (string, bool) {
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
