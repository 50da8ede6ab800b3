// Package stepid defines an Analyzer that reports duplicate,
// nondeterministic and generic step IDs.
//
// # Analyzer stepid
//
// stepid: report step IDs used twice in one function, built from nondeterministic values, or too generic to say what the step does
//
// Every step of a durable function has an ID: the second argument of
// step.Run, Sleep, SleepUntil, WaitForEvent, SendEvent, Invoke and Version
// (with the Inngest Go SDK: step.Run, Sleep, WaitForEvent, Send, Invoke). The engine
// matches steps to the run's journal by that ID and its occurrence, so IDs
// must say the same thing on every replay. stepid reports:
//
//   - the same constant ID at two step calls of one function (error), also
//     when a helper of any package starts one of them ("send-email" used by
//     flows.Notify → step.Run). Calls in exclusive branches (if/else,
//     switch cases) are not duplicates, nor is one call site run many times
//     in a loop, nor the same ID in two different functions;
//   - an ID built from a value that differs when the run is replayed
//     (error): time.Now, a UUID, a random number, the process ID, the
//     attempt number (Input.Attempt), a key of a range over a map (random
//     order), directly, through local variables, or through helpers that
//     return such values;
//   - an ID built from an element of the list a loop ranges over
//     (string(node.Type) for each node), rather than the loop index, a key
//     of a ranged map or a field that identifies the element (node.ID):
//     elements may repeat (advice, category "advice");
//   - a generic ID that says nothing about the step: "step1", "process",
//     "do", "test_2", "" (advice, category "advice").
//   - a step.Version whose change ID is not a constant string (error): the
//     ID names a change to the code, under which each run records the
//     version it follows (a helper may take it as a parameter).
//
// Each function is checked on its own: the body of a durable function, a
// helper that starts steps, and each function literal handed to a
// registration helper (register("sync-users", func(ctx context.Context, ev
// Event) error {...}) called many times defines many functions, each with
// its own journal). IDs that helpers take as a parameter are checked where
// the helpers are called.
//
// # Why it matters on replay
//
// A resumed run is replayed from the top; each step asks the journal for
// the result recorded under its ID and occurrence. Two steps that share an
// ID are told apart only by the order they run in: a run that skips or
// reorders one of them (a branch that depends on a result, a new deploy)
// gets the other's recorded result. An ID built from time.Now or a UUID is
// different on replay: the engine finds no such step in the journal, so
// the run fails with a non-determinism error or runs the step again (a
// second charge). IDs also name steps in run history and logs: "step1" and
// "process" tell an operator nothing, and numbered IDs get reused when
// steps are added.
//
// # Examples
//
// Reported:
//
//	o, err := step.Run(ctx, "load-order", loadOrder)
//	o, err = step.Run(ctx, "load-order", reloadOrder)               // duplicate
//	step.Sleep(ctx, fmt.Sprintf("poll-%d", time.Now().Unix()), time.Minute) // differs on replay
//	for k := range order.Tags {
//		step.Run(ctx, "sync-"+k, syncTag)                              // map order is random
//	}
//	for _, node := range graph.Nodes {
//		step.Run(ctx, string(node.Type), run(node))                    // types repeat (advice)
//	}
//	step.Run(ctx, "step1", charge)                                     // generic (advice)
//
// Not reported:
//
//	step.Run(ctx, "charge-card", charge)
//	for i, node := range graph.Nodes {
//		step.Run(ctx, fmt.Sprintf("run-node-%d", i), run(node))
//	}
//	for _, node := range graph.Nodes {
//		step.Run(ctx, "run-node-"+node.ID, run(node))
//	}
//	for _, k := range slices.Sorted(maps.Keys(order.Tags)) {
//		step.Run(ctx, "sync-"+k, syncTag)
//	}
//
// # How to fix
//
// Give each step call its own ID that names what it does ("charge-card",
// "send-receipt"). Build IDs only from constants, event data, step results
// and loop indexes; when an ID comes from a loop, use the index or a field
// that identifies the element. Move time.Now, UUIDs and random values into
// a step and use its result if an ID must carry them.
//
// # Flags
//
// None.
//
// # Silencing
//
// Silence a finding that does not apply (an ID that runs in flight still
// use) with a reason:
//
//	//durable:ignore stepid runs in flight still use this ID
package stepid
