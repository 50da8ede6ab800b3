// Package jsonarray splits a JSON array into its elements without decoding
// them: a run's events are stored as one array, and every execution of the
// run needs its envelopes one by one. Unmarshalling into []json.RawMessage
// validates and copies every byte; Split only finds where each element
// begins and ends, and the elements share the array's memory.
package jsonarray

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Split returns the elements of the JSON array b, as slices of b. It checks
// the array's structure (brackets, braces and strings balanced, elements
// separated by commas) but not the elements' contents: whoever decodes an
// element finds out whether it is valid JSON.
func Split(b []byte) ([]json.RawMessage, error) {
	i := skipSpace(b, 0)
	if i == len(b) || b[i] != '[' {
		return nil, errors.New("not a JSON array")
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		if skipSpace(b, i+1) != len(b) {
			return nil, fmt.Errorf("data after the array at offset %d", i+1)
		}
		return []json.RawMessage{}, nil
	}
	var out []json.RawMessage
	for {
		end, err := elementEnd(b, i)
		if err != nil {
			return nil, err
		}
		if end == i {
			return nil, fmt.Errorf("missing element at offset %d", i)
		}
		out = append(out, json.RawMessage(b[i:end:end]))
		i = skipSpace(b, end)
		if i == len(b) {
			return nil, errors.New("unterminated array")
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			if skipSpace(b, i+1) != len(b) {
				return nil, fmt.Errorf("data after the array at offset %d", i+1)
			}
			return out, nil
		default:
			return nil, fmt.Errorf("unexpected %q at offset %d", b[i], i)
		}
	}
}

// elementEnd returns the offset just past the element starting at i: at
// the first comma, closing bracket or space outside any string, object or
// array nested in it.
func elementEnd(b []byte, i int) (int, error) {
	var open []byte // the closers awaited, innermost last
	for ; i < len(b); i++ {
		switch c := b[i]; c {
		case '"':
			j, err := stringEnd(b, i)
			if err != nil {
				return 0, err
			}
			i = j - 1
		case '{':
			open = append(open, '}')
		case '[':
			open = append(open, ']')
		case '}', ']':
			if len(open) == 0 {
				if c == ']' {
					return i, nil
				}
				return 0, fmt.Errorf("unexpected %q at offset %d", c, i)
			}
			if open[len(open)-1] != c {
				return 0, fmt.Errorf("unexpected %q at offset %d", c, i)
			}
			open = open[:len(open)-1]
		case ',', ' ', '\t', '\n', '\r':
			if len(open) == 0 {
				return i, nil
			}
		}
	}
	if len(open) > 0 {
		return 0, errors.New("unterminated element")
	}
	return i, nil
}

// stringEnd returns the offset just past the string whose opening quote
// is at i.
func stringEnd(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, fmt.Errorf("unterminated string at offset %d", i)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}
