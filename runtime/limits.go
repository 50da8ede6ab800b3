package runtime

import (
	"fmt"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// Defaults of the input limits in Options.
const (
	// DefaultMaxEventDataBytes bounds the JSON encoding of an event's data.
	DefaultMaxEventDataBytes = 512 << 10
	// DefaultMaxEventNameBytes bounds an event's name.
	DefaultMaxEventNameBytes = 256
	// DefaultMaxEventIDBytes bounds an event's ID.
	DefaultMaxEventIDBytes = 128
	// DefaultExpressionCostLimit bounds the work of one evaluation of a CEL
	// expression, in CEL's cost units (about one per operation, one per
	// element a comprehension visits, one per byte string functions scan
	// divided by ten). A million units take 35 to 125 ms on a busy 2-core
	// machine (BenchmarkExprAtCostLimit).
	DefaultExpressionCostLimit = 1_000_000
	// DefaultExpressionTimeout bounds the time of one evaluation of a CEL
	// expression, a safety net for work CEL's cost does not count; the
	// cost limit is the bound that holds on any machine.
	DefaultExpressionTimeout = time.Second
)

// maxExprBytes bounds the source of a CEL expression. Expressions are
// written by function authors, and a few hundred bytes is usual.
const maxExprBytes = 16 << 10

// staticCostFactor is how far above the runtime cost limit the estimated
// worst case of an expression may be before its definition is refused. An
// expression that visits every element of the largest event once stays well
// below; one that visits every pair of elements (a comprehension inside a
// comprehension over the event) is far above, and would exceed the runtime
// limit on any event with more than about a thousand elements.
const staticCostFactor = 1000

// limits are the engine's bounds on hostile input: events and the work
// their CEL expressions may cause.
type limits struct {
	dataBytes, nameBytes, idBytes int
	exprCost                      uint64
	exprTimeout                   time.Duration
}

// defaultLimits are the limits of Options left zero, and those a function
// definition's expressions are checked against.
var defaultLimits = limits{
	dataBytes:   DefaultMaxEventDataBytes,
	nameBytes:   DefaultMaxEventNameBytes,
	idBytes:     DefaultMaxEventIDBytes,
	exprCost:    DefaultExpressionCostLimit,
	exprTimeout: DefaultExpressionTimeout,
}

// limits returns the options' limits, defaults filled in.
func (o Options) limits() limits {
	l := defaultLimits
	if o.MaxEventDataBytes > 0 {
		l.dataBytes = o.MaxEventDataBytes
	}
	if o.MaxEventNameBytes > 0 {
		l.nameBytes = o.MaxEventNameBytes
	}
	if o.MaxEventIDBytes > 0 {
		l.idBytes = o.MaxEventIDBytes
	}
	if o.ExpressionCostLimit > 0 {
		l.exprCost = o.ExpressionCostLimit
	}
	if o.ExpressionTimeout > 0 {
		l.exprTimeout = o.ExpressionTimeout
	}
	return l
}

// checkEvent checks the name and ID of event i of a batch against the
// limits, before anything of the batch is stored.
func (l limits) checkEvent(i int, name, id string) error {
	where := fmt.Sprintf("runtime: event %d", i)
	if id != "" && len(id) <= l.idBytes {
		where += " (id " + excerpt(id, 0) + ")"
	}
	switch {
	case name == "":
		return fmt.Errorf("%s: name is required", where)
	case len(name) > l.nameBytes:
		return fmt.Errorf("%s: name is %d bytes, over the limit of %d (Options.MaxEventNameBytes): %s", where, len(name), l.nameBytes, excerpt(name, 0))
	}
	if at, ok := unprintable(name); ok {
		return fmt.Errorf("%s: name has a control or invalid character at byte %d: %s", where, at, excerpt(name, at))
	}
	if len(id) > l.idBytes {
		return fmt.Errorf("%s (%s): ID is %d bytes, over the limit of %d (Options.MaxEventIDBytes): %s", where, excerpt(name, 0), len(id), l.idBytes, excerpt(id, 0))
	}
	if at, ok := unprintable(id); ok {
		return fmt.Errorf("%s (%s): ID has a control or invalid character at byte %d: %s", where, excerpt(name, 0), at, excerpt(id, at))
	}
	return nil
}

// checkData checks the JSON encoding of the data of event i against the
// limit.
func (l limits) checkData(i int, name, id string, data []byte) error {
	if len(data) <= l.dataBytes {
		return nil
	}
	where := fmt.Sprintf("runtime: event %d (%s", i, excerpt(name, 0))
	if id != "" {
		where += ", id " + excerpt(id, 0)
	}
	return fmt.Errorf("%s): data is %d bytes of JSON, over the limit of %d (Options.MaxEventDataBytes)", where, len(data), l.dataBytes)
}

// unprintable returns the byte offset of the first character of s that is
// not printable (control characters, which carry terminal escapes and line
// breaks into logs, and invalid UTF-8).
func unprintable(s string) (int, bool) {
	for i, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return i, true
		}
	}
	return 0, false
}

// inline returns s as it is when it is short and printable, and its
// excerpt (quoted, escaped, bounded) otherwise: for text that is usually
// plain, such as a JSON pointer, but comes from the input.
func inline(s string) string {
	if _, bad := unprintable(s); bad || len(s) > 2*excerptBytes {
		return excerpt(s, 0)
	}
	return s
}

// excerptBytes bounds the text an error message quotes from an input.
const excerptBytes = 64

// excerpt quotes s for an error message: all of it when short, otherwise
// at most excerptBytes around byte offset at, with the offset and the total
// length, so that a hostile input cannot make an error message as large as
// itself. Quoting escapes control characters.
func excerpt(s string, at int) string {
	if len(s) <= excerptBytes {
		return strconv.Quote(s)
	}
	at = max(0, min(at, len(s)))
	start := max(0, at-excerptBytes/2)
	end := min(len(s), start+excerptBytes)
	start = max(0, end-excerptBytes)
	// Cut on character boundaries.
	for start > 0 && !utf8.RuneStart(s[start]) {
		start--
	}
	for end < len(s) && !utf8.RuneStart(s[end]) {
		end++
	}
	q := strconv.Quote(s[start:end])
	if start > 0 {
		q = "…" + q
	}
	if end < len(s) {
		q += "…"
	}
	return fmt.Sprintf("%s (bytes %d-%d of %d)", q, start, end, len(s))
}
