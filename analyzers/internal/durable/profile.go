package durable

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"

	"github.com/durable-go/durable/internal/durablefn"
)

// Profile names an API that durable functions are written against.
type Profile uint8

const (
	// None is the zero Profile: not a durable API.
	None Profile = iota
	// Durable is this module: github.com/durable-go/durable/runtime and .../runtime/step.
	Durable
	// Inngest is the Inngest Go SDK: github.com/inngest/inngestgo, .../step and .../group.
	Inngest
)

// Import paths of the packages of each profile.
const (
	DurableRuntimePath = durablefn.RuntimePath
	DurableStepPath    = "github.com/durable-go/durable/runtime/step"
	InngestPath        = durablefn.InngestPath
	InngestStepPath    = "github.com/inngest/inngestgo/step"
	InngestGroupPath   = "github.com/inngest/inngestgo/group"
)

func (p Profile) String() string {
	switch p {
	case Durable:
		return "durable"
	case Inngest:
		return "inngestgo"
	}
	return "none"
}

// StepPackage is the import path of the profile's step package.
func (p Profile) StepPackage() string {
	switch p {
	case Durable:
		return DurableStepPath
	case Inngest:
		return InngestStepPath
	}
	return ""
}

// TimeoutErrorName is the qualified name of the sentinel error a wait (and,
// for the durable profile, an invoke) returns when its timeout passes.
func (p Profile) TimeoutErrorName() string {
	switch p {
	case Durable:
		return "step.ErrTimeout"
	case Inngest:
		return "step.ErrEventNotReceived"
	}
	return ""
}

// IdempotencyField is the name of the FunctionOpts field holding the
// function's idempotency key expression.
func (p Profile) IdempotencyField() string { return "Idempotency" }

// ProfileOfPackage reports the profile a package path belongs to.
func ProfileOfPackage(path string) Profile {
	switch path {
	case DurableRuntimePath, DurableStepPath:
		return Durable
	case InngestPath, InngestStepPath, InngestGroupPath:
		return Inngest
	}
	return None
}

// StepKind is the kind of a step call.
type StepKind uint8

const (
	NotAStep StepKind = iota
	Run
	Sleep
	SleepUntil
	WaitForEvent
	SendEvent
	Invoke
	Parallel
	// Version is step.Version, a recorded version of a change (durable only).
	Version
)

var stepKindNames = [...]string{"", "step.Run", "step.Sleep", "step.SleepUntil", "step.WaitForEvent", "step.SendEvent", "step.Invoke", "step.Parallel", "step.Version"}

func (k StepKind) String() string {
	if int(k) < len(stepKindNames) {
		return stepKindNames[k]
	}
	return "step.?"
}

// Name is the kind's name in the given profile ("group.Parallel" for
// Parallel in the Inngest profile).
func (k StepKind) Name(p Profile) string {
	if k == Parallel && p == Inngest {
		return "group.Parallel"
	}
	return k.String()
}

// Callee returns the function a call statically calls (generic functions and
// methods are returned as their origin), or nil.
func Callee(info *types.Info, call *ast.CallExpr) *types.Func {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	if fn == nil {
		return nil
	}
	return fn.Origin()
}

// IsPkgFunc reports whether fn is the package-level function path.name.
func IsPkgFunc(fn *types.Func, path, name string) bool {
	if fn == nil || fn.Pkg() == nil || fn.Name() != name || fn.Pkg().Path() != path {
		return false
	}
	sig, _ := fn.Type().(*types.Signature)
	return sig != nil && sig.Recv() == nil
}

