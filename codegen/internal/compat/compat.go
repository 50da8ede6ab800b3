package compat

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/durable-go/durable/codegen/catalog"
	"github.com/durable-go/durable/codegen/internal/schemagen"
)

// Breaks says whom a change breaks; zero for a compatible change.
type Breaks int

// Whom a change breaks.
const (
	// Producers: events that producers of the previous version send are
	// refused by the new schema.
	Producers Breaks = 1 << iota
	// Consumers: code written for the previous version's type misreads or
	// fails on events the new schema accepts.
	Consumers
)

func (b Breaks) String() string {
	switch b {
	case 0:
		return "compatible"
	case Producers:
		return "breaks producers"
	case Consumers:
		return "breaks consumers"
	}
	return "breaks producers and consumers"
}

// Finding is one change to an event between two catalogs.
type Finding struct {
	// File and Pos locate the change in the new catalog.
	File string
	Pos  catalog.Pos
	// Event is the event's name; Path the field in its data, such as
	// items[].quantity (list items are [], map values .*), or "" for the
	// event itself.
	Event string
	Path  string
	// Change says what changed.
	Change string
	Breaks Breaks
	// OldV and NewV are the event's versions in the two catalogs; they
	// differ when the new catalog bumped v.
	OldV, NewV string
}

// Fails reports whether the finding is a breaking change without a new v.
func (f Finding) Fails() bool { return f.Breaks != 0 && f.OldV == f.NewV }

func (f Finding) String() string {
	var b strings.Builder
	if f.Pos.Line > 0 {
		fmt.Fprintf(&b, "%s:%s: ", f.File, f.Pos)
	} else {
		fmt.Fprintf(&b, "%s: ", f.File)
	}
	b.WriteString(f.Event)
	if f.Path != "" {
		b.WriteString(": " + f.Path)
	}
	b.WriteString(": " + f.Change + " (" + f.Breaks.String())
	switch {
	case f.Fails():
		fmt.Fprintf(&b, "; v is still %s: declare a new v", strconv.Quote(f.NewV))
	case f.Breaks != 0:
		fmt.Fprintf(&b, "; allowed by the new v %s, was %s", strconv.Quote(f.NewV), strconv.Quote(f.OldV))
	}
	b.WriteString(")")
	return b.String()
}

// Compare lists the changes from the catalog old to the catalog new, both
// checked by catalog.Parse: for each event of new in file order, its
// changes in field order, then the events old has and new lacks.
func Compare(old, new *catalog.Config) []Finding {
	var out []Finding
	oldEvents := map[string]*catalog.Event{}
	for i := range old.Events {
		oldEvents[old.Events[i].Name] = &old.Events[i]
	}
	for i := range new.Events {
		e := &new.Events[i]
		c := &comparer{old: old, new: new, event: e, seen: map[[2]string]bool{}}
		o, ok := oldEvents[e.Name]
		if !ok {
			c.add(e.Keys.Of("name", e.Pos), "", 0, "event added")
			out = append(out, c.out...)
			continue
		}
		delete(oldEvents, e.Name)
		c.oldV = o.V
		c.fields("", o.Fields, e.Fields, e.Keys.Of("fields", e.Pos))
		out = append(out, c.out...)
	}
	// Events removed: their generated types are gone, so every consumer and
	// typed producer that still uses one fails to build; the check is for
	// what the compiler cannot see.
	at := new.Keys.Of("events", new.Pos)
	for i := range old.Events {
		e := &old.Events[i]
		if _, gone := oldEvents[e.Name]; gone {
			out = append(out, Finding{File: new.File, Pos: at, Event: e.Name, Change: "event removed from the catalog", OldV: e.V})
		}
	}
	return out
}

// comparer compares one event of two catalogs.
type comparer struct {
	old, new *catalog.Config
	event    *catalog.Event
	oldV     string
	// seen holds the pairs of named types (old, new) compared for this
	// event: a type used twice is compared once, at its first use, and a
	// recursive one does not recurse for ever.
	seen map[[2]string]bool
	out  []Finding
}

