package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"
)

// celExpr is a compiled CEL expression over `event` (and `async` for
// waits), evaluated under the engine's limits.
type celExpr struct {
	src string
	env *cel.Env
	ast *cel.Ast
	// maxCost is the estimated worst-case cost on an event within the
	// default data limit, or MaxUint64 when not estimated.
	maxCost uint64
	// loops says the expression has a comprehension (all, exists, map,
	// filter...): only those run long enough to need the deadline, which
	// costs more to arm than a simple expression takes.
	loops bool
	// progs holds a program per cost limit (cel.CostLimit is fixed when
	// the program is made); an engine uses one. Key 0 is the program
	// without cost tracking, for expressions that cannot exceed the limit.
	progs sync.Map // uint64 -> cel.Program
}

// expr is a compiled boolean CEL expression.
type expr struct{ *celExpr }

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
		limits := []cel.EnvOption{cel.ParserExpressionSizeLimit(maxExprBytes)}
		eventEnv, errEnvCreation = cel.NewEnv(append(limits, cel.Variable("event", obj))...)
		if errEnvCreation == nil {
			eventAsyncEnv, errEnvCreation = cel.NewEnv(append(limits, cel.Variable("event", obj), cel.Variable("async", obj))...)
		}
	})
	return eventEnv, eventAsyncEnv, errEnvCreation
}

// compileCEL parses and checks src, and refuses it when its worst case on
// the largest event the default limits allow is excessive (see
// staticCostFactor). Errors quote at most an excerpt of src.
func compileCEL(src string, withAsync bool) (*celExpr, error) {
	c, err := compileUnestimated(src, withAsync)
	if err != nil {
		return nil, err
	}
	est, err := c.env.EstimateCost(c.ast, eventSizes{defaultLimits.dataBytes})
	if err != nil {
		return nil, fmt.Errorf("%s: estimating its cost: %w", excerpt(src, 0), err)
	}
	c.maxCost = est.Max
	if bound := uint64(staticCostFactor) * defaultLimits.exprCost; est.Max > bound {
		return nil, fmt.Errorf("%s: worst-case cost on an event of %d KiB is %s, over %d (%d times the default cost limit): "+
			"it grows faster than the event (a comprehension inside a comprehension?)",
			excerpt(src, 0), defaultLimits.dataBytes>>10, costString(est.Max), bound, staticCostFactor)
	}
	return c, nil
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
	if len(src) > maxExprBytes {
		return nil, fmt.Errorf("%s: expression is %d bytes, over the limit of %d", excerpt(src, 0), len(src), maxExprBytes)
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
	b.WriteString(excerpt(src, 0))
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
		msg := clip(e.Message, 2*excerptBytes)
		if loc.Line() < 1 { // no position (a limit of the parser)
			b.WriteString(msg)
			continue
		}
		fmt.Fprintf(&b, "%d:%d: %s", loc.Line(), loc.Column()+1, msg)
		if len(src) > excerptBytes {
			fmt.Fprintf(&b, " at %s", excerpt(src, byteOffset(src, loc.Line(), loc.Column())))
		}
	}
	return errors.New(b.String())
}

// clip cuts s to at most n bytes, on a character boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
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
func (c *celExpr) bounded(l limits) bool {
	return !c.loops && c.maxCost <= l.exprCost && l.dataBytes <= defaultLimits.dataBytes
}

