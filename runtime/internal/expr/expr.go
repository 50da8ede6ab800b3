// Package expr compiles and evaluates the CEL expressions of function
// definitions (a trigger's If, flow-control keys) and of waits (an If over
// `event` and `async`), under limits on their cost and time: definitions
// whose worst case is excessive are refused when compiled, and an
// evaluation stops at the cost or time limit with an error wrapping
// ErrLimit. Compiled programs are cached per expression and cost limit.
package expr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/durable-go/durable/runtime/internal/quote"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"
)

// Limits bound the events an expression sees and the work of one
// evaluation.
type Limits struct {
	// DataBytes bounds the JSON encoding of an event's data.
	DataBytes int
	// Cost bounds one evaluation in CEL's cost units.
	Cost uint64
	// Timeout bounds one evaluation's time, for work the cost does not count.
	Timeout time.Duration
}

// maxSourceBytes bounds the source of a CEL expression. Expressions are
// written by function authors, and a few hundred bytes is usual.
const maxSourceBytes = 16 << 10

// staticCostFactor is how far above the runtime cost limit the estimated
// worst case of an expression may be before its definition is refused. An
// expression that visits every element of the largest event once stays well
// below; one that visits every pair of elements (a comprehension inside a
// comprehension over the event) is far above, and would exceed the runtime
// limit on any event with more than about a thousand elements.
const staticCostFactor = 1000

// celExpr is a compiled CEL expression over `event` (and `async` for
// waits), evaluated under the engine's limits.
type celExpr struct {
	src string
	env *cel.Env
	ast *cel.Ast
	// maxCost is the estimated worst-case cost on an event of estBytes of
	// data, or MaxUint64 when not estimated.
	maxCost  uint64
	estBytes int
	// loops says the expression has a comprehension (all, exists, map,
	// filter...): only those run long enough to need the deadline, which
	// costs more to arm than a simple expression takes.
	loops bool
	// progs holds a program per cost limit (cel.CostLimit is fixed when
	// the program is made); an engine uses one. Key 0 is the program
	// without cost tracking, for expressions that cannot exceed the limit.
	progs sync.Map // uint64 -> cel.Program
}

// Bool is a compiled boolean CEL expression.
type Bool struct{ *celExpr }

var (
	envOnce        sync.Once
	eventEnv       *cel.Env
	eventAsyncEnv  *cel.Env
	errEnvCreation error
)

func celEnvs() (*cel.Env, *cel.Env, error) {
	envOnce.Do(func() {
		obj := cel.MapType(cel.StringType, cel.DynType)
		// Bounds on the source, so that compiling a hostile expression
		// costs little and its errors stay short.
		limits := []cel.EnvOption{cel.ParserExpressionSizeLimit(maxSourceBytes)}
		eventEnv, errEnvCreation = cel.NewEnv(append(limits, cel.Variable("event", obj))...)
		if errEnvCreation == nil {
			eventAsyncEnv, errEnvCreation = cel.NewEnv(append(limits, cel.Variable("event", obj), cel.Variable("async", obj))...)
		}
	})
	return eventEnv, eventAsyncEnv, errEnvCreation
}

// compileCEL parses and checks src, and refuses it when its worst case on
// the largest event def allows is excessive (see staticCostFactor); def is
// the engine's default limits, as a definition is made before any engine.
// Errors quote at most an excerpt of src.
func compileCEL(src string, withAsync bool, def Limits) (*celExpr, error) {
	c, err := compileUnestimated(src, withAsync)
	if err != nil {
		return nil, err
	}
	est, err := c.env.EstimateCost(c.ast, eventSizes{def.DataBytes})
	if err != nil {
		return nil, fmt.Errorf("%s: estimating its cost: %w", quote.Excerpt(src, 0), err)
	}
	c.maxCost, c.estBytes = est.Max, def.DataBytes
	if bound := uint64(staticCostFactor) * def.Cost; est.Max > bound {
		return nil, fmt.Errorf("%s: worst-case cost on an event of %d KiB is %s, over %d (%d times the default cost limit): "+
			"it grows faster than the event (a comprehension inside a comprehension?)",
			quote.Excerpt(src, 0), def.DataBytes>>10, costString(est.Max), bound, staticCostFactor)
	}
	return c, nil
}

// CompileUnestimated compiles a boolean expression without the cost
// estimate Compile refuses expressions with: for tests that reach the
// evaluation limits with the very expressions that estimate refuses.
func CompileUnestimated(src string, withAsync bool) (*Bool, error) {
	c, err := compileUnestimated(src, withAsync)
	if err != nil {
		return nil, err
	}
	return &Bool{celExpr: c}, nil
}

