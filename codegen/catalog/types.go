package catalog

import (
	"fmt"
	"strings"
)

// Kind is the kind of a field type.
type Kind int

// The kinds of field types.
const (
	KindString  Kind = iota + 1 // string
	KindInteger                 // integer (int64)
	KindNumber                  // number (float64)
	KindBoolean                 // boolean
	KindTime                    // time: an RFC 3339 string, time.Time in Go
	KindObject                  // object: an inline struct with Fields, or free-form
	KindArray                   // []T
	KindMap                     // map[string]T
	KindNamed                   // a type of the types: section
)

var builtinKinds = map[string]Kind{
	"string": KindString, "integer": KindInteger, "number": KindNumber, "boolean": KindBoolean, "time": KindTime, "object": KindObject,
}

// TypeExpr is a parsed field type.
type TypeExpr struct {
	Kind Kind
	// Elem is the element type of Array and Map.
	Elem *TypeExpr
	// Name is the type name of Named.
	Name string
	// Fields are the fields of an inline Object, and GoName the name of the
	// struct generated for it; both empty for a free-form object.
	Fields Fields
	GoName string
}

func (t *TypeExpr) String() string {
	switch t.Kind {
	case KindArray:
		return "[]" + t.Elem.String()
	case KindMap:
		return "map[string]" + t.Elem.String()
	case KindNamed:
		return t.Name
	}
	for name, k := range builtinKinds {
		if k == t.Kind {
			return name
		}
	}
	return "?"
}

// Innermost is the type under all []s and map[string]s.
func (t *TypeExpr) Innermost() *TypeExpr {
	for t.Kind == KindArray || t.Kind == KindMap {
		t = t.Elem
	}
	return t
}

// nesting is the number of []s and map[string]s around the innermost type.
func (t *TypeExpr) nesting() int {
	n := 0
	for ; t.Kind == KindArray || t.Kind == KindMap; t = t.Elem {
		n++
	}
	return n
}

// Scalar reports whether values of the type are JSON strings, numbers or
// booleans (the types enum applies to).
func (t *TypeExpr) Scalar() bool {
	switch t.Kind {
	case KindString, KindInteger, KindNumber, KindBoolean, KindTime:
		return true
	}
	return false
}

// parseType parses a field type: []T, map[string]T, a builtin or a name.
func parseType(s string, isType func(string) bool) (*TypeExpr, error) {
	return parseTypeIn(s, s, isType, 0)
}

// parseTypeIn parses s, the part of the type whole under depth []s and
// map[string]s.
func parseTypeIn(whole, s string, isType func(string) bool, depth int) (*TypeExpr, error) {
	if (strings.HasPrefix(s, "[]") || strings.HasPrefix(s, "map[")) && depth == MaxNesting {
		return nil, fmt.Errorf("type %s: more than %d nested []s and map[string]s", excerpt(whole), MaxNesting)
	}
	switch {
	case strings.HasPrefix(s, "[]"):
		elem, err := parseTypeIn(whole, s[2:], isType, depth+1)
		if err != nil {
			return nil, err
		}
		return &TypeExpr{Kind: KindArray, Elem: elem}, nil
	case strings.HasPrefix(s, "map["):
		key, rest, ok := strings.Cut(s[4:], "]")
		if !ok {
			return nil, fmt.Errorf("type %s: missing ] after the map key type", excerpt(whole))
		}
		if key != "string" {
			return nil, fmt.Errorf("type %s: map keys must be string, not %s", excerpt(whole), excerpt(key))
		}
		elem, err := parseTypeIn(whole, rest, isType, depth+1)
		if err != nil {
			return nil, err
		}
		return &TypeExpr{Kind: KindMap, Elem: elem}, nil
	case s == "":
		return nil, fmt.Errorf("empty type")
	}
	if k, ok := builtinKinds[s]; ok {
		return &TypeExpr{Kind: k}, nil
	}
	if isType(s) {
		return &TypeExpr{Kind: KindNamed, Name: s}, nil
	}
	return nil, fmt.Errorf("unknown type %s", excerpt(s))
}

// Struct is a Go struct the catalog generates: an event's data, a named
// type, or an inline object.
type Struct struct {
	GoName string
	// Event is set for an event's data struct; Type for a named type.
	Event *Event
	Type  *TypeDef
	// Owner and Field name the field an inline object belongs to.
	Owner string
	Field *Field
	// Fields are the struct's fields.
	Fields Fields
	Pos    Pos
}

// Structs lists every struct the catalog generates, named types first, then
// each event's data, each followed by its inline objects, in file order.
// It is valid only after a successful Parse.
func (c *Config) Structs() []Struct {
	var out []Struct
	var inline func(owner string, fs Fields)
	inline = func(owner string, fs Fields) {
		for i := range fs {
			f := &fs[i]
			if f.T == nil {
				continue
			}
			if in := f.T.Innermost(); in.Kind == KindObject && len(in.Fields) > 0 {
				out = append(out, Struct{GoName: in.GoName, Owner: owner, Field: f, Fields: in.Fields, Pos: f.NamePos})
				inline(in.GoName, in.Fields)
			}
		}
	}
	for i := range c.Types {
		t := &c.Types[i]
		out = append(out, Struct{GoName: t.Name, Type: t, Fields: t.Fields, Pos: t.Pos})
		inline(t.Name, t.Fields)
	}
	for i := range c.Events {
		e := &c.Events[i]
		name := EventGoName(e) + "Data"
		out = append(out, Struct{GoName: name, Event: e, Fields: e.Fields, Pos: e.Pos})
		inline(name, e.Fields)
	}
	return out
}

// TypeDef returns the named type called name, or nil.
func (c *Config) TypeDef(name string) *TypeDef {
	if c.typeIndex != nil {
		if i, ok := c.typeIndex[name]; ok {
			return &c.Types[i]
		}
		return nil
	}
	for i := range c.Types {
		if c.Types[i].Name == name {
			return &c.Types[i]
		}
	}
	return nil
}
