package seal

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func mustNew(t *testing.T, b byte) *Sealer {
	t.Helper()
	key := make([]byte, 32)
	key[0] = b
	s, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOpen(t *testing.T) {
	s := mustNew(t, 1)
	sealed, err := s.Seal("evt-1", "/data/card", "4242")
	if err != nil {
		t.Fatal(err)
	}
	if !IsSealed(sealed) {
		t.Fatalf("Seal returned %v, not the encrypted form", sealed)
	}
	tests := []struct {
		name        string
		s           *Sealer
		eventID     string
		ptr         string
		v           any
		want        any
		wantErrPart string
	}{
		{name: "round trip", s: s, eventID: "evt-1", ptr: "/data/card", v: sealed, want: "4242"},
		{name: "moved to another field", s: s, eventID: "evt-1", ptr: "/data/other", v: sealed, wantErrPart: "moved from another field"},
		{name: "moved to another event", s: s, eventID: "evt-2", ptr: "/data/card", v: sealed, wantErrPart: "moved from another field or event"},
		{name: "another key", s: mustNew(t, 2), eventID: "evt-1", ptr: "/data/card", v: sealed, wantErrPart: "wrong key"},
		{name: "no key", s: nil, eventID: "evt-1", ptr: "/data/card", v: sealed, wantErrPart: "no encryption key is set"},
		{name: "unknown format", s: s, eventID: "evt-1", ptr: "/data/card", v: map[string]any{Field: "v9:abc"}, wantErrPart: "unknown encryption format"},
		{name: "malformed", s: s, eventID: "evt-1", ptr: "/data/card", v: map[string]any{Field: "v1:!!"}, wantErrPart: "malformed ciphertext"},
		{name: "stored in the clear before", s: s, eventID: "evt-1", ptr: "/data/card", v: "4242", want: "4242"},
		{name: "clear value without a key", s: nil, eventID: "evt-1", ptr: "/data/card", v: "4242", want: "4242"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.s.Open(tt.eventID, tt.ptr, tt.v)
			if tt.wantErrPart != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrPart) {
					t.Fatalf("Open: %v, %v; want an error containing %q", got, err, tt.wantErrPart)
				}
				if strings.Contains(err.Error(), "4242") {
					t.Errorf("the error quotes the value: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Open = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	if _, err := s.Seal("evt-1", "/data/card", sealed); err == nil {
		t.Error("Seal encrypted a value already encrypted")
	}
}

func TestSensitivity(t *testing.T) {
	tests := []struct {
		name, schema, data string
		want               []string // pointers handed to Transform, sorted
		wantErr            string
	}{
		{name: "none marked", schema: `{"type":"object","properties":{"a":{"type":"string"}}}`, data: `{"a":"x"}`},
		{name: "property", schema: `{"properties":{"card":{"type":"string","x-sensitive":true},"n":{}}}`,
			data: `{"card":"4242","n":1}`, want: []string{"/data/card"}},
		{name: "through a $ref and items", schema: `{"properties":{"l":{"items":{"$ref":"#/$defs/S"}}},"$defs":{"S":{"x-sensitive":true}}}`,
			data: `{"l":["a","b"]}`, want: []string{"/data/l/0", "/data/l/1"}},
		{name: "pattern and additional properties, escaped keys", schema: `{"patternProperties":{"^s_":{"x-sensitive":true}},"additionalProperties":{"properties":{"pin":{"x-sensitive":true}}}}`,
			data: `{"s_a/b":1,"x~y":{"pin":2}}`, want: []string{"/data/s_a~1b", "/data/x~0y/pin"}},
		{name: "absent field", schema: `{"properties":{"card":{"x-sensitive":true}}}`, data: `{}`},
		{name: "a $ref out of the schema", schema: `{"properties":{"a":{"x-sensitive":true},"b":{"$ref":"https://example.com/s.json"}}}`,
			wantErr: "https://example.com/s.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc any
			if err := json.Unmarshal([]byte(tt.schema), &doc); err != nil {
				t.Fatal(err)
			}
			s, err := NewSensitivity(doc)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NewSensitivity: %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s == nil {
				if tt.want != nil {
					t.Fatal("NewSensitivity found no sensitive field")
				}
				return
			}
			var data any
			if err := json.Unmarshal([]byte(tt.data), &data); err != nil {
				t.Fatal(err)
			}
			var got []string
			if _, err := s.Transform(data, func(ptr string, v any) (any, error) {
				got = append(got, ptr)
				return v, nil
			}); err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Transform visited %q, want %q", got, tt.want)
			}
		})
	}
}