func (c *comparer) add(at catalog.Pos, path string, breaks Breaks, format string, args ...any) {
	oldV := c.oldV
	if oldV == "" {
		oldV = c.event.V
	}
	c.out = append(c.out, Finding{
		File: c.new.File, Pos: at, Event: c.event.Name, Path: path,
		Change: fmt.Sprintf(format, args...), Breaks: breaks, OldV: oldV, NewV: c.event.V,
	})
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// fields compares the fields of an object; at locates the new object.
func (c *comparer) fields(path string, old, new catalog.Fields, at catalog.Pos) {
	for i := range old {
		o := &old[i]
		j := slices.IndexFunc(new, func(f catalog.Field) bool { return f.Name == o.Name })
		if j < 0 {
			c.add(at, join(path, o.Name), Producers|Consumers, "field removed")
			continue
		}
		c.field(join(path, o.Name), o, &new[j])
	}
	for i := range new {
		n := &new[i]
		if slices.ContainsFunc(old, func(f catalog.Field) bool { return f.Name == n.Name }) {
			continue
		}
		if n.Required {
			c.add(n.NamePos, join(path, n.Name), Producers, "field added as required")
		} else {
			c.add(n.NamePos, join(path, n.Name), 0, "optional field added")
		}
	}
}

func (c *comparer) field(path string, o, n *catalog.Field) {
	switch {
	case !o.Required && n.Required:
		c.add(n.Keys.Of("required", n.Pos), path, Producers, "field made required")
	case o.Required && !n.Required:
		c.add(n.Keys.Of("required", n.Pos), path, Consumers, "field no longer required")
	}
	if !c.typ(path, o.T, n.T, n) {
		return
	}
	if o.T.Scalar() {
		c.constraints(path, o, n)
	}
	switch {
	case o.Sensitive && !n.Sensitive:
		c.add(n.Keys.Of("sensitive", n.Pos), path, 0, "no longer sensitive: stored in the clear and shown in logs from now on")
	case !o.Sensitive && n.Sensitive:
		c.add(n.Keys.Of("sensitive", n.Pos), path, 0, "now sensitive")
	}
}

// shape is what a type accepts, as far as compatibility goes: a named type
// and an inline object with the same fields are the same JSON.
type shape struct {
	kind   catalog.Kind // KindObject for named types and inline objects
	closed bool         // an object with fields (named or inline)
	fields catalog.Fields
	name   string // the named type, if any
	pos    catalog.Pos
}

func shapeOf(cfg *catalog.Config, t *catalog.TypeExpr, f *catalog.Field) shape {
	switch t.Kind {
	case catalog.KindNamed:
		td := cfg.TypeDef(t.Name)
		return shape{kind: catalog.KindObject, closed: true, fields: td.Fields, name: t.Name, pos: td.Pos}
	case catalog.KindObject:
		return shape{kind: catalog.KindObject, closed: len(t.Fields) > 0, fields: t.Fields, pos: f.Keys.Of("fields", f.Pos)}
	}
	return shape{kind: t.Kind}
}

// typ compares the types of a field (n is the new field, for positions),
// and reports whether they are the same kind, so that constraints compare.
func (c *comparer) typ(path string, o, n *catalog.TypeExpr, nf *catalog.Field) bool {
	at := nf.Keys.Of("type", nf.Pos)
	os, ns := shapeOf(c.old, o, nf), shapeOf(c.new, n, nf)
	if os.kind != ns.kind {
		switch {
		case o.Kind == catalog.KindInteger && n.Kind == catalog.KindNumber:
			c.add(at, path, Consumers, "type widened from integer to number: consumers of the previous version decode an integer")
		case o.Kind == catalog.KindNumber && n.Kind == catalog.KindInteger:
			c.add(at, path, Producers, "type narrowed from number to integer")
		default:
			c.add(at, path, Producers|Consumers, "type changed from %s to %s", o, n)
		}
		return false
	}
	switch ns.kind {
	case catalog.KindArray:
		return c.typ(path+"[]", o.Elem, n.Elem, nf)
	case catalog.KindMap:
		return c.typ(path+".*", o.Elem, n.Elem, nf)
	case catalog.KindObject:
		switch {
		case !os.closed && ns.closed:
			c.add(at, path, Producers, "free-form object now has fields: other properties are refused")
		case os.closed && !ns.closed:
			c.add(at, path, Consumers, "object with fields became free-form: its fields are no longer checked")
		case os.closed && ns.closed:
			if os.name != "" && ns.name != "" {
				pair := [2]string{os.name, ns.name}
				if c.seen[pair] {
					return true
				}
				c.seen[pair] = true
			}
			c.fields(path, os.fields, ns.fields, ns.pos)
		}
	}
	return true
}

// constraints compares the enum, format, bounds and default of two scalar
// fields of the same type.
func (c *comparer) constraints(path string, o, n *catalog.Field) {
	enumAt := n.Keys.Of("enum", n.Pos)
	switch {
	case o.Enum == nil && n.Enum != nil:
		c.add(enumAt, path, Producers, "enum added: values outside %s are refused", values(n.Enum))
	case o.Enum != nil && n.Enum == nil:
		c.add(n.Pos, path, 0, "enum removed")
	case o.Enum != nil:
		for _, v := range o.Enum {
			if !slices.ContainsFunc(n.Enum, func(w catalog.Value) bool { return sameValue(v, w) }) {
				c.add(enumAt, path, Producers, "enum value %s removed", show(v.V))
			}
		}
		for _, w := range n.Enum {
			if !slices.ContainsFunc(o.Enum, func(v catalog.Value) bool { return sameValue(v, w) }) {
				c.add(w.Pos, path, 0, "enum value %s added", show(w.V))
			}
		}
	}
	formatAt := n.Keys.Of("format", n.Pos)
	switch {
	case o.Format == n.Format:
	case o.Format == "":
		c.add(formatAt, path, Producers, "format %s added", n.Format)
	case n.Format == "":
		c.add(n.Pos, path, 0, "format %s removed", o.Format)
	default:
		c.add(formatAt, path, Producers, "format changed from %s to %s", o.Format, n.Format)
	}
	c.bound(path, "minimum", n.T.Kind, o.Minimum, n.Minimum, n.Pos, 1)
	c.bound(path, "maximum", n.T.Kind, o.Maximum, n.Maximum, n.Pos, -1)
	defaultAt := n.Pos
	if n.Default != nil {
		defaultAt = n.Default.Pos
	}
	switch {
	case o.Default == nil && n.Default != nil:
		c.add(defaultAt, path, 0, "default %s added", show(n.Default.V))
	case o.Default != nil && n.Default == nil:
		c.add(defaultAt, path, Consumers, "default %s removed: events of the previous version that omit the field meant it", show(o.Default.V))
	case o.Default != nil && !sameValue(*o.Default, *n.Default):
		c.add(defaultAt, path, Consumers, "default changed from %s to %s: events of the previous version that omit the field meant %[1]s", show(o.Default.V), show(n.Default.V))
	}
}

// bound compares a minimum (tighter is +1: a greater value) or a maximum
// (tighter is -1) of a field of kind k. An absent bound is the range of the
// field's Go type, which the schema states (int64 for integers, float64
// for numbers): writing it out, or removing it, changes nothing.
func (c *comparer) bound(path, key string, k catalog.Kind, o, n *catalog.Number, fieldAt catalog.Pos, tighter int) {
	if o == nil && n == nil {
		return
	}
	implicit := implicitBound(k, tighter)
	ov, nv := implicit, implicit
	if o != nil {
		ov = o.Rat
	}
	if n != nil {
		nv = n.Rat
	}
	at := fieldAt
	if n != nil {
		at = n.Pos
	}
	switch cmp := nv.Cmp(ov); {
	case cmp == 0:
	case cmp == tighter && o == nil:
		c.add(at, path, Producers, "%s %s added", key, n.Text)
	case cmp == tighter:
		c.add(at, path, Producers, "%s tightened from %s to %s", key, o.Text, n.Text)
	case n == nil:
		c.add(at, path, 0, "%s %s removed", key, o.Text)
	case o == nil:
		c.add(at, path, 0, "%s %s added, beyond the range of the type", key, n.Text)
	default:
		c.add(at, path, 0, "%s widened from %s to %s", key, o.Text, n.Text)
	}
}

// The bounds the schemas give integer and number fields without their own.
var (
	minInt64   = rat(schemagen.MinInteger)
	maxInt64   = rat(schemagen.MaxInteger)
	minFloat64 = rat(schemagen.MinNumber)
	maxFloat64 = rat(schemagen.MaxNumber)
)

func rat(n json.Number) *big.Rat {
	r, ok := new(big.Rat).SetString(string(n))
	if !ok {
		panic("compat: bad bound " + n)
	}
	return r
}

// implicitBound is the minimum (tighter +1) or maximum (tighter -1) of a
// field of kind k without one.
func implicitBound(k catalog.Kind, tighter int) *big.Rat {
	switch {
	case k == catalog.KindInteger && tighter > 0:
		return minInt64
	case k == catalog.KindInteger:
		return maxInt64
	case tighter > 0:
		return minFloat64
	}
	return maxFloat64
}

// sameValue compares two enum values or defaults as JSON values: 1 and 1.0
// are the same number.
func sameValue(a, b catalog.Value) bool { return key(a.V) == key(b.V) }

func key(x any) string {
	switch n := x.(type) {
	case int64:
		return "n:" + new(big.Rat).SetInt64(n).RatString()
	case float64:
		return "n:" + new(big.Rat).SetFloat64(n).RatString()
	}
	return fmt.Sprintf("%T:%v", x, x)
}

func show(x any) string {
	if s, ok := x.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(x)
}

func values(vs []catalog.Value) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = show(v.V)
	}
	return "[" + strings.Join(s, ", ") + "]"
}
