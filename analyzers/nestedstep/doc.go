// Package nestedstep defines an Analyzer that reports steps started inside
// another step's callback.
//
// # Analyzer nestedstep
//
// nestedstep: report a step started inside another step's callback, directly or through helpers
//
// A step.Run callback is the unit the engine memoizes: it runs, its result is
// committed, and on replay it is skipped. nestedstep reports any step
// (step.Run, Sleep, SleepUntil, WaitForEvent, SendEvent, Invoke, Parallel,
// and the Inngest SDK's step and group functions) started inside a step.Run
// callback, whether written there or reached through helpers in any
// package (the message shows the call chain), and a step.Run whose callback
// is a named function that starts steps.
//
// # Why it matters
//
// Steps are identified by their position in the function body's sequence.
// A step inside a callback is started only when the outer callback runs
// (not on replays, where the outer result is memoized), so the journal and
// the replay disagree and the run fails with a non-determinism error; a
// sleep or wait inside a callback cannot suspend the run at all.
//
// # How to fix
//
// Lift the inner step to the function body, next to the outer one, passing
// values through step results:
//
//	// Before
//	step.Run(ctx, "ship", func(ctx context.Context) (string, error) {
//		label, err := step.Run(ctx, "label", makeLabel)
//		...
//	})
//
//	// After
//	label, err := step.Run(ctx, "label", makeLabel)
//	if err != nil {
//		return nil, err
//	}
//	tracking, err := step.Run(ctx, "ship", func(ctx context.Context) (string, error) { return ship(ctx, label) })
package nestedstep
