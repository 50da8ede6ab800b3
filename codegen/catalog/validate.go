package catalog

import (
	"fmt"
	"math"
	"math/big"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// knownFormats are the formats of JSON Schema draft 2020-12 that the
// runtime checks as the standard says (config.go's Format tag lists them
// too, for the published schema).
var knownFormats = []string{
	"date", "date-time", "duration", "email", "hostname", "ipv4", "ipv6",
	"iri", "iri-reference", "json-pointer", "relative-json-pointer", "time", "uri",
	"uri-reference", "uri-template", "uuid",
}

// uncheckedFormats are formats of draft 2020-12 that the runtime cannot
// check as the standard says: it would accept events another validator
// rejects, or the other way round.
var uncheckedFormats = map[string]string{
	"idn-email":    "the runtime has no checker for internationalized email addresses; use email, or a plain string",
	"idn-hostname": "the runtime has no checker for internationalized host names; use hostname, or a plain string",
	"regex":        "the runtime checks Go's regexp syntax, not ECMA-262's as JSON Schema requires; use a plain string",
}

// reservedGoNames are names the generated events file declares itself.
var reservedGoNames = map[string]bool{"Events": true, "EventType": true}

// reservedTSNames are names the TypeScript declarations declare or use
// themselves (see codegen/internal/tsgen).
var reservedTSNames = map[string]bool{
	"Envelope": true, "EventDataByName": true, "EventName": true, "EventVersionByName": true,
	"JSONValue": true, "Record": true,
}

type validator struct {
	d   *decoder
	cfg *Config
	// dupEvents are events whose name an earlier event has.
	dupEvents map[*Event]bool
}

func (v *validator) errorAt(p Pos, format string, args ...any) { v.d.errorAt(p, format, args...) }

func (v *validator) validate() {
	c := v.cfg
	if c.Version != "" && c.Version != FormatVersion {
		v.errorAt(c.Keys.Of("version", c.Pos), "version: unsupported catalog version %s; this durable reads version %q", excerpt(c.Version), FormatVersion)
	}
	v.output()
	if _, ok := c.Keys["typescript"]; ok {
		v.typescript()
	}
	if c.SchemaBaseURL != "" {
		u, err := url.Parse(c.SchemaBaseURL)
		if err != nil || !u.IsAbs() || !strings.HasSuffix(c.SchemaBaseURL, "/") {
			v.errorAt(c.Keys.Of("schema_base_url", c.Pos), "schema_base_url: %s is not an absolute URL ending in /", excerpt(c.SchemaBaseURL))
		}
	}
	for i := range c.Types {
		t := &c.Types[i]
		if !typeNameRE.MatchString(t.Name) {
			v.errorAt(t.Pos, "types: type name %s must be an exported Go name (%s)", excerpt(t.Name), typeNamePattern)
		}
		v.fields(t.Fields, "types."+pathKey(t.Name), t.Name, 1)
	}
	seen := map[string]*Event{}
	for i := range c.Events {
		e := &c.Events[i]
		where := fmt.Sprintf("events[%d]", i)
		switch {
		case e.Name == "":
			// missing: already reported by the decoder
		case !eventNameRE.MatchString(e.Name):
			v.errorAt(e.Keys.Of("name", e.Pos), "%s: event name %s is not domain/noun.verb (lowercase, such as shop/order.created)", where, excerpt(e.Name))
		case strings.HasPrefix(e.Name, "durable/"):
			v.errorAt(e.Keys.Of("name", e.Pos), "%s: event name %s: the durable/ domain is reserved for the engine's own events", where, excerpt(e.Name))
		}
		if first, dup := seen[e.Name]; dup && e.Name != "" {
			v.errorAt(e.Keys.Of("name", e.Pos), "%s: duplicate event %s (first at %s)", where, excerpt(e.Name), first.Keys.Of("name", first.Pos))
			v.dupEvents[e] = true
		} else {
			seen[e.Name] = e
		}
		if e.V != "" && !versionRE.MatchString(e.V) {
			v.errorAt(e.Keys.Of("v", e.Pos), "%s: v %s must be letters, digits, '.', '_', '+' or '-', such as 2026-01-15.1", where, excerpt(e.V))
		}
		if e.GoName != "" && !typeNameRE.MatchString(e.GoName) {
			v.errorAt(e.Keys.Of("go_name", e.Pos), "%s: go_name %s must be an exported Go name", where, excerpt(e.GoName))
		}
		v.text(e.Description, e.Keys.Of("description", e.Pos), where+".description")
		v.fields(e.Fields, where+".fields", EventGoName(e)+"Data", 1)
	}
	v.cycles()
	v.goNames()
}

func (v *validator) output() {
	c, o := v.cfg, &v.cfg.Output
	if _, ok := c.Keys["output"]; ok && o.Go == "" && o.Schemas == "" && o.Registry == "" {
		v.errorAt(o.Pos, "output: set at least one of go, schemas and registry")
	}
	for _, p := range []struct{ key, val string }{{"go", o.Go}, {"schemas", o.Schemas}, {"registry", o.Registry}} {
		if p.val == "" {
			continue
		}
		if isAbsolute(p.val) {
			v.errorAt(o.Keys.Of(p.key, o.Pos), "output.%s: %s must be relative to the directory of the catalog", p.key, excerpt(p.val))
		}
		if (p.key == "go" || p.key == "registry") && !strings.HasSuffix(p.val, ".go") {
			v.errorAt(o.Keys.Of(p.key, o.Pos), "output.%s: %s must be a .go file", p.key, excerpt(p.val))
		}
		if (p.key == "go" || p.key == "registry") && strings.HasSuffix(p.val, "_test.go") {
			v.errorAt(o.Keys.Of(p.key, o.Pos), "output.%s: %s must not be a test file", p.key, excerpt(p.val))
		}
	}
	if o.Go != "" {
		switch {
		case c.Package == "":
			v.errorAt(c.Pos, "missing required key \"package\" (the Go package name of %s)", o.Go)
		case !packageRE.MatchString(c.Package) || !isIdent(c.Package):
			v.errorAt(c.Keys.Of("package", c.Pos), "package: %s is not a valid Go package name", excerpt(c.Package))
		case c.Package == "main":
			v.errorAt(c.Keys.Of("package", c.Pos), "package: events cannot live in package main, which cannot be imported")
		}
	}
	if o.Registry != "" {
		pkg := RegistryPackage(o.Registry)
		if !packageRE.MatchString(pkg) || !isIdent(pkg) || pkg == "main" {
			v.errorAt(o.Keys.Of("registry", o.Pos), "output.registry: the directory of %s gives the package name %s, which is not an importable Go package name", excerpt(o.Registry), excerpt(pkg))
		}
		if o.Go != "" {
			if path.Clean(o.Go) == path.Clean(o.Registry) {
				v.errorAt(o.Keys.Of("registry", o.Pos), "output: go and registry are the same file %s", excerpt(o.Go))
			} else if path.Dir(path.Clean(o.Go)) == path.Dir(path.Clean(o.Registry)) && c.Package != pkg {
				v.errorAt(o.Keys.Of("registry", o.Pos), "output: go and registry share a directory, so package must be %s (it is %s)", excerpt(pkg), excerpt(c.Package))
			}
		}
	}
}

func (v *validator) typescript() {
	ts := &v.cfg.TypeScript
	if ts.Output == "" {
		return // missing or empty: reported by the decoder
	}
	at := ts.Keys.Of("output", ts.Pos)
	if isAbsolute(ts.Output) {
		v.errorAt(at, "typescript.output: %s must be relative to the directory of the catalog", excerpt(ts.Output))
	}
	if !strings.HasSuffix(ts.Output, ".d.ts") {
		v.errorAt(at, "typescript.output: %s must be a .d.ts file", excerpt(ts.Output))
	}
}

// isAbsolute reports whether p is absolute on any system: /x, \x or a
// drive letter.
func isAbsolute(p string) bool {
	return path.IsAbs(p) || strings.HasPrefix(p, `\`) || (len(p) > 1 && p[1] == ':')
}

// RegistryPackage is the package name of the registry file: the name of its
// directory.
func RegistryPackage(file string) string {
	dir := path.Dir(path.Clean(strings.ReplaceAll(file, `\`, "/")))
	if dir == "." {
		return ""
	}
	return path.Base(dir)
}

// fields checks the fields of one object; owner is the Go name of its
// struct (inline objects are named owner+field) and depth its nesting (1
// for an event's data or a named type).
func (v *validator) fields(fs Fields, where, owner string, depth int) {
	goNames := map[string]*Field{}
	for i := range fs {
		f := &fs[i]
		fwhere := where + "." + pathKey(f.Name)
		if !fieldNameRE.MatchString(f.Name) {
			v.errorAt(f.NamePos, "%s: field name %s must match %s", where, excerpt(f.Name), fieldNamePattern)
		} else {
			gn := GoName(f.Name)
			if other, dup := goNames[gn]; dup {
				v.errorAt(f.NamePos, "%s: fields %s and %s (at %s) both become the Go field %s", where, excerpt(f.Name), excerpt(other.Name), other.NamePos, pathKey(gn))
			}
			goNames[gn] = f
		}
		v.text(f.Description, f.Keys.Of("description", f.Pos), fwhere+".description")
		if f.Type == "" {
			continue // missing: reported by the decoder
		}
		t, err := parseType(f.Type, func(name string) bool { return v.cfg.TypeDef(name) != nil })
		if err != nil {
			msg := err.Error()
			if strings.HasPrefix(msg, "unknown type") {
				msg += fmt.Sprintf(" (builtin: string, integer, number, boolean, time, object; declared: %s)", v.typeNames())
			}
			v.errorAt(f.Keys.Of("type", f.Pos), "%s: %s", fwhere, msg)
			continue
		}
		f.T = t
		in := t.Innermost()
		if d := depth + t.nesting() + min(len(f.Fields), 1); d > MaxNesting {
			v.errorAt(f.Keys.Of("type", f.Pos), "%s: nested %d levels deep (objects, lists and maps); at most %d are allowed", fwhere, d, MaxNesting)
			continue
		}
		if len(f.Fields) > 0 {
			if in.Kind != KindObject {
				v.errorAt(f.Keys.Of("fields", f.Pos), "%s: fields are only allowed with type object (or []object, map[string]object), not %s", fwhere, f.Type)
			} else {
				in.Fields = f.Fields
				in.GoName = owner + GoName(f.Name)
				v.fields(f.Fields, fwhere, in.GoName, depth+t.nesting()+1)
			}
		}
		v.constraints(f, t, fwhere)
	}
}

// text checks free text that the generated Go quotes in comments: control
// characters (other than tab and newline) and byte order marks make the Go
// file invalid (NUL, U+FEFF) or hide text from a reader on a terminal.
func (v *validator) text(s string, at Pos, where string) {
	for _, r := range s {
		if (unicode.IsControl(r) && r != '\t' && r != '\n') || r == '\uFEFF' {
			v.errorAt(at, "%s: contains the character %U; use printable text (tabs and newlines are fine)", where, r)
			return
		}
	}
}

func (v *validator) typeNames() string {
	if len(v.cfg.Types) == 0 {
		return "none"
	}
	names := make([]string, len(v.cfg.Types))
	for i, t := range v.cfg.Types {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

func (v *validator) constraints(f *Field, t *TypeExpr, where string) {
	if f.Format != "" {
		if t.Kind != KindString {
			v.errorAt(f.Keys.Of("format", f.Pos), "%s: format applies to string fields, not %s", where, f.Type)
		} else if why, ok := uncheckedFormats[f.Format]; ok {
			v.errorAt(f.Keys.Of("format", f.Pos), "%s: format %s is not supported: %s", where, f.Format, why)
		} else if !slices.Contains(knownFormats, f.Format) {
			v.errorAt(f.Keys.Of("format", f.Pos), "%s: unknown format %s (known: %s)", where, excerpt(f.Format), strings.Join(knownFormats, ", "))
		}
	}
	for _, b := range []struct {
		key string
		n   *Number
	}{{"minimum", f.Minimum}, {"maximum", f.Maximum}} {
		if b.n == nil || b.n.Rat == nil {
			continue
		}
		switch {
		case t.Kind != KindInteger && t.Kind != KindNumber:
			v.errorAt(b.n.Pos, "%s: %s applies to integer and number fields, not %s", where, b.key, f.Type)
		case t.Kind == KindInteger && !b.n.Rat.IsInt():
			v.errorAt(b.n.Pos, "%s: %s of an integer field must be an integer, not %s", where, b.key, b.n.Text)
		case t.Kind == KindInteger && (b.n.Rat.Cmp(minInt64) < 0 || b.n.Rat.Cmp(maxInt64) > 0):
			v.errorAt(b.n.Pos, "%s: %s %s is outside the range of an integer field (int64: %s to %s)", where, b.key, b.n.Text, minInt64.Num(), maxInt64.Num())
		case t.Kind == KindNumber && new(big.Rat).Abs(b.n.Rat).Cmp(maxFloat64) > 0:
			v.errorAt(b.n.Pos, "%s: %s %s is outside the range of a number field (float64: ±%g)", where, b.key, b.n.Text, math.MaxFloat64)
		}
	}
	if f.Minimum != nil && f.Maximum != nil && f.Minimum.Rat != nil && f.Maximum.Rat != nil && f.Minimum.Rat.Cmp(f.Maximum.Rat) > 0 {
		v.errorAt(f.Maximum.Pos, "%s: maximum %s is less than minimum %s", where, f.Maximum.Text, f.Minimum.Text)
	}
	if f.Enum != nil {
		switch {
		case !t.Scalar():
			v.errorAt(f.Keys.Of("enum", f.Pos), "%s: enum applies to string, integer, number, boolean and time fields, not %s", where, f.Type)
		case len(f.Enum) == 0:
			v.errorAt(f.Keys.Of("enum", f.Pos), "%s: enum is empty; list the allowed values", where)
		default:
			first := make(map[string]Pos, len(f.Enum))
			for _, e := range f.Enum {
				if err := v.checkValue(t, e.V, false); err != nil {
					v.errorAt(e.Pos, "%s: enum value %s", where, err)
					continue
				}
				k := jsonKey(e.V)
				if at, dup := first[k]; dup {
					v.errorAt(e.Pos, "%s: enum value %s is listed twice (first at %s)", where, pathKey(fmt.Sprint(e.V)), at)
				} else {
					first[k] = e.Pos
				}
				v.checkBounds(f, e, where, "enum value")
			}
		}
	}
	if f.Default != nil {
		d := f.Default
		if err := v.checkValue(t, d.V, true); err != nil {
			v.errorAt(d.Pos, "%s: default %s", where, err)
			return
		}
		if len(f.Enum) > 0 && !slices.ContainsFunc(f.Enum, func(e Value) bool { return jsonEqual(e.V, d.V) }) {
			v.errorAt(d.Pos, "%s: default %s is not one of the enum values", where, pathKey(fmt.Sprint(d.V)))
		}
		v.checkBounds(f, *d, where, "default")
	}
}

func (v *validator) checkBounds(f *Field, val Value, where, what string) {
	// An integer compares exactly; a float as the float64 it decoded to
	// (0.1 is not below a minimum written 0.1).
	below := func(b *Number) bool {
		if i, ok := val.V.(int64); ok {
			return new(big.Rat).SetInt64(i).Cmp(b.Rat) < 0
		}
		x, ok := val.V.(float64)
		return ok && x < b.Value
	}
	above := func(b *Number) bool {
		if i, ok := val.V.(int64); ok {
			return new(big.Rat).SetInt64(i).Cmp(b.Rat) > 0
		}
		x, ok := val.V.(float64)
		return ok && x > b.Value
	}
	if f.Minimum != nil && f.Minimum.Rat != nil && below(f.Minimum) {
		v.errorAt(val.Pos, "%s: %s %v is less than minimum %s", where, what, val.V, f.Minimum.Text)
	}
	if f.Maximum != nil && f.Maximum.Rat != nil && above(f.Maximum) {
		v.errorAt(val.Pos, "%s: %s %v is greater than maximum %s", where, what, val.V, f.Maximum.Text)
	}
}

// The range of an integer field, whose Go type is int64.
var (
	minInt64 = new(big.Rat).SetInt64(math.MinInt64)
	maxInt64 = new(big.Rat).SetInt64(math.MaxInt64)
	// maxFloat64 bounds a number field, whose Go type is float64.
	maxFloat64 = new(big.Rat).SetFloat64(math.MaxFloat64)
)

func toFloat(x any) (float64, bool) {
	switch n := x.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func jsonEqual(a, b any) bool { return jsonKey(a) == jsonKey(b) }

// jsonKey is equal for two values exactly when they are the same JSON
// value: numbers compare by value whether YAML wrote them as integers or
// not. It lets a map find duplicates among many enum values.
func jsonKey(x any) string {
	if f, ok := toFloat(x); ok {
		if f == 0 {
			f = 0 // -0 is 0
		}
		return "number:" + strconv.FormatFloat(f, 'g', -1, 64)
	}
	return fmt.Sprintf("%T:%v", x, x)
}

// checkValue checks that a YAML value (a default or enum item) is a valid
// JSON value of type t.
func (v *validator) checkValue(t *TypeExpr, x any, deep bool) error {
	want := func(what string) error { return fmt.Errorf("%s must be %s, not %s", show(x), what, jsonKind(x)) }
	switch t.Kind {
	case KindString:
		if _, ok := x.(string); !ok {
			return want("a string")
		}
	case KindTime:
		s, ok := x.(string)
		if !ok {
			return want("an RFC 3339 time string")
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return fmt.Errorf("%s is not an RFC 3339 time such as 2026-01-15T10:00:00Z", excerpt(s))
		}
	case KindInteger:
		f, ok := toFloat(x)
		if !ok || f != math.Trunc(f) {
			return want("an integer")
		}
	case KindNumber:
		if _, ok := toFloat(x); !ok {
			return want("a number")
		}
	case KindBoolean:
		if _, ok := x.(bool); !ok {
			return want("true or false")
		}
	case KindArray:
		items, ok := x.([]any)
		if !ok {
			return want("a list")
		}
		for i, it := range items {
			if err := v.checkValue(t.Elem, it, deep); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
	case KindMap:
		m, ok := x.(map[string]any)
		if !ok {
			return want("a mapping")
		}
		for _, k := range sortedKeys(m) {
			if err := v.checkValue(t.Elem, m[k], deep); err != nil {
				return fmt.Errorf("key %s: %w", excerpt(k), err)
			}
		}
	case KindObject, KindNamed:
		m, ok := x.(map[string]any)
		if !ok {
			return want("a mapping")
		}
		fs := t.Fields
		if t.Kind == KindNamed {
			if td := v.cfg.TypeDef(t.Name); td != nil {
				fs = td.Fields
			}
		}
		if t.Kind == KindObject && len(fs) == 0 {
			return nil
		}
		for _, k := range sortedKeys(m) {
			i := slices.IndexFunc(fs, func(f Field) bool { return f.Name == k })
			if i < 0 {
				return fmt.Errorf("has unknown field %s", excerpt(k))
			}
			if fs[i].T != nil {
				if err := v.checkValue(fs[i].T, m[k], deep); err != nil {
					return fmt.Errorf("field %q: %w", k, err)
				}
			}
		}
		for _, f := range fs {
			if _, ok := m[f.Name]; f.Required && !ok {
				return fmt.Errorf("lacks required field %q", f.Name)
			}
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func show(x any) string {
	if s, ok := x.(string); ok {
		return excerpt(s)
	}
	if x == nil {
		return "null"
	}
	switch x.(type) {
	case []any:
		return "the list"
	case map[string]any:
		return "the mapping"
	}
	return fmt.Sprint(x)
}

func jsonKind(x any) string {
	switch n := x.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		if n == math.Trunc(n) {
			return "an integer"
		}
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	case []any:
		return "a list"
	}
	return "a mapping"
}

// cycles reports named types that contain themselves by value (not through
// a list or a map), which no Go struct can do.
func (v *validator) cycles() {
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string, trail []string) bool
	var viaFields func(fs Fields, trail []string) bool
	viaFields = func(fs Fields, trail []string) bool {
		for _, f := range fs {
			if f.T == nil {
				continue
			}
			switch f.T.Kind {
			case KindNamed:
				if visit(f.T.Name, append(trail, f.Name)) {
					return true
				}
			case KindObject:
				if viaFields(f.T.Fields, append(trail, f.Name)) {
					return true
				}
			}
		}
		return false
	}
	visit = func(name string, trail []string) bool {
		td := v.cfg.TypeDef(name)
		if td == nil {
			return false
		}
		switch state[name] {
		case 1:
			v.errorAt(td.Pos, "types.%s contains itself through %s; use []%s or map[string]%s for a recursive type", name, strings.Join(trail, "."), name, name)
			return true
		case 2:
			return false
		}
		state[name] = 1
		found := viaFields(td.Fields, append([]string{name}, trail...)[:1])
		state[name] = 2
		return found
	}
	for _, t := range v.cfg.Types {
		if state[t.Name] == 0 {
			visit(t.Name, nil)
		}
	}
}

// goNames reports two declarations that would get one Go name (which the
// TypeScript declarations use too), or a name the generated files declare
// themselves.
func (v *validator) goNames() {
	goOut, tsOut := v.cfg.Output.Go != "", v.cfg.TypeScript.Output != ""
	if !goOut && !tsOut {
		return
	}
	type decl struct {
		what string
		pos  Pos
	}
	seen := map[string]decl{}
	add := func(name, what string, p Pos) {
		if goOut && reservedGoNames[name] {
			v.errorAt(p, "%s gets the Go name %s, which the generated file declares itself; rename it (go_name for events)", what, name)
			return
		}
		if tsOut && reservedTSNames[name] {
			v.errorAt(p, "%s gets the name %s, which the TypeScript declarations declare or use themselves; rename it", what, name)
			return
		}
		if prev, dup := seen[name]; dup {
			v.errorAt(p, "%s and %s (at %s) both get the Go name %s; rename one (go_name for events)", what, prev.what, prev.pos, name)
			return
		}
		seen[name] = decl{what, p}
	}
	for i := range v.cfg.Events {
		e := &v.cfg.Events[i]
		// The TypeScript declarations name only the data of an event.
		if goOut && e.Name != "" && !v.dupEvents[e] {
			add(EventGoName(e), "event "+excerpt(e.Name), e.Pos)
		}
	}
	for _, s := range v.cfg.Structs() {
		switch {
		case s.Event != nil:
			if s.Event.Name != "" && !v.dupEvents[s.Event] {
				add(s.GoName, "the data of event "+excerpt(s.Event.Name), s.Pos)
			}
		case s.Type != nil:
			add(s.GoName, fmt.Sprintf("type %s", s.GoName), s.Pos)
		default:
			add(s.GoName, fmt.Sprintf("the object of field %s.%s", s.Owner, s.Field.Name), s.Pos)
		}
	}
}
