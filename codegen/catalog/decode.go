package catalog

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// nodeDecoder is implemented by types that decode themselves from a node
// (ordered mappings, free-form values).
type nodeDecoder interface {
	decodeNode(d *decoder, n *yaml.Node, path string)
}

var nodeDecoderType = reflect.TypeFor[nodeDecoder]()

// sectionDecoder is implemented by sections of durable.yaml that another
// package defines and decodes (lint: analyzers/lintconfig.Lint).
type sectionDecoder interface {
	DecodeYAML(n *yaml.Node, path string, report func(line, col int, msg string))
}

var sectionDecoderType = reflect.TypeFor[sectionDecoder]()

// decoder decodes YAML nodes into the config types strictly, collecting
// every error instead of stopping at the first.
type decoder struct {
	file string
	errs ErrorList
	// depth is the nesting of the Fields or value being decoded; the
	// decoder stops at MaxNesting, before paths and recursion grow with a
	// hostile file's depth.
	depth int
}

func pos(n *yaml.Node) Pos { return Pos{Line: n.Line, Col: n.Column} }

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Pos: pos(n), Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) errorAt(p Pos, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Pos: p, Msg: fmt.Sprintf(format, args...)})
}

// resolve follows aliases.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// kindName names the YAML type of a node for Value.Kind.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	switch n.Tag {
	case "!!int":
		return "integer"
	case "!!float":
		return "number"
	case "!!bool":
		return "boolean"
	case "!!null":
		return "null"
	}
	return "string"
}

// describe names what a node holds, for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!int":
		return "the integer " + pathKey(n.Value)
	case "!!float":
		return "the number " + pathKey(n.Value)
	case "!!bool":
		return "the boolean " + pathKey(n.Value)
	case "!!null":
		return "null"
	case "!!timestamp":
		return "the timestamp " + pathKey(n.Value)
	}
	return "the string " + excerpt(n.Value)
}

// mapping calls fn for each key of a mapping node, reporting non-string and
// duplicate keys.
func (d *decoder) mapping(n *yaml.Node, path string, fn func(key, val *yaml.Node)) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		if n.Tag == "!!null" && n.Kind == yaml.ScalarNode {
			return // an empty section, like "types:" with nothing under it
		}
		d.errorf(n, "%swant a mapping, got %s", prefix(path), describe(n))
		return
	}
	// Keys written in this mapping win over merged ones (<<: *base), so
	// collect them first.
	explicit := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if key := resolve(n.Content[i]); key.Kind == yaml.ScalarNode && !isMerge(key) {
			explicit[key.Value] = true
		}
	}
	seen := map[string]*yaml.Node{}
	merged := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := resolve(n.Content[i]), resolve(n.Content[i+1])
		if isMerge(key) {
			d.merge(key, val, path, func(key, val *yaml.Node) {
				if !explicit[key.Value] && !merged[key.Value] {
					merged[key.Value] = true
					fn(key, val)
				}
			})
			continue
		}
		if key.Kind != yaml.ScalarNode {
			d.errorf(key, "%skeys must be plain strings", prefix(path))
			continue
		}
		if first, dup := seen[key.Value]; dup {
			d.errorf(key, "%sduplicate key %s (first at %d:%d)", prefix(path), excerpt(key.Value), first.Line, first.Column)
			continue
		}
		seen[key.Value] = key
		fn(key, val)
	}
}

func isMerge(key *yaml.Node) bool { return key.Kind == yaml.ScalarNode && key.Tag == "!!merge" }

// merge calls fn for each key of the mappings that a merge key (<<) brings
// in: one mapping, or a list of them where the earlier ones win (YAML's
// merge key type). Their own merge keys are followed too.
func (d *decoder) merge(key, val *yaml.Node, path string, fn func(key, val *yaml.Node)) {
	switch val.Kind {
	case yaml.MappingNode:
		d.mapping(val, path, fn)
		return
	case yaml.SequenceNode:
		for _, m := range val.Content {
			if m = resolve(m); m.Kind != yaml.MappingNode {
				d.errorf(m, "%s<<: want a mapping or a list of mappings to merge, got %s", prefix(path), describe(m))
				continue
			}
			d.mapping(m, path, fn)
		}
		return
	}
	d.errorf(val, "%s<<: want a mapping or a list of mappings to merge, got %s", prefix(path), describe(val))
}

