// Package stepid defines an Analyzer that reports step IDs that are used
// twice in one function, built from nondeterministic values, or too
// generic to say what the step does.
//
// # What it flags
//
//   - Duplicates: two different step calls of one durable function (or of
//     one helper) with the same constant ID. Steps started by helpers count,
//     in this package or another (through a fact listing each helper's
//     constant IDs and the parameters it uses as an ID). The same call site
//     repeated (a loop, a helper called twice) is not a duplicate: the
//     engine numbers occurrences. Calls in mutually exclusive branches of an
//     if or a switch are not reported either.
//   - Nondeterministic IDs: an ID computed from time.Now, math/rand,
//     crypto/rand, UUID or ULID generation, os.Getpid/Hostname, the
//     attempt number (Input.Attempt), or a variable of a range over a map
//     (random order), directly, through local variables, or through
//     functions that return such a value (in this package, or in another
//     one through a fact).
//   - Generic IDs: "step1", "process", "do", "run", "handle", "task-2",
//     "" and the like.
//
// # Why it matters in production
//
// The journal identifies a step by its ID and its occurrence. With the same
// ID at two call sites, a run that skips the first one (a branch taken
// differently after a deploy, an early return) receives the first one's
// recorded result at the second: a value of the wrong shape, or a charge
// "already done" that never was. An ID that changes between executions
// cannot be found on replay: the run fails with a non-determinism error or
// runs the step again. Generic IDs make run history, logs and alerts
// unreadable, and numbered ones get reused when steps are inserted.
//
// # How to fix
//
// Give every step call a constant, descriptive, kebab-case ID that names
// what it does; derive per-item IDs from event data or loop items in a
// deterministic order (sort map keys first). Renaming an ID changes the
// journal key: do it when no run of the function is in flight, or keep the
// old ID.
//
// Before:
//
//	for k := range order.Lines {
//		step.Run(ctx, "step-"+k, reserve(k))
//	}
//	step.Run(ctx, "process", charge)
//
// After:
//
//	for _, k := range slices.Sorted(maps.Keys(order.Lines)) {
//		step.Run(ctx, "reserve-"+k, reserve(k))
//	}
//	step.Run(ctx, "charge-card", charge)
package stepid
