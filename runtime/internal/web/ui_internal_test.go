package web

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"
)

func TestSchemaSkeleton(t *testing.T) {
	tests := []struct {
		name, schema, want string
	}{
		{"types, required first in schema order", `{"type":"object","properties":{
			"note":{"type":"string"},"id":{"type":"string"},"n":{"type":"integer"},"ok":{"type":"boolean"},"x":{"type":"number"}},
			"required":["n","id"]}`,
			`{"id":"","n":0,"note":"","ok":false,"x":0}`},
		{"default, const, examples, enum", `{"type":"object","properties":{
			"a":{"type":"string","default":"d"},"b":{"const":7},"c":{"type":"string","examples":["ex"]},"d":{"enum":["x","y"]}}}`,
			`{"a":"d","b":7,"c":"ex","d":"x"}`},
		{"bounds", `{"type":"object","properties":{"q":{"type":"integer","minimum":1},"r":{"type":"number","exclusiveMinimum":2},"s":{"type":"string","minLength":3}}}`,
			`{"q":1,"r":3,"s":"xxx"}`},
		{"formats", `{"type":"object","properties":{"e":{"type":"string","format":"email"},"u":{"type":"string","format":"uuid"}}}`,
			`{"e":"user@example.com","u":"00000000-0000-4000-8000-000000000000"}`},
		{"nested objects and arrays, refs", `{"type":"object","$defs":{"item":{"type":"object","properties":{"sku":{"type":"string"},"qty":{"type":"integer","minimum":1}},"required":["sku","qty"]}},
			"properties":{"items":{"type":"array","items":{"$ref":"#/$defs/item"},"minItems":2},"meta":{"type":"object","properties":{"z":{"type":"string"},"a":{"type":"string"}}}}}`,
			`{"items":[{"qty":1,"sku":""},{"qty":1,"sku":""}],"meta":{"z":"","a":""}}`},
		{"nullable type list", `{"type":"object","properties":{"t":{"type":["null","string"]}}}`, `{"t":""}`},
		{"not an object", `{"type":"string"}`, `{}`},
		{"not JSON", `{`, `{}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := schemaSkeleton(json.RawMessage(tc.schema))
			var compact bytes.Buffer
			if err := json.Compact(&compact, []byte(got)); err != nil {
				t.Fatalf("skeleton is not JSON: %v\n%s", err, got)
			}
			if compact.String() != tc.want {
				t.Errorf("skeleton = %s\nwant       %s", compact.String(), tc.want)
			}
		})
	}
}

func TestRedactJSON(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"nothing sealed", `{"a":1}`, `{"a":1}`},
		{"sealed value", `{"data":{"card":{"$enc":"v1:abc"},"n":1}}`, `{"data":{"card":"[sensitive: redacted]","n":1}}`},
		{"nested, in arrays", `{"data":{"event":{"data":{"s":[{"$enc":"v1:x"}]}}}}`, `{"data":{"event":{"data":{"s":["[sensitive: redacted]"]}}}}`},
		{"$enc beside other keys", `{"$enc":"v1:x","other":2}`, `{"$enc":"[sensitive: redacted]","other":2}`},
		{"big numbers kept", `{"n":12345678901234567890,"x":{"$enc":"v1:y"}}`, `{"n":12345678901234567890,"x":"[sensitive: redacted]"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := redactJSON(json.RawMessage(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("redactJSON = %s, want %s", got, tc.want)
			}
		})
	}
	if _, err := redactJSON(json.RawMessage(`{"$enc":`)); err == nil {
		t.Error("redactJSON of broken JSON: no error")
	}
}

func TestUIBaseAndCookiePath(t *testing.T) {
	tests := []struct {
		requestURI, stripped, base, cookie string
	}{
		{"/ui/", "/", "./", "/ui/"},
		{"/ui/runs", "/runs", "./", "/ui/"},
		{"/ui/runs/01ABC", "/runs/01ABC", "../", "/ui/"},
		{"/ui/runs/01ABC/cancel", "/runs/01ABC/cancel", "../../", "/ui/"},
		{"/admin/durable/events?name=x", "/events", "./", "/admin/durable/"},
		{"/runs", "/runs", "./", "/"},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", tc.requestURI, nil)
		r.URL.Path = tc.stripped
		if got := uiBase(r); got != tc.base {
			t.Errorf("uiBase(%s) = %q, want %q", tc.requestURI, got, tc.base)
		}
		if got := uiCookiePath(r); got != tc.cookie {
			t.Errorf("uiCookiePath(%s) = %q, want %q", tc.requestURI, got, tc.cookie)
		}
	}
}