// ClassifyStep reports the step kind and profile of fn, a callee.
func ClassifyStep(fn *types.Func) (StepKind, Profile) {
	if fn == nil || fn.Pkg() == nil {
		return NotAStep, None
	}
	if sig, _ := fn.Type().(*types.Signature); sig == nil || sig.Recv() != nil {
		return NotAStep, None
	}
	switch fn.Pkg().Path() {
	case DurableStepPath:
		switch fn.Name() {
		case "Run":
			return Run, Durable
		case "Sleep":
			return Sleep, Durable
		case "SleepUntil":
			return SleepUntil, Durable
		case "WaitForEvent":
			return WaitForEvent, Durable
		case "SendEvent":
			return SendEvent, Durable
		case "Invoke":
			return Invoke, Durable
		case "Parallel":
			return Parallel, Durable
		case "Version":
			return Version, Durable
		}
	case InngestStepPath:
		switch fn.Name() {
		case "Run":
			return Run, Inngest
		case "Sleep":
			return Sleep, Inngest
		case "WaitForEvent":
			return WaitForEvent, Inngest
		case "Send", "SendMany":
			return SendEvent, Inngest
		case "Invoke":
			return Invoke, Inngest
		}
	case InngestGroupPath:
		if fn.Name() == "Parallel" {
			return Parallel, Inngest
		}
	}
	return NotAStep, None
}

// ClassifyDefine reports whether fn defines a durable function
// (runtime.NewFunction or inngestgo.CreateFunction), and the profile.
// Which functions define is durablefn's, shared with the registry scan.
func ClassifyDefine(fn *types.Func) Profile {
	if fn == nil || fn.Pkg() == nil || !IsPkgFunc(fn, fn.Pkg().Path(), fn.Name()) {
		return None
	}
	switch durablefn.Definer(fn.Pkg().Path(), fn.Name()) {
	case durablefn.Durable:
		return Durable
	case durablefn.Inngest:
		return Inngest
	}
	return None
}

// IsTimeoutError reports whether obj is the sentinel error returned when a
// wait or invoke times out (step.ErrTimeout, or inngestgo's
// step.ErrEventNotReceived).
func IsTimeoutError(obj types.Object) bool {
	v, ok := obj.(*types.Var)
	if !ok || v.Pkg() == nil || v.Parent() != v.Pkg().Scope() {
		return false
	}
	return (v.Pkg().Path() == DurableStepPath && v.Name() == "ErrTimeout") ||
		(v.Pkg().Path() == InngestStepPath && v.Name() == "ErrEventNotReceived")
}

// namedOf returns the origin of the named type t (through one pointer), or nil.
func namedOf(t types.Type) *types.Named {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if a, ok := t.(*types.Alias); ok {
		t = types.Unalias(a)
	}
	n, _ := t.(*types.Named)
	if n == nil {
		return nil
	}
	return n.Origin()
}

func isNamed(t types.Type, path, name string) bool {
	n := namedOf(t)
	return n != nil && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == path && n.Obj().Name() == name
}

// InputProfile reports whether t is runtime.Input[T] or inngestgo.Input[T],
// the argument only the engine gives to a durable function's body.
func InputProfile(t types.Type) Profile {
	if _, ptr := t.(*types.Pointer); ptr {
		return None
	}
	switch {
	case isNamed(t, DurableRuntimePath, "Input"):
		return Durable
	case isNamed(t, InngestPath, "Input"):
		return Inngest
	}
	return None
}

// HandlerProfile reports whether sig is the signature of a durable function
// body: func(context.Context, runtime.Input[T]) (any, error), or the
// inngestgo equivalent.
func HandlerProfile(sig *types.Signature) Profile {
	if sig == nil || sig.Params().Len() != 2 || sig.Results().Len() != 2 {
		return None
	}
	return InputProfile(sig.Params().At(1).Type())
}

// HandlerTypeProfile reports whether t is a durable handler type
// (runtime.Handler[T], inngestgo.SDKFunction[T], or an unnamed func type
// with a handler signature).
func HandlerTypeProfile(t types.Type) Profile {
	if t == nil {
		return None
	}
	sig, _ := t.Underlying().(*types.Signature)
	return HandlerProfile(sig)
}

// FunctionTypeProfile reports whether t is the type of a defined durable
// function: *runtime.Function or inngestgo.ServableFunction.
func FunctionTypeProfile(t types.Type) Profile {
	switch {
	case isNamed(t, DurableRuntimePath, "Function"):
		if _, ok := t.(*types.Pointer); ok {
			return Durable
		}
	case isNamed(t, InngestPath, "ServableFunction"):
		return Inngest
	}
	return None
}
