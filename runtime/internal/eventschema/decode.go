package eventschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/durable-go/durable/runtime/internal/jsonptr"
)

// decodeData decodes event data as the schema validator reads it
// (numbers as json.Number), and lists the keys an object repeats. JSON
// parsers disagree on a repeated key (the validator keeps the last, a
// Go struct decodes both in turn), so data the schema accepted could
// fail to decode, or decode to other values, in the function: an event
// with a repeated key is refused.
func decodeData(data []byte) (any, []Violation, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, fmt.Errorf("invalid JSON: data after the top-level value")
	}
	if keysWritten(data) == keysDecoded(v) {
		return v, nil, nil
	}
	// Some key is repeated: decode again, token by token (twice as slow),
	// to say where.
	d := dataDecoder{dec: json.NewDecoder(bytes.NewReader(data))}
	d.dec.UseNumber()
	if _, err := d.value("/data"); err != nil {
		return nil, nil, err
	}
	return v, d.repeated, nil
}

// keysWritten counts the object keys of valid JSON: the strings followed
// by a colon.
func keysWritten(data []byte) int {
	n := 0
	for i := 0; i < len(data); i++ {
		if data[i] != '"' {
			continue
		}
		for i++; data[i] != '"'; i++ {
			if data[i] == '\\' {
				i++
			}
		}
		j := i + 1
		for j < len(data) && (data[j] == ' ' || data[j] == '\t' || data[j] == '\n' || data[j] == '\r') {
			j++
		}
		if j < len(data) && data[j] == ':' {
			n++
		}
	}
	return n
}

// keysDecoded counts the keys of the objects in v: fewer than keysWritten
// when an object repeats a key.
func keysDecoded(v any) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		n += len(x)
		for _, e := range x {
			n += keysDecoded(e)
		}
	case []any:
		for _, e := range x {
			n += keysDecoded(e)
		}
	}
	return n
}

type dataDecoder struct {
	dec      *json.Decoder
	repeated []Violation
}

func (d *dataDecoder) value(at string) (any, error) {
	tok, err := d.dec.Token()
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	switch tok := tok.(type) {
	case json.Delim:
		switch tok {
		case '{':
			obj := map[string]any{}
			for d.dec.More() {
				kt, err := d.dec.Token()
				if err != nil {
					return nil, fmt.Errorf("invalid JSON: %w", err)
				}
				key := kt.(string) // the decoder allows only strings here
				ptr := at + "/" + jsonptr.Escape(key)
				v, err := d.value(ptr)
				if err != nil {
					return nil, err
				}
				if _, dup := obj[key]; dup {
					d.repeated = append(d.repeated, Violation{ptr, "key repeated in the object"})
				}
				obj[key] = v
			}
			_, err = d.dec.Token() // '}'
			return obj, err
		case '[':
			arr := []any{}
			for i := 0; d.dec.More(); i++ {
				v, err := d.value(at + "/" + strconv.Itoa(i))
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err = d.dec.Token() // ']'
			return arr, err
		}
		return nil, fmt.Errorf("invalid JSON: unexpected %v", tok)
	default:
		return tok, nil // string, json.Number, bool or nil
	}
}
