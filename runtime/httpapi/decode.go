package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// IngestEvent is one event of an ingest body, as sent: Data is the raw JSON
// object ({} when the event had none), TS is 0 when absent.
type IngestEvent struct {
	Name string
	Data json.RawMessage
	ID   string
	TS   int64
	V    string
}

// MaxTS is the largest event timestamp accepted, in milliseconds since the
// Unix epoch: the last millisecond of the year 9999.
const MaxTS = 253402300799999

// TooManyEventsError refuses a batch of more events than allowed.
type TooManyEventsError struct {
	Count, Max int
}

func (e *TooManyEventsError) Error() string {
	return fmt.Sprintf("%d events in one request, over the limit of %d", e.Count, e.Max)
}

// DecodeEvents decodes an ingest body: one event object, or an array of
// them, each with the fields name (a string, required), data (an object;
// {} when absent), id (a string), ts (an integer number of milliseconds
// since the Unix epoch) and v (a string). It lists every problem it finds
// (or, for a body that is not JSON, the first syntax error), and returns
// a *TooManyEventsError for an array of more than maxEvents events.
// Events are returned only when there is no problem.
func DecodeEvents(body []byte, maxEvents int) ([]IngestEvent, []Problem, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, []Problem{{Message: "the body is empty: send an event object or an array of events"}}, nil
	}
	if !utf8.Valid(body) {
		off := int64(invalidUTF8At(body))
		return nil, []Problem{syntaxProblem(body, off, "invalid UTF-8")}, nil
	}
	var probe json.RawMessage
	if err := json.Unmarshal(body, &probe); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			// The offset is just past the byte that broke the syntax.
			return nil, []Problem{syntaxProblem(body, max(se.Offset-1, 0), se.Error())}, nil
		}
		return nil, []Problem{{Message: "invalid JSON: " + err.Error()}}, nil
	}
	var d decoder
	switch trimmed[0] {
	case '{':
		ev, ok := d.event(0, "", trimmed)
		if !ok {
			return nil, d.problems, nil
		}
		return []IngestEvent{ev}, nil, nil
	case '[':
	default:
		return nil, []Problem{{Pointer: "", Message: "the body must be an event object or an array of events, not " + kindOf(trimmed)}}, nil
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(trimmed, &elems); err != nil {
		return nil, []Problem{{Message: "invalid JSON: " + err.Error()}}, nil
	}
	if maxEvents > 0 && len(elems) > maxEvents {
		return nil, nil, &TooManyEventsError{Count: len(elems), Max: maxEvents}
	}
	if len(elems) == 0 {
		return nil, []Problem{{Message: "the array of events is empty"}}, nil
	}
	events := make([]IngestEvent, 0, len(elems))
	for i, raw := range elems {
		ev, ok := d.event(i, "/"+strconv.Itoa(i), raw)
		if ok {
			events = append(events, ev)
		}
	}
	if len(d.problems) > 0 {
		return nil, d.problems, nil
	}
	return events, nil, nil
}

type decoder struct {
	problems []Problem
}

func (d *decoder) add(i int, ptr, msg string) {
	d.problems = append(d.problems, Problem{Index: &i, Pointer: ptr, Message: msg})
}

// event decodes the event at index i, at pointer at in the body.
func (d *decoder) event(i int, at string, raw json.RawMessage) (IngestEvent, bool) {
	ev := IngestEvent{}
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if raw[0] != '{' {
		d.add(i, at, "an event must be an object, not "+kindOf(raw))
		return ev, false
	}
	before := len(d.problems)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // {
		d.add(i, at, "invalid JSON: "+err.Error())
		return ev, false
	}
	seen := map[string]bool{}
	hasName := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			d.add(i, at, "invalid JSON: "+err.Error())
			return ev, false
		}
		key := tok.(string) // the decoder allows only strings here
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			d.add(i, at, "invalid JSON: "+err.Error())
			return ev, false
		}
		ptr := at + "/" + escapePointer(key)
		if !plainKey(key) {
			// A hostile key would make the pointer as large as itself.
			ptr = at
		}
		if seen[key] {
			d.add(i, ptr, "field "+quote(key)+" is repeated")
			continue
		}
		seen[key] = true
		switch key {
		case "name":
			hasName = true
			if s, ok := d.str(i, ptr, val); ok {
				if s == "" {
					d.add(i, ptr, "name is empty")
				}
				ev.Name = s
			}
		case "id":
			ev.ID, _ = d.str(i, ptr, val)
		case "v":
			ev.V, _ = d.str(i, ptr, val)
		case "data":
			switch val[0] {
			case '{':
				ev.Data = val
			case 'n':
				d.add(i, ptr, "data must be an object (use {} for no data), not null")
			default:
				d.add(i, ptr, "data must be an object, not "+kindOf(val))
			}
		case "ts":
			ev.TS = d.ts(i, ptr, val)
		default:
			d.add(i, ptr, "unknown field "+quote(key)+" (an event has name, data, id, ts and v)")
		}
	}
	if !hasName {
		d.add(i, at+"/name", "name is required")
	}
	if ev.Data == nil {
		ev.Data = json.RawMessage("{}")
	}
	return ev, len(d.problems) == before
}

func (d *decoder) str(i int, ptr string, val json.RawMessage) (string, bool) {
	var s string
	if val[0] != '"' || json.Unmarshal(val, &s) != nil {
		d.add(i, ptr, "must be a string, not "+kindOf(val))
		return "", false
	}
	return s, true
}

func (d *decoder) ts(i int, ptr string, val json.RawMessage) int64 {
	const what = "ts must be an integer number of milliseconds since the Unix epoch"
	if val[0] != '-' && (val[0] < '0' || val[0] > '9') {
		d.add(i, ptr, what+", not "+kindOf(val))
		return 0
	}
	n, err := strconv.ParseInt(string(val), 10, 64)
	switch {
	case err != nil:
		d.add(i, ptr, what+", not "+quote(string(val)))
	case n < 0:
		d.add(i, ptr, what+", not negative")
	case n > MaxTS:
		d.add(i, ptr, fmt.Sprintf("ts %d is after the year 9999 (in milliseconds, not microseconds or nanoseconds?)", n))
	default:
		return n
	}
	return 0
}

// syntaxProblem locates a JSON syntax error at byte off of body.
func syntaxProblem(body []byte, off int64, msg string) Problem {
	off = min(max(off, 0), int64(len(body)))
	line, col := 1, 1
	for _, b := range body[:off] {
		if b == '\n' {
			line, col = line+1, 1
		} else if b&0xC0 != 0x80 { // count characters, not continuation bytes
			col++
		}
	}
	return Problem{Offset: &off, Line: line, Column: col,
		Message: fmt.Sprintf("invalid JSON at byte %d (line %d, column %d): %s", off, line, col, msg)}
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

func kindOf(raw []byte) string {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// escapePointer escapes a JSON pointer token (RFC 6901).
func escapePointer(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

// maxQuoted bounds what a message quotes from the input.
const maxQuoted = 64

// plainKey reports whether a key is short and printable enough to appear
// in a pointer as it is.
func plainKey(s string) bool {
	if len(s) > maxQuoted {
		return false
	}
	for _, r := range s {
		if !strconv.IsPrint(r) {
			return false
		}
	}
	return true
}

// quote quotes s for a message, escaped and bounded.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	end := maxQuoted
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(s[:end]), len(s))
}
