// Package stepcapture defines an Analyzer that reports step callbacks that
// assign to variables declared outside them.
//
// # What it flags
//
// Inside the callback of step.Run (and inngestgo's step.Run):
//
//   - an assignment, op-assignment, ++ or -- whose target is, or is part of
//     (a field, an element, what a pointer points to), a variable declared
//     outside the callback: a local of the function body, a parameter of an
//     enclosing helper, a package variable;
//   - &v of such a variable handed to a call (json.Unmarshal(b, &v),
//     row.Scan(&v)), which fills it, except for calls known only to read
//     (json.Marshal, fmt printing).
//
// A callback given by name (step.Run(ctx, "load", s.load)) is flagged when
// that function or method writes a package variable or a field of its
// pointer receiver; functions of other packages are known through a fact.
//
// Each variable is reported once per callback, at its first write. Branches
// of step.Parallel are not step callbacks (they are replayed with the body)
// and are not checked.
//
// # Why it matters in production
//
// A step's callback runs once. When a run resumes (after a sleep, a wait, a
// deploy, a crash) the function is replayed from the top and each committed
// step returns its recorded result without calling the callback again. A
// value smuggled out through a captured variable is therefore set on the
// first execution and missing on every replay: the code after the step
// silently works with a zero value, typically in exactly the runs that
// waited a long time.
//
// # How to fix
//
// Return the value from the callback and use the step's result; return a
// struct when there are several values.
//
// Before:
//
//	var user User
//	_, err := step.Run(ctx, "load-user", func(ctx context.Context) (any, error) {
//		return nil, db.Get(ctx, id, &user)
//	})
//
// After:
//
//	user, err := step.Run(ctx, "load-user", func(ctx context.Context) (User, error) {
//		var u User
//		err := db.Get(ctx, id, &u)
//		return u, err
//	})
package stepcapture
