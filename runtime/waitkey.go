package runtime

import (
	"github.com/durable-go/durable/runtime/internal/expr"
	"github.com/durable-go/durable/runtime/store"
)

// keyed sets w's MatchPath and MatchKey when its If has the shape
// `async.<path> == event.<path>` (in either order) and its trigger has a
// scalar at the event path: the store then finds the wait by the awaited
// event's value at the async path. Otherwise w is found by its event name
// alone and its If evaluated, as before. The If is still evaluated for a
// keyed wait: the key only narrows the waits read.
func keyed(w store.Wait) store.Wait {
	asyncPath, eventPath, ok := expr.EqualityPaths(w.If)
	if !ok {
		return w
	}
	trig, err := expr.DecodeEnvelope(w.Trigger)
	if err != nil {
		return w
	}
	if key, ok := expr.ValueKey(trig, eventPath); ok {
		w.MatchPath, w.MatchKey = asyncPath, key
	}
	return w
}

// matchParams selects the waits env may complete.
func (env *envelope) matchParams() store.MatchWaitsParams {
	return store.MatchWaitsParams{EventName: env.Name, KeyOf: func(path string) (string, bool) {
		return expr.ValueKey(env.vars, path)
	}}
}
