// Package jsonfmt writes JSON the way codegen publishes it: indented with two
// spaces, a final newline, and <, > and & left as they are rather than
// escaped for HTML (so that descriptions stay readable).
package jsonfmt

import (
	"bytes"
	"encoding/json"
)

// Marshal encodes v as indented JSON with a final newline.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	// Values with their own MarshalJSON (such as jsonschema.Schema) escape
	// HTML characters regardless of SetEscapeHTML; undo that.
	return UnescapeHTML(buf.Bytes()), nil
}

// UnescapeHTML turns the escapes \u003c, \u003e and \u0026 that
// encoding/json writes for <, > and & back into those characters. An
// escaped backslash followed by "u003c" is left alone.
func UnescapeHTML(b []byte) []byte {
	if !bytes.Contains(b, []byte(`\u00`)) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			out = append(out, b[i])
			continue
		}
		if i+5 < len(b) && b[i+1] == 'u' && b[i+2] == '0' && b[i+3] == '0' {
			switch string(b[i+4 : i+6]) {
			case "3c":
				out = append(out, '<')
				i += 5
				continue
			case "3e":
				out = append(out, '>')
				i += 5
				continue
			case "26":
				out = append(out, '&')
				i += 5
				continue
			}
		}
		// Any other escape: copy it whole (both characters), so that an
		// escaped backslash is never taken for the start of \u003c.
		out = append(out, b[i])
		if i+1 < len(b) {
			i++
			out = append(out, b[i])
		}
	}
	return out
}