func (c *celExpr) program(l limits) (cel.Program, error) {
	key := l.exprCost
	if c.bounded(l) {
		key = 0
	}
	if p, ok := c.progs.Load(key); ok {
		return p.(cel.Program), nil
	}
	var opts []cel.ProgramOption
	if key != 0 {
		opts = []cel.ProgramOption{cel.CostLimit(l.exprCost), cel.InterruptCheckFrequency(interruptEvery)}
	}
	p, err := c.env.Program(c.ast, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", excerpt(c.src, 0), err)
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

// errExprLimit marks an evaluation stopped by the cost or time limit: the
// input is refused, not merely unmatched.
var errExprLimit = errors.New("expression limit exceeded")

// eval evaluates the expression under l. An evaluation stopped by a limit
// returns an error that wraps errExprLimit and names the limit; callers
// name the expression.
func (c *celExpr) eval(l limits, vars map[string]any) (ref.Val, error) {
	p, err := c.program(l)
	if err != nil {
		return nil, err
	}
	var out ref.Val
	if c.loops {
		out, _, err = p.ContextEval(evalDeadline(l.exprTimeout), vars)
	} else {
		out, _, err = p.Eval(vars)
	}
	if err == nil {
		return out, nil
	}
	var cancelled interpreter.EvalCancelledError
	switch {
	case errors.As(err, &cancelled) && cancelled.Cause == interpreter.CostLimitExceeded:
		return nil, fmt.Errorf("%w: cost over %d (Options.ExpressionCostLimit)", errExprLimit, l.exprCost)
	case errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("%w: time over %v (Options.ExpressionTimeout)", errExprLimit, l.exprTimeout)
	}
	return nil, err
}

// compileExpr compiles a boolean CEL expression. withAsync puts `async` (the
// event being waited for) in scope besides `event`.
func compileExpr(src string, withAsync bool) (*expr, error) {
	c, err := compileCEL(src, withAsync)
	if err != nil {
		return nil, err
	}
	if t := c.ast.OutputType(); t != cel.BoolType && t != cel.DynType {
		return nil, fmt.Errorf("%s: evaluates to %s, not bool", excerpt(src, 0), t)
	}
	return &expr{celExpr: c}, nil
}

// exprCache holds compiled wait expressions, which arrive as strings at run time.
var exprCache sync.Map // string -> *expr

func cachedExpr(src string, withAsync bool) (*expr, error) {
	key := src
	if withAsync {
		key = "async\x00" + src
	}
	if e, ok := exprCache.Load(key); ok {
		return e.(*expr), nil
	}
	e, err := compileExpr(src, withAsync)
	if err != nil {
		return nil, err
	}
	exprCache.Store(key, e)
	return e, nil
}

// match evaluates the expression. A missing field is an evaluation error,
// which callers treat as "does not match" and log; an error wrapping
// errExprLimit is the event's fault.
func (e *expr) match(l limits, vars map[string]any) (bool, error) {
	out, err := e.eval(l, vars)
	if err != nil {
		return false, fmt.Errorf("evaluating %s: %w", excerpt(e.src, 0), err)
	}
	b, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Errorf("evaluating %s: got %s, not a bool", excerpt(e.src, 0), excerpt(fmt.Sprint(out.Value()), 0))
	}
	return b, nil
}

// envelopeVar decodes an event envelope into the map CEL sees.
func envelopeVar(raw json.RawMessage) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// keyExpr is a compiled CEL expression over `event` whose value partitions
// flow control (a concurrency key, an idempotency key...).
type keyExpr struct {
	field string
	*celExpr
}

func compileKey(field, src string) (*keyExpr, error) {
	c, err := compileCEL(src, false)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	return &keyExpr{field: field, celExpr: c}, nil
}

// value evaluates the key. A missing field or a null value is an error that
// names the option and the expression: a silent shared key would merge
// unrelated runs.
func (k *keyExpr) value(l limits, vars map[string]any) (any, error) {
	out, err := k.eval(l, vars)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", k.field, excerpt(k.src, 0), err)
	}
	v := out.Value()
	if v == nil || out.Type() == types.NullType {
		return nil, fmt.Errorf("%s %s: evaluates to null", k.field, excerpt(k.src, 0))
	}
	return v, nil
}

// key evaluates the expression to a string.
func (k *keyExpr) key(l limits, vars map[string]any) (string, error) {
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

// number evaluates the expression to a number.
func (k *keyExpr) number(l limits, vars map[string]any) (float64, error) {
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
	return 0, fmt.Errorf("%s %s: evaluates to %s, not a number", k.field, excerpt(k.src, 0), excerpt(fmt.Sprint(v), 0))
}