// compileUnestimated is compileCEL without the cost estimate.
func compileUnestimated(src string, withAsync bool) (*celExpr, error) {
	env, asyncEnv, err := celEnvs()
	if err != nil {
		return nil, err
	}
	if withAsync {
		env = asyncEnv
	}
	if len(src) > maxSourceBytes {
		return nil, fmt.Errorf("%s: expression is %d bytes, over the limit of %d", quote.Excerpt(src, 0), len(src), maxSourceBytes)
	}
	ast, iss := env.Compile(src)
	if iss.Err() != nil {
		return nil, issuesError(src, iss)
	}
	loops := len(celast.MatchDescendants(celast.NavigateAST(ast.NativeRep()), celast.KindMatcher(celast.ComprehensionKind))) > 0
	return &celExpr{src: src, env: env, ast: ast, loops: loops, maxCost: ^uint64(0)}, nil
}

func costString(c uint64) string {
	if c == ^uint64(0) {
		return "unbounded"
	}
	return fmt.Sprint(c)
}

// issuesError reports the first few issues of a compilation with their
// positions and an excerpt of the source at each, rather than cel's
// rendering, which repeats the whole source line.
func issuesError(src string, iss *cel.Issues) error {
	const shown = 3
	errs := iss.Errors()
	var b strings.Builder
	b.WriteString(quote.Excerpt(src, 0))
	b.WriteString(": ")
	for i, e := range errs {
		if i == shown {
			fmt.Fprintf(&b, "; and %d more", len(errs)-shown)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		loc := e.Location
		// cel's messages quote tokens whole ("undeclared reference to
		// 'aaa…'"); the excerpt below already shows the source.
		msg := quote.Clip(e.Message, 2*quote.ExcerptBytes)
		if loc.Line() < 1 { // no position (a limit of the parser)
			b.WriteString(msg)
			continue
		}
		fmt.Fprintf(&b, "%d:%d: %s", loc.Line(), loc.Column()+1, msg)
		if len(src) > quote.ExcerptBytes {
			fmt.Fprintf(&b, " at %s", quote.Excerpt(src, byteOffset(src, loc.Line(), loc.Column())))
		}
	}
	return errors.New(b.String())
}

// byteOffset converts a CEL location (1-based line, 0-based column in
// characters) to a byte offset into src.
func byteOffset(src string, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(src[off:], '\n')
		if i < 0 {
			return len(src)
		}
		off += i + 1
	}
	for range col {
		if off >= len(src) {
			break
		}
		_, n := utf8.DecodeRuneInString(src[off:])
		off += n
	}
	return off
}

// eventSizes tells cel's cost estimator how large the values in an event
// can be: no list, map or string in event data has more elements than the
// data limit has bytes. Without it every comprehension over the event is
// of unbounded cost.
type eventSizes struct{ dataBytes int }

func (s eventSizes) EstimateSize(cost.AstNode) *cost.SizeEstimate {
	return &cost.SizeEstimate{Min: 0, Max: uint64(s.dataBytes)}
}

func (eventSizes) EstimateCallCost(string, string, *cost.AstNode, []cost.AstNode) *cost.CallEstimate {
	return nil
}

// interruptEvery is how many comprehension iterations pass between checks
// of the evaluation deadline.
const interruptEvery = 100

// bounded reports whether the expression cannot exceed l: its estimated
// worst case is within the cost limit, on events within the data limit the
// estimate assumed, and it has no comprehension to outlast the deadline.
// Most trigger and key expressions are, and evaluate without cost
// tracking, which would double their time.
func (c *celExpr) bounded(l Limits) bool {
	return !c.loops && c.maxCost <= l.Cost && l.DataBytes <= c.estBytes
}

func (c *celExpr) program(l Limits) (cel.Program, error) {
	key := l.Cost
	if c.bounded(l) {
		key = 0
	}
	if p, ok := c.progs.Load(key); ok {
		return p.(cel.Program), nil
	}
	var opts []cel.ProgramOption
	if key != 0 {
		opts = []cel.ProgramOption{cel.CostLimit(l.Cost), cel.InterruptCheckFrequency(interruptEvery)}
	}
	p, err := c.env.Program(c.ast, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", quote.Excerpt(c.src, 0), err)
	}
	c.progs.Store(key, p)
	return p, nil
}

// deadlineWindow hands out a context that expires between timeout/2 and
// timeout from now: one timer per half timeout rather than one per
// evaluation, which would cost more than a usual evaluation.
type deadlineWindow struct {
	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelFunc // unused: the context expires by itself
	renewAt time.Time
}

var deadlineWindows sync.Map // time.Duration -> *deadlineWindow

func evalDeadline(timeout time.Duration) context.Context {
	v, ok := deadlineWindows.Load(timeout)
	if !ok {
		v, _ = deadlineWindows.LoadOrStore(timeout, &deadlineWindow{})
	}
	w := v.(*deadlineWindow)
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ctx == nil || now.After(w.renewAt) {
		w.ctx, w.cancel = context.WithTimeout(context.Background(), timeout)
		w.renewAt = now.Add(timeout / 2)
	}
	return w.ctx
}

// ErrLimit marks an evaluation stopped by the cost or time limit: the
// input is refused, not merely unmatched.
var ErrLimit = errors.New("expression limit exceeded")

