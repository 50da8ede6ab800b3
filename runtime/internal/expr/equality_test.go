package expr

import (
	"encoding/json"
	"fmt"
	"testing"
)

// Two values have the same key exactly when CEL's == holds between them,
// so that the key never hides a wait its If would match.
func TestValueKeyAgreesWithCEL(t *testing.T) {
	values := []string{`"1"`, `1`, `1.0`, `1e0`, `-0`, `0`, `0.5`, `true`, `false`, `"true"`, `""`, `"é"`, `"\u00e9"`, `9007199254740993`, `9007199254740992`}
	prog, err := Cached("async.data.x == event.data.y", true, testLimits)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range values {
		for _, b := range values {
			async, err := DecodeEnvelope(json.RawMessage(fmt.Sprintf(`{"data":{"x":%s}}`, a)))
			if err != nil {
				t.Fatal(err)
			}
			event, err := DecodeEnvelope(json.RawMessage(fmt.Sprintf(`{"data":{"y":%s}}`, b)))
			if err != nil {
				t.Fatal(err)
			}
			eq, evalErr := prog.Match(testLimits, map[string]any{"event": event, "async": async})
			if evalErr != nil {
				t.Fatalf("%s == %s: %v", a, b, evalErr)
			}
			ka, _ := ValueKey(async, "data.x")
			kb, _ := ValueKey(event, "data.y")
			if (ka == kb) != eq {
				t.Errorf("%s == %s is %v in CEL, but their keys are %q and %q", a, b, eq, ka, kb)
			}
		}
	}
}