// decode decodes n into v, which is addressable. path names the value in
// messages, as in events[0].fields.order_id.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	n = resolve(n)
	if v.CanAddr() && v.Addr().Type().Implements(nodeDecoderType) {
		v.Addr().Interface().(nodeDecoder).decodeNode(d, n, path)
		return
	}
	if v.CanAddr() && v.Addr().Type().Implements(sectionDecoderType) {
		report := func(line, col int, msg string) { d.errorAt(Pos{Line: line, Col: col}, "%s", msg) }
		v.Addr().Interface().(sectionDecoder).DecodeYAML(n, path, report)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			d.errorf(n, "%swant a value, got null", prefix(path))
			return
		}
		p := reflect.New(v.Type().Elem())
		d.decode(n, p.Elem(), path)
		v.Set(p)
	case reflect.String:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "!!timestamp") {
			hint := ""
			if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
				hint = "; quote it: " + excerpt(n.Value)
			}
			d.errorf(n, "%swant a string, got %s%s", prefix(path), describe(n), hint)
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			d.errorf(n, "%swant true or false, got %s", prefix(path), describe(n))
			return
		}
		var b bool
		if err := n.Decode(&b); err != nil {
			d.errorf(n, "%s%v", prefix(path), err)
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		var i int64
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&i) != nil {
			d.errorf(n, "%swant an integer, got %s", prefix(path), describe(n))
			return
		}
		v.SetInt(i)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			if n.Tag == "!!null" && n.Kind == yaml.ScalarNode {
				return
			}
			d.errorf(n, "%swant a list, got %s", prefix(path), describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.decode(c, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	default:
		panic(fmt.Sprintf("catalog: cannot decode into %s", v.Type()))
	}
}

// structKeys lists the YAML keys of a struct type: name → field index.
func structKeys(t reflect.Type) (keys map[string]int, required []string) {
	keys = map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		keys[name] = i
		if slices.Contains(strings.Split(f.Tag.Get("jsonschema"), ","), "required") {
			required = append(required, name)
		}
	}
	return keys, required
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if p := v.FieldByName("Pos"); p.IsValid() && p.Type() == reflect.TypeFor[Pos]() {
		p.Set(reflect.ValueOf(pos(n)))
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%swant a mapping, got %s", prefix(path), describe(n))
		return
	}
	keys, required := structKeys(v.Type())
	isRequired := func(k string) bool { return slices.Contains(required, k) }
	present := map[string]bool{}
	var at Positions
	if p := v.FieldByName("Keys"); p.IsValid() && p.Type() == reflect.TypeFor[Positions]() {
		at = Positions{}
		p.Set(reflect.ValueOf(at))
	}
	d.mapping(n, path, func(key, val *yaml.Node) {
		i, ok := keys[key.Value]
		if !ok {
			known := make([]string, 0, len(keys))
			for k := range keys {
				known = append(known, k)
			}
			slices.Sort(known)
			d.errorf(key, "%sunknown key %s (known keys: %s)", prefix(path), excerpt(key.Value), strings.Join(known, ", "))
			return
		}
		present[key.Value] = true
		if at != nil {
			at[key.Value] = pos(val)
		}
		fv := v.Field(i)
		d.decode(val, fv, joinPath(path, key.Value))
		// An empty required string is as missing as an absent one; later
		// checks skip both, trusting the decoder to have reported them.
		if fv.Kind() == reflect.String && fv.String() == "" && isRequired(key.Value) && val.Tag == "!!str" {
			d.errorf(val, "%s%s must not be empty", prefix(path), key.Value)
		}
	})
	for _, k := range required {
		if !present[k] {
			d.errorf(n, "%smissing required key %q", prefix(path), k)
		}
	}
}

// prefix starts a message about the value at path.
func prefix(path string) string {
	if path == "" {
		return ""
	}
	return path + ": "
}

func joinPath(path, key string) string {
	key = pathKey(key)
	if path == "" {
		return key
	}
	return path + "." + key
}

// pathKey is a key as a path shows it: cut to maxExcerpt bytes, so that
// a huge key does not make every message about its content huge.
func pathKey(key string) string {
	if len(key) <= maxExcerpt {
		return key
	}
	cut := maxExcerpt
	for cut > 0 && !utf8.RuneStart(key[cut]) {
		cut--
	}
	return key[:cut] + "…"
}

// anyValue decodes a free-form value into what encoding/json would decode
// from its JSON form.
func (d *decoder) anyValue(n *yaml.Node, path string) any {
	n = resolve(n)
	if n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode {
		d.depth++
		defer func() { d.depth-- }()
		if d.depth > MaxNesting {
			d.errorf(n, "%svalue nested more than %d levels deep", prefix(path), MaxNesting)
			return nil
		}
	}
	switch n.Kind {
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			out[i] = d.anyValue(c, fmt.Sprintf("%s[%d]", path, i))
		}
		return out
	case yaml.MappingNode:
		out := map[string]any{}
		d.mapping(n, path, func(key, val *yaml.Node) {
			out[key.Value] = d.anyValue(val, joinPath(path, key.Value))
		})
		return out
	}
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		_ = n.Decode(&b)
		return b
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			d.errorf(n, "%s%v", prefix(path), err)
		}
		return i
	case "!!float":
		var f float64
		_ = n.Decode(&f)
		if math.IsInf(f, 0) || math.IsNaN(f) {
			d.errorf(n, "%s%s is not a JSON number", prefix(path), n.Value)
			return nil
		}
		return f
	}
	return n.Value
}
