// Package stepcapture defines an Analyzer that reports step callbacks that
// assign to variables declared outside them.
//
// # Analyzer stepcapture
//
// stepcapture: report step callbacks that assign to variables declared outside them (the assignment is lost when the step is replayed)
//
// Inside the callback of step.Run (this runtime's and the Inngest Go SDK's)
// stepcapture reports:
//
//   - an assignment, op-assignment, ++ or -- whose target is, or is part of
//     (a field, an element, what a pointer points to), a variable declared
//     outside the callback: a local of the function body, a parameter of an
//     enclosing helper, a package variable;
//   - &v of such a variable handed to a call that writes through it:
//     json.Unmarshal(b, &v), row.Scan(&v), repo.Get(ctx, id, &v),
//     decoder.Decode(&v), or a function of any package whose code writes
//     through that parameter (known through a fact). Where no code is
//     visible (interface methods, reflection-based decoders) the callee's
//     name decides: Unmarshal, Decode, Scan, Get, Find, Load, Fetch,
//     Select... fill what they are given;
//   - a callback given by name (step.Run(ctx, "load", s.load)) whose
//     function or method writes a package variable or a field of its
//     pointer receiver.
//
// Not reported: reading outer variables, &v handed to functions that only
// read it (trace(&id), telemetry helpers, fmt, json.Marshal), variables
// declared inside the callback, and the branches of step.Parallel (they
// are body code, replayed with the body). Each variable is reported once
// per callback, at its first write.
//
// # Why it matters on replay
//
// A step's callback runs once. When a run resumes (after a sleep, a wait,
// a deploy, a crash) the function is replayed from the top and each
// committed step returns its recorded result without calling the callback
// again. A value smuggled out through a captured variable is set on the
// first execution and missing on every replay: the code after the step
// works with a zero value, typically in exactly the runs that waited a
// long time (the order shipped to an empty address, the email sent to "").
//
// # Examples
//
// Reported:
//
//	var user User
//	_, err := step.Run(ctx, "load-user", func(ctx context.Context) (bool, error) {
//		return true, repo.Get(ctx, id, &user) // Get fills user: lost on replay
//	})
//	total := 0
//	_, err = step.Run(ctx, "sum", func(ctx context.Context) (int, error) {
//		total = sum(items) // lost on replay
//		return total, nil
//	})
//
// Not reported:
//
//	_, err := step.Run(ctx, "load-user", func(ctx context.Context) (bool, error) {
//		trace(&id) // only reads id
//		return true, nil
//	})
//
// # How to fix
//
// Return the value from the callback and use the step's result; return a
// struct when there are several values:
//
//	user, err := step.Run(ctx, "load-user", func(ctx context.Context) (User, error) {
//		var u User
//		err := repo.Get(ctx, id, &u)
//		return u, err
//	})
//
// # Flags
//
// None.
//
// # Silencing
//
// A write that only serves the first execution (a metric, a debug trace)
// can be silenced with a reason:
//
//	//durable:ignore stepcapture the counter is for this process's metrics only
package stepcapture