// eval evaluates the expression under l. An evaluation stopped by a limit
// returns an error that wraps ErrLimit and names the limit; callers
// name the expression.
func (c *celExpr) eval(l Limits, vars map[string]any) (ref.Val, error) {
	p, err := c.program(l)
	if err != nil {
		return nil, err
	}
	var out ref.Val
	if c.loops {
		out, _, err = p.ContextEval(evalDeadline(l.Timeout), vars)
	} else {
		out, _, err = p.Eval(vars)
	}
	if err == nil {
		return out, nil
	}
	var cancelled interpreter.EvalCancelledError
	switch {
	case errors.As(err, &cancelled) && cancelled.Cause == interpreter.CostLimitExceeded:
		return nil, fmt.Errorf("%w: cost over %d (Options.ExpressionCostLimit)", ErrLimit, l.Cost)
	case errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("%w: time over %v (Options.ExpressionTimeout)", ErrLimit, l.Timeout)
	}
	return nil, err
}

// Compile compiles a boolean CEL expression, refusing it when its worst
// case under def (the engine's default limits) is excessive. withAsync puts
// `async` (the event being waited for) in scope besides `event`.
func Compile(src string, withAsync bool, def Limits) (*Bool, error) {
	c, err := compileCEL(src, withAsync, def)
	if err != nil {
		return nil, err
	}
	if t := c.ast.OutputType(); t != cel.BoolType && t != cel.DynType {
		return nil, fmt.Errorf("%s: evaluates to %s, not bool", quote.Excerpt(src, 0), t)
	}
	return &Bool{celExpr: c}, nil
}

// cache holds compiled wait expressions, which arrive as strings at run
// time.
var cache sync.Map // string -> *Bool

// Cached is Compile for expressions that arrive as strings at run time (a
// wait's If): each is compiled once, with the def of its first use.
func Cached(src string, withAsync bool, def Limits) (*Bool, error) {
	key := src
	if withAsync {
		key = "async\x00" + src
	}
	if e, ok := cache.Load(key); ok {
		return e.(*Bool), nil
	}
	e, err := Compile(src, withAsync, def)
	if err != nil {
		return nil, err
	}
	cache.Store(key, e)
	return e, nil
}

// Match evaluates the expression with vars (`event`, and `async` when
// compiled withAsync). A missing field is an evaluation error, which
// callers treat as "does not match" and log; an error wrapping ErrLimit is
// the event's fault.
func (e *Bool) Match(l Limits, vars map[string]any) (bool, error) {
	out, err := e.eval(l, vars)
	if err != nil {
		return false, fmt.Errorf("evaluating %s: %w", quote.Excerpt(e.src, 0), err)
	}
	b, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Errorf("evaluating %s: got %s, not a bool", quote.Excerpt(e.src, 0), quote.Excerpt(fmt.Sprint(out.Value()), 0))
	}
	return b, nil
}

// DecodeEnvelope decodes an event envelope into the map CEL sees.
func DecodeEnvelope(raw json.RawMessage) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// Key is a compiled CEL expression over `event` whose value partitions
// flow control (a concurrency key, an idempotency key...).
type Key struct {
	field string
	*celExpr
}

// CompileKey compiles the expression of the option named field (which
// errors name), refusing it as Compile does.
func CompileKey(field, src string, def Limits) (*Key, error) {
	c, err := compileCEL(src, false, def)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	return &Key{field: field, celExpr: c}, nil
}

// value evaluates the key. A missing field or a null value is an error that
// names the option and the expression: a silent shared key would merge
// unrelated runs.
func (k *Key) value(l Limits, vars map[string]any) (any, error) {
	out, err := k.eval(l, vars)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", k.field, quote.Excerpt(k.src, 0), err)
	}
	v := out.Value()
	if v == nil || out.Type() == types.NullType {
		return nil, fmt.Errorf("%s %s: evaluates to null", k.field, quote.Excerpt(k.src, 0))
	}
	return v, nil
}

// Text evaluates the key to a string: a string as it is, another scalar
// in its CEL rendering, a list or map as JSON.
func (k *Key) Text(l Limits, vars map[string]any) (string, error) {
	v, err := k.value(l, vars)
	if err != nil {
		return "", err
	}
	switch v := v.(type) {
	case string:
		return v, nil
	case int64, uint64, float64, bool:
		return fmt.Sprint(v), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v), nil
	}
	return string(b), nil
}

// Number evaluates the key to a number.
func (k *Key) Number(l Limits, vars map[string]any) (float64, error) {
	v, err := k.value(l, vars)
	if err != nil {
		return 0, err
	}
	switch v := v.(type) {
	case int64:
		return float64(v), nil
	case uint64:
		return float64(v), nil
	case float64:
		return v, nil
	}
	return 0, fmt.Errorf("%s %s: evaluates to %s, not a number", k.field, quote.Excerpt(k.src, 0), quote.Excerpt(fmt.Sprint(v), 0))
}
