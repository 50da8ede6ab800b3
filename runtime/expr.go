package runtime

import (
	"encoding/json"
	"fmt"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
)

// expr is a compiled CEL expression over `event` (and `async` for waits).
type expr struct {
	src  string
	prog cel.Program
}

var (
	envOnce        sync.Once
	eventEnv       *cel.Env
	eventAsyncEnv  *cel.Env
	errEnvCreation error
)

func celEnvs() (*cel.Env, *cel.Env, error) {
	envOnce.Do(func() {
		obj := cel.MapType(cel.StringType, cel.DynType)
		eventEnv, errEnvCreation = cel.NewEnv(cel.Variable("event", obj))
		if errEnvCreation == nil {
			eventAsyncEnv, errEnvCreation = cel.NewEnv(cel.Variable("event", obj), cel.Variable("async", obj))
		}
	})
	return eventEnv, eventAsyncEnv, errEnvCreation
}

// compileExpr compiles a boolean CEL expression. withAsync puts `async` (the
// event being waited for) in scope besides `event`.
func compileExpr(src string, withAsync bool) (*expr, error) {
	env, asyncEnv, err := celEnvs()
	if err != nil {
		return nil, err
	}
	if withAsync {
		env = asyncEnv
	}
	ast, iss := env.Compile(src)
	if iss.Err() != nil {
		return nil, fmt.Errorf("%q: %w", src, iss.Err())
	}
	if ast.OutputType() != cel.BoolType && ast.OutputType() != cel.DynType {
		return nil, fmt.Errorf("%q: evaluates to %s, not bool", src, ast.OutputType())
	}
	prog, err := env.Program(ast)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", src, err)
	}
	return &expr{src: src, prog: prog}, nil
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
// which callers treat as "does not match" and log.
func (e *expr) match(vars map[string]any) (bool, error) {
	out, _, err := e.prog.Eval(vars)
	if err != nil {
		return false, fmt.Errorf("evaluating %q: %w", e.src, err)
	}
	b, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Errorf("evaluating %q: got %v, not a bool", e.src, out.Value())
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
	src   string
	prog  cel.Program
}

func compileKey(field, src string) (*keyExpr, error) {
	env, _, err := celEnvs()
	if err != nil {
		return nil, err
	}
	ast, iss := env.Compile(src)
	if iss.Err() != nil {
		return nil, fmt.Errorf("%s: %q: %w", field, src, iss.Err())
	}
	prog, err := env.Program(ast)
	if err != nil {
		return nil, fmt.Errorf("%s: %q: %w", field, src, err)
	}
	return &keyExpr{field: field, src: src, prog: prog}, nil
}

// value evaluates the key. A missing field or a null value is an error that
// names the option and the expression: a silent shared key would merge
// unrelated runs.
func (k *keyExpr) value(vars map[string]any) (any, error) {
	out, _, err := k.prog.Eval(vars)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", k.field, k.src, err)
	}
	v := out.Value()
	if v == nil || out.Type() == types.NullType {
		return nil, fmt.Errorf("%s %q: evaluates to null", k.field, k.src)
	}
	return v, nil
}

// key evaluates the expression to a string.
func (k *keyExpr) key(vars map[string]any) (string, error) {
	v, err := k.value(vars)
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
func (k *keyExpr) number(vars map[string]any) (float64, error) {
	v, err := k.value(vars)
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
	return 0, fmt.Errorf("%s %q: evaluates to %v, not a number", k.field, k.src, v)
}
