package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/durable-go/durable/runtime/internal/seal"
)

type uiSendData struct {
	Names []string
	Name  string
	// Data is the JSON of the event's data in the form.
	Data       string
	ID         string
	Violations []Violation
	// HasSchema: Data was built from the event type's schema.
	HasSchema bool
}

func (s *uiServer) sendPage(r *http.Request) (string, uiPage, error) {
	name := r.URL.Query().Get("name")
	d := uiSendData{Names: s.eventNames(), Name: name, Data: "{}"}
	if name == "" && len(d.Names) > 0 {
		d.Name = d.Names[0]
	}
	if raw := s.types[d.Name].Schema; len(raw) > 0 {
		d.Data, d.HasSchema = schemaSkeleton(raw), true
	}
	return "send", uiPage{Title: "Send an event", Data: d}, nil
}

// sendEvent sends the form's event, validated against its type's schema
// as Engine.Send does: violations are shown by JSON pointer and nothing
// is stored.
func (s *uiServer) sendEvent(w http.ResponseWriter, r *http.Request) error {
	d := uiSendData{Names: s.eventNames(), Name: strings.TrimSpace(r.PostFormValue("name")),
		Data: r.PostFormValue("data"), ID: strings.TrimSpace(r.PostFormValue("id"))}
	typ := s.types[d.Name]
	var data any
	fail := func(msg string) error {
		// The form comes back without the values of sensitive fields: no
		// page shows them.
		if typ.Sensitive != nil {
			if m, ok := data.(map[string]any); ok {
				d.Data = clearSensitive(typ.Sensitive, m)
			} else {
				d.Data = schemaSkeleton(typ.Schema)
			}
			msg += " The sensitive fields were cleared: type them again."
		}
		s.render(w, r, http.StatusUnprocessableEntity, "send", uiPage{Title: "Send an event", Error: msg, Data: d})
		return nil
	}
	if d.Name == "" {
		return fail("The event needs a name.")
	}
	dec := json.NewDecoder(strings.NewReader(d.Data))
	dec.UseNumber()
	if err := dec.Decode(&data); err != nil {
		data = nil
		return fail("The data is not JSON: " + err.Error() + ".")
	}
	if dec.More() {
		data = nil
		return fail("The data holds more than one JSON value.")
	}
	if _, ok := data.(map[string]any); !ok {
		return fail("The data must be a JSON object.")
	}
	id, err := s.m.Send(r.Context(), d.Name, d.ID, data)
	var ve *SchemaError
	if errors.As(err, &ve) {
		d.Violations = ve.Violations
		return fail("The event does not match the schema of " + d.Name + "; nothing was sent.")
	}
	if err != nil {
		return fail(err.Error())
	}
	redirect(w, r, "events/"+url.PathEscape(id)+"?sent=1")
	return nil
}

// clearSensitive returns data as indented JSON with the values its
// schema marks sensitive replaced by empty strings.
func clearSensitive(sens *seal.Sensitivity, data map[string]any) string {
	v, err := sens.Transform(data, func(string, any) (any, error) { return "", nil })
	if err != nil {
		return "{}"
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return "{}"
	}
	return string(b)
}

// schemaSkeleton returns a JSON object that fills in the properties of
// a JSON Schema with placeholder values of their types (the default, the
// first example, const or enum value when the schema has one), indented
// for the send form. Required properties come first, in the schema's
// order; optional ones follow.
func schemaSkeleton(raw json.RawMessage) string {
	var root map[string]any
	if err := json.Unmarshal(raw, &root); err != nil {
		return "{}"
	}
	v := skeleton(root, root, 0)
	if _, ok := v.(map[string]any); !ok {
		return "{}"
	}
	// Marshal sorts keys; write properties in the schema's order instead.
	var buf bytes.Buffer
	writeOrdered(&buf, raw, root, v)
	var out bytes.Buffer
	if json.Indent(&out, buf.Bytes(), "", "  ") != nil {
		b, _ := json.MarshalIndent(v, "", "  ")
		return string(b)
	}
	return out.String()
}

