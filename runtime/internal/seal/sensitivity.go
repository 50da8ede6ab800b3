package seal

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/durable-go/durable/runtime/internal/jsonptr"
)

// Sensitivity finds the values of an event's data that its schema marks
// "x-sensitive": true, following properties, additionalProperties,
// patternProperties, items, prefixItems, allOf/anyOf/oneOf and $refs within
// the schema.
type Sensitivity struct {
	root any
	// byID resolves "$ref"s written against the schema's own $id.
	id string
}

// NewSensitivity reads a schema document (decoded JSON). It returns nil
// when the schema marks no field sensitive. It fails when the schema marks
// some and has a $ref it cannot follow, since a sensitive field behind it
// would be stored in the clear.
func NewSensitivity(doc any) (*Sensitivity, error) {
	if !marksSensitive(doc) {
		return nil, nil
	}
	s := &Sensitivity{root: doc}
	if m, ok := doc.(map[string]any); ok {
		s.id, _ = m["$id"].(string)
	}
	var bad []string
	var check func(n any)
	check = func(n any) {
		switch n := n.(type) {
		case map[string]any:
			if ref, ok := n["$ref"].(string); ok {
				if _, ok := s.resolve(ref); !ok {
					bad = append(bad, ref)
				}
			}
			for _, v := range n {
				check(v)
			}
		case []any:
			for _, v := range n {
				check(v)
			}
		}
	}
	check(doc)
	if len(bad) > 0 {
		return nil, fmt.Errorf("the schema marks sensitive fields but has $refs the engine cannot follow to find them (%s); refer to the schema's own definitions, as #/$defs/Name", strings.Join(bad, ", "))
	}
	return s, nil
}

func marksSensitive(n any) bool {
	switch n := n.(type) {
	case map[string]any:
		if b, ok := n["x-sensitive"].(bool); ok && b {
			return true
		}
		for _, v := range n {
			if marksSensitive(v) {
				return true
			}
		}
	case []any:
		for _, v := range n {
			if marksSensitive(v) {
				return true
			}
		}
	}
	return false
}

// resolve follows a $ref into the schema itself ("#/$defs/X", or the same
// written after the schema's $id).
func (s *Sensitivity) resolve(ref string) (any, bool) {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok {
		if s.id == "" {
			return nil, false
		}
		if frag, ok = strings.CutPrefix(ref, strings.TrimSuffix(s.id, "#")+"#"); !ok {
			return nil, false
		}
	}
	n := s.root
	if frag == "" {
		return n, true
	}
	rest, ok := strings.CutPrefix(frag, "/")
	if !ok {
		return nil, false // an anchor: not followed
	}
	for _, tok := range strings.Split(rest, "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch c := n.(type) {
		case map[string]any:
			if n, ok = c[tok]; !ok {
				return nil, false
			}
		case []any:
			var i int
			if _, err := fmt.Sscan(tok, &i); err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			n = c[i]
		default:
			return nil, false
		}
	}
	return n, true
}

// Transform calls f on every sensitive value of data (decoded JSON, at
// /data in the envelope) with its JSON pointer in the envelope, and puts
// what f returns in its place.
func (s *Sensitivity) Transform(data any, f func(ptr string, v any) (any, error)) (any, error) {
	w := &sensWalk{s: s, f: f}
	return w.walk(s.root, data, "/data", 0)
}

type sensWalk struct {
	s    *Sensitivity
	f    func(ptr string, v any) (any, error)
	done []string // pointers already handed to f
}

// maxRefDepth bounds the $refs followed without descending into the value
// (a schema that refers to itself).
const maxRefDepth = 64

func (w *sensWalk) covered(ptr string) bool {
	for _, d := range w.done {
		if ptr == d || strings.HasPrefix(ptr, d+"/") {
			return true
		}
	}
	return false
}

func (w *sensWalk) walk(node, v any, ptr string, depth int) (any, error) {
	m, ok := node.(map[string]any)
	if !ok || depth > maxRefDepth || w.covered(ptr) {
		return v, nil
	}
	if b, ok := m["x-sensitive"].(bool); ok && b {
		w.done = append(w.done, ptr)
		return w.f(ptr, v)
	}
	var err error
	if ref, ok := m["$ref"].(string); ok {
		if target, ok := w.s.resolve(ref); ok {
			if v, err = w.walk(target, v, ptr, depth+1); err != nil {
				return nil, err
			}
		}
	}
	for _, kw := range []string{"allOf", "anyOf", "oneOf"} {
		subs, _ := m[kw].([]any)
		for _, sub := range subs {
			if v, err = w.walk(sub, v, ptr, depth+1); err != nil {
				return nil, err
			}
		}
	}
	switch val := v.(type) {
	case map[string]any:
		props, _ := m["properties"].(map[string]any)
		patterns, _ := m["patternProperties"].(map[string]any)
		for k, child := range val {
			cptr := ptr + "/" + jsonptr.Escape(k)
			matched := false
			if ps, ok := props[k]; ok {
				matched = true
				if child, err = w.walk(ps, child, cptr, 0); err != nil {
					return nil, err
				}
			}
			for pat, ps := range patterns {
				if re := patternRegexp(pat); re != nil && re.MatchString(k) {
					matched = true
					if child, err = w.walk(ps, child, cptr, 0); err != nil {
						return nil, err
					}
				}
			}
			if ap, ok := m["additionalProperties"]; ok && !matched {
				if child, err = w.walk(ap, child, cptr, 0); err != nil {
					return nil, err
				}
			}
			val[k] = child
		}
	case []any:
		prefix, _ := m["prefixItems"].([]any)
		items := m["items"]
		for i := range val {
			cptr := fmt.Sprintf("%s/%d", ptr, i)
			if i < len(prefix) {
				val[i], err = w.walk(prefix[i], val[i], cptr, 0)
			} else if items != nil {
				val[i], err = w.walk(items, val[i], cptr, 0)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

var patternCache sync.Map // string -> *regexp.Regexp (nil if it does not compile)

func patternRegexp(p string) *regexp.Regexp {
	if re, ok := patternCache.Load(p); ok {
		return re.(*regexp.Regexp)
	}
	re, err := regexp.Compile(p)
	if err != nil {
		re = nil
	}
	patternCache.Store(p, re)
	return re
}
