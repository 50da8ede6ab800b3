package jsonarray

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // nil: an error
	}{
		{"empty", `[]`, []string{}},
		{"empty with spaces", " [ \n] ", []string{}},
		{"one envelope", `[{"name":"a","data":{"x":[1,2,{"y":"]"}]}}]`, []string{`{"name":"a","data":{"x":[1,2,{"y":"]"}]}}`}},
		{"several kinds", `[ {"a":1} , [2,3],"s\"],",4.5e1,true,null ]`, []string{`{"a":1}`, `[2,3]`, `"s\"],"`, `4.5e1`, `true`, `null`}},
		{"escaped backslash before quote", `["a\\",{"b":"\\\""}]`, []string{`"a\\"`, `{"b":"\\\""}`}},
		{"not an array", `{"a":1}`, nil},
		{"nothing", ``, nil},
		{"unterminated array", `[{"a":1}`, nil},
		{"unterminated object", `[{"a":1]`, nil},
		{"unterminated string", `["abc]`, nil},
		{"mismatched closer", `[{"a":[1}]`, nil},
		{"missing element", `[1,,2]`, nil},
		{"leading comma", `[,1]`, nil},
		{"trailing comma", `[1,]`, nil},
		{"two elements without comma", `[1 2]`, nil},
		{"data after", `[1] x`, nil},
		{"data after empty", `[] x`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Split([]byte(tt.in))
			if tt.want == nil {
				if err == nil {
					t.Fatalf("Split(%q) = %q, want an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Split(%q): %v", tt.in, err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("Split(%q) = %q, want %q", tt.in, got, tt.want)
			}
			for i := range got {
				if string(got[i]) != tt.want[i] {
					t.Errorf("element %d = %s, want %s", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// FuzzSplit checks Split against encoding/json: on every input json
// accepts as an array, Split returns the same elements.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{`[]`, `[{"name":"a","data":{"k":"v\"]"}}]`, `[1, "x", [2, {"y": null}], true]`, `[1 2]`, `["\\"]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want []json.RawMessage
		if json.Unmarshal(b, &want) != nil || want == nil {
			return
		}
		got, err := Split(b)
		if err != nil {
			t.Fatalf("Split(%q): %v; encoding/json accepts it", b, err)
		}
		if len(got) != len(want) {
			t.Fatalf("Split(%q) = %q, want %q", b, got, want)
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("Split(%q) element %d = %q, want %q", b, i, got[i], want[i])
			}
		}
	})
}

func BenchmarkSplit(b *testing.B) {
	events := []byte(`[{"name":"shop/order.created","data":{"order_id":"o-1","items":[{"sku":"a","qty":2}],"total":12.5},"id":"01JEXAMPLE0000000000000000","ts":1764460800000,"v":"1"}]`)
	b.Run("Split", func(b *testing.B) {
		for b.Loop() {
			if _, err := Split(events); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json.Unmarshal", func(b *testing.B) {
		for b.Loop() {
			var out []json.RawMessage
			if err := json.Unmarshal(events, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}