// skeleton builds the placeholder of a schema node.
func skeleton(root, node map[string]any, depth int) any {
	if depth > 8 {
		return nil
	}
	if ref, ok := node["$ref"].(string); ok {
		if target := resolveLocalRef(root, ref); target != nil {
			return skeleton(root, target, depth+1)
		}
	}
	for _, k := range []string{"default", "const"} {
		if v, ok := node[k]; ok {
			return v
		}
	}
	if ex, ok := node["examples"].([]any); ok && len(ex) > 0 {
		return ex[0]
	}
	if en, ok := node["enum"].([]any); ok && len(en) > 0 {
		return en[0]
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if subs, ok := node[k].([]any); ok && len(subs) > 0 {
			if sub, ok := subs[0].(map[string]any); ok {
				return skeleton(root, sub, depth+1)
			}
		}
	}
	typ := node["type"]
	if ts, ok := typ.([]any); ok {
		typ = nil
		for _, t := range ts {
			if t != "null" {
				typ = t
				break
			}
		}
	}
	if typ == nil {
		if _, ok := node["properties"]; ok {
			typ = "object"
		}
	}
	switch typ {
	case "object":
		obj := map[string]any{}
		props, _ := node["properties"].(map[string]any)
		for name, p := range props {
			if pm, ok := p.(map[string]any); ok {
				obj[name] = skeleton(root, pm, depth+1)
			}
		}
		return obj
	case "array":
		min, _ := node["minItems"].(float64)
		items, _ := node["items"].(map[string]any)
		arr := []any{}
		if items != nil {
			for range max(1, int(min)) {
				arr = append(arr, skeleton(root, items, depth+1))
			}
		}
		return arr
	case "string":
		switch node["format"] {
		case "date-time":
			return time.Now().UTC().Format(time.RFC3339)
		case "date":
			return time.Now().UTC().Format(time.DateOnly)
		case "email":
			return "user@example.com"
		case "uri":
			return "https://example.com/"
		case "uuid":
			return "00000000-0000-4000-8000-000000000000"
		}
		if m, ok := node["minLength"].(float64); ok && m > 0 {
			return strings.Repeat("x", int(m))
		}
		return ""
	case "integer", "number":
		if m, ok := node["minimum"].(float64); ok {
			return m
		}
		if m, ok := node["exclusiveMinimum"].(float64); ok {
			return m + 1
		}
		return 0
	case "boolean":
		return false
	}
	return nil
}

// resolveLocalRef follows a "#/..." reference within the schema.
func resolveLocalRef(root map[string]any, ref string) map[string]any {
	p, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil
	}
	var cur any = root
	for tok := range strings.SplitSeq(strings.TrimPrefix(p, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[tok]
	}
	m, _ := cur.(map[string]any)
	return m
}

// writeOrdered writes v (a skeleton of schema node) as JSON with the
// properties of objects in the order the schema lists them, required ones
// first. raw is node's JSON, whose key order encoding/json forgets.
func writeOrdered(buf *bytes.Buffer, raw json.RawMessage, node map[string]any, v any) {
	obj, ok := v.(map[string]any)
	if !ok || len(obj) == 0 {
		b, _ := json.Marshal(v)
		buf.Write(b)
		return
	}
	order := propertyOrder(raw)
	required := map[string]bool{}
	if req, ok := node["required"].([]any); ok {
		for _, r := range req {
			if s, ok := r.(string); ok {
				required[s] = true
			}
		}
	}
	var keys []string
	for _, pass := range []bool{true, false} {
		for _, k := range order {
			if _, ok := obj[k]; ok && required[k] == pass {
				keys = append(keys, k)
			}
		}
	}
	// Properties reached through $ref or allOf have no order here: last.
	for k := range obj {
		found := false
		for _, o := range keys {
			found = found || o == k
		}
		if !found {
			keys = append(keys, k)
		}
	}
	var rawProps map[string]json.RawMessage
	var wrapper struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if json.Unmarshal(raw, &wrapper) == nil {
		rawProps = wrapper.Properties
	}
	props, _ := node["properties"].(map[string]any)
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		sub, _ := props[k].(map[string]any)
		if sub != nil && rawProps[k] != nil {
			writeOrdered(buf, rawProps[k], sub, obj[k])
		} else {
			b, _ := json.Marshal(obj[k])
			buf.Write(b)
		}
	}
	buf.WriteByte('}')
}

// propertyOrder lists the keys of raw's "properties" object in the order
// they are written.
func propertyOrder(raw json.RawMessage) []string {
	var wrapper struct {
		Properties json.RawMessage `json:"properties"`
	}
	if json.Unmarshal(raw, &wrapper) != nil || len(wrapper.Properties) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(wrapper.Properties))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		k, _ := t.(string)
		keys = append(keys, k)
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return keys
		}
	}
	return keys
}
