package expr

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// testLimits are the engine's defaults (runtime.DefaultMaxEventDataBytes,
// DefaultExpressionCostLimit, DefaultExpressionTimeout).
var testLimits = Limits{DataBytes: 512 << 10, Cost: 1_000_000, Timeout: time.Second}

func TestCompile(t *testing.T) {
	tests := []struct {
		name, src string
		withAsync bool
		wantErr   string // substring; empty for success
	}{
		{name: "bool", src: "event.data.amount > 100.0"},
		{name: "dyn is accepted", src: "event.data.ok"},
		{name: "async in scope of waits", src: "async.data.id == event.data.id", withAsync: true},
		{name: "async not in scope of triggers", src: "async.data.id == event.data.id", wantErr: "undeclared reference to 'async'"},
		{name: "not a bool", src: "1 + 2", wantErr: "evaluates to int, not bool"},
		{name: "syntax error has a position", src: "event.data.x >", wantErr: "1:15: "},
		{name: "quadratic cost refused", src: "event.data.l.all(x, event.data.l.all(y, x == y))", wantErr: "grows faster than the event"},
		{name: "source too long", src: strings.Repeat("a", maxSourceBytes+1), wantErr: "over the limit of 16384"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(tt.src, tt.withAsync, testLimits)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Compile: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Compile: error %v, want one containing %q", err, tt.wantErr)
			case err != nil && len(err.Error()) > 400:
				t.Errorf("error is %d bytes: the source is not excerpted", len(err.Error()))
			}
		})
	}
}

func TestEval(t *testing.T) {
	event := map[string]any{"data": map[string]any{"id": "c-42", "n": int64(3), "f": 2.5, "nil": nil, "l": []any{1.0, 2.0}}}
	vars := map[string]any{"event": event}
	big := make([]any, 100_000)
	for i := range big {
		big[i] = float64(i)
	}
	bigVars := map[string]any{"event": map[string]any{"data": map[string]any{"l": big}}}
	small := testLimits
	small.Cost = 1000
	tests := []struct {
		name    string
		eval    func() (any, error)
		want    any
		wantErr string
		limit   bool // the error wraps ErrLimit
	}{
		{name: "match", eval: func() (any, error) {
			return must(Compile("event.data.n > 2", false, testLimits)).Match(testLimits, vars)
		}, want: true},
		{name: "missing field", eval: func() (any, error) {
			return must(Compile("event.data.x > 2", false, testLimits)).Match(testLimits, vars)
		}, want: false, wantErr: "no such key"},
		{name: "cost limit", eval: func() (any, error) {
			return must(Compile("event.data.l.all(x, x >= 0.0)", false, testLimits)).Match(small, bigVars)
		}, want: false, wantErr: "Options.ExpressionCostLimit", limit: true},
		{name: "string key", eval: func() (any, error) { return must(CompileKey("K", "event.data.id", testLimits)).Text(testLimits, vars) }, want: "c-42"},
		{name: "int key", eval: func() (any, error) { return must(CompileKey("K", "event.data.n", testLimits)).Text(testLimits, vars) }, want: "3"},
		{name: "list key as JSON", eval: func() (any, error) { return must(CompileKey("K", "event.data.l", testLimits)).Text(testLimits, vars) }, want: "[1,2]"},
		{name: "null key refused", eval: func() (any, error) { return must(CompileKey("K", "event.data.nil", testLimits)).Text(testLimits, vars) }, want: "", wantErr: `K "event.data.nil": evaluates to null`},
		{name: "number", eval: func() (any, error) { return must(CompileKey("P", "event.data.f", testLimits)).Number(testLimits, vars) }, want: 2.5},
		{name: "not a number", eval: func() (any, error) {
			return must(CompileKey("P", "event.data.id", testLimits)).Number(testLimits, vars)
		}, want: 0.0, wantErr: "not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.eval()
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
			if errors.Is(err, ErrLimit) != tt.limit {
				t.Errorf("errors.Is(%v, ErrLimit) = %v, want %v", err, !tt.limit, tt.limit)
			}
		})
	}
}

func TestCachedCompilesOnce(t *testing.T) {
	a := must(Cached("async.data.x == event.data.y", true, testLimits))
	b := must(Cached("async.data.x == event.data.y", true, testLimits))
	if a != b {
		t.Error("the same wait expression was compiled twice")
	}
	if _, err := Cached("async.data.x == event.data.y", false, testLimits); err == nil {
		t.Error("the cache served a wait expression (with async) to a caller without async")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
