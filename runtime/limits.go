package runtime

import (
	"fmt"
	"time"

	"github.com/durable-go/durable/runtime/internal/expr"
	"github.com/durable-go/durable/runtime/internal/quote"
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
	// machine (BenchmarkExprAtCostLimit in runtime/internal/expr).
	DefaultExpressionCostLimit = 1_000_000
	// DefaultExpressionTimeout bounds the time of one evaluation of a CEL
	// expression, a safety net for work CEL's cost does not count; the
	// cost limit is the bound that holds on any machine.
	DefaultExpressionTimeout = time.Second
)

// limits are the engine's bounds on hostile input: events and the work
// their CEL expressions may cause.
type limits struct {
	nameBytes, idBytes int
	// eval holds the data limit and the bounds of one evaluation.
	eval expr.Limits
}

// defaultLimits are the limits of Options left zero, and those a function
// definition's expressions are checked against.
var defaultLimits = limits{
	nameBytes: DefaultMaxEventNameBytes,
	idBytes:   DefaultMaxEventIDBytes,
	eval: expr.Limits{
		DataBytes: DefaultMaxEventDataBytes,
		Cost:      DefaultExpressionCostLimit,
		Timeout:   DefaultExpressionTimeout,
	},
}

// limits returns the options' limits, defaults filled in.
func (o Options) limits() limits {
	l := defaultLimits
	if o.MaxEventDataBytes > 0 {
		l.eval.DataBytes = o.MaxEventDataBytes
	}
	if o.MaxEventNameBytes > 0 {
		l.nameBytes = o.MaxEventNameBytes
	}
	if o.MaxEventIDBytes > 0 {
		l.idBytes = o.MaxEventIDBytes
	}
	if o.ExpressionCostLimit > 0 {
		l.eval.Cost = o.ExpressionCostLimit
	}
	if o.ExpressionTimeout > 0 {
		l.eval.Timeout = o.ExpressionTimeout
	}
	return l
}

// checkEvent checks the name and ID of event i of a batch against the
// limits, before anything of the batch is stored.
func (l limits) checkEvent(i int, name, id string) error {
	where := fmt.Sprintf("runtime: event %d", i)
	if id != "" && len(id) <= l.idBytes {
		where += " (id " + quote.Excerpt(id, 0) + ")"
	}
	switch {
	case name == "":
		return fmt.Errorf("%s: name is required", where)
	case len(name) > l.nameBytes:
		return fmt.Errorf("%s: name is %d bytes, over the limit of %d (Options.MaxEventNameBytes): %s", where, len(name), l.nameBytes, quote.Excerpt(name, 0))
	}
	if at, ok := quote.Unprintable(name); ok {
		return fmt.Errorf("%s: name has a control or invalid character at byte %d: %s", where, at, quote.Excerpt(name, at))
	}
	if len(id) > l.idBytes {
		return fmt.Errorf("%s (%s): ID is %d bytes, over the limit of %d (Options.MaxEventIDBytes): %s", where, quote.Excerpt(name, 0), len(id), l.idBytes, quote.Excerpt(id, 0))
	}
	if at, ok := quote.Unprintable(id); ok {
		return fmt.Errorf("%s (%s): ID has a control or invalid character at byte %d: %s", where, quote.Excerpt(name, 0), at, quote.Excerpt(id, at))
	}
	return nil
}

// checkData checks the JSON encoding of the data of event i against the
// limit.
func (l limits) checkData(i int, name, id string, data []byte) error {
	if len(data) <= l.eval.DataBytes {
		return nil
	}
	where := fmt.Sprintf("runtime: event %d (%s", i, quote.Excerpt(name, 0))
	if id != "" {
		where += ", id " + quote.Excerpt(id, 0)
	}
	return fmt.Errorf("%s): data is %d bytes of JSON, over the limit of %d (Options.MaxEventDataBytes)", where, len(data), l.eval.DataBytes)
}
