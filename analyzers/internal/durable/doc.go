// Package durable is the machinery the durable analyzers share: the API
// profiles they recognise, and Analyzer, which finds the durable functions
// and steps of a package once for all of them.
//
// # Profiles
//
// Two APIs are recognised (Profile):
//
//   - Durable: github.com/durable-go/durable/runtime (NewFunction,
//     FunctionOpts, Input, Handler) and .../runtime/step (Run, Sleep,
//     SleepUntil, WaitForEvent with WaitOpts{Timeout, If}, SendEvent, Invoke
//     with InvokeOpts{Data, Timeout}, Parallel, ErrTimeout).
//   - Inngest: github.com/inngest/inngestgo (CreateFunction, FunctionOpts,
//     Input, SDKFunction), .../step (Run, Sleep, WaitForEvent with
//     WaitForEventOpts{Timeout}, Invoke, ErrEventNotReceived) and
//     .../group (Parallel).
//
// ClassifyStep, ClassifyDefine, HandlerProfile, InputProfile,
// FunctionTypeProfile and IsTimeoutError answer "what is this?" for a
// callee, a signature, a type or an object.
//
// # Bodies
//
// A body (Body) is code that the engine replays from the top on every
// resume. Analyzer recognises:
//
//   - a function literal with a handler signature (second parameter
//     runtime.Input[T] or inngestgo.Input[T]), wherever it is: given to
//     NewFunction/CreateFunction, assigned to OnFailure, or returned by a
//     helper (Body.Factory is then that helper);
//   - a function or method declared with a handler signature, whether it is
//     given to NewFunction here, in another package, or as a method value.
//
// Because bodies are recognised by their signature in the package that
// declares them, an analyzer checks every body where its syntax is, and a
// definition in another package (Definition.HandlerFunc) refers to it by
// object, so that facts exported on Body.Func or Body.Factory can be read
// at the definition.
//
// # Using it
//
//	var Analyzer = &analysis.Analyzer{
//		Name:     "mycheck",
//		Requires: []*analysis.Analyzer{durable.Analyzer},
//		Run:      run,
//	}
//
//	func run(pass *analysis.Pass) (any, error) {
//		res := pass.ResultOf[durable.Analyzer].(*durable.Result)
//		if !res.Relevant {
//			return nil, nil // fast path: no durable API in sight
//		}
//		ig := ignore.New(pass, "mycheck")
//		defer ig.Finish()
//		for _, b := range res.Bodies {
//			res.WalkOutsideSteps(b, func(n ast.Node) bool { ...; return true })
//		}
//		for _, s := range res.Steps { // s.Kind, s.ID, s.CallbackLit, s.Opts, s.Parent, s.Body
//			...
//		}
//		return nil, nil
//	}
//
// Result.Definitions lists the NewFunction/CreateFunction calls with their
// options literal (Definition.Field("Idempotency")), handler and the
// variable they are assigned to.
//
// # Facts
//
// Analyzer exports StartsStep on every function that starts a step,
// directly or through helpers in any package (Result.StartsStep and
// Result.StartsStepAt read it). Result.Prune decides which steps are not
// the function's own: those of the durable bodies it defines, of literals
// it hands to a registration helper (a function with the DefinesFunctions
// fact), and of step callbacks; so main, constructors and registration
// code start no steps. Analyzer also exports PackageInfo on packages that define
// bodies, definitions or step-starting helpers; a package that imports no
// durable API and none of those packages is not Relevant, and costs one
// look at its import list.
//
// Analyzers that track other behaviour through helpers (side effects,
// non-idempotent calls) use package callchain with a fact type of their
// own; their chains render as "A → B → C" and Chain.Related points at each
// hop. Findings go through package ignore, which implements
// //durable:ignore.
package durable
