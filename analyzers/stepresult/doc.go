// Package stepresult defines an Analyzer that reports step result types
// that cannot round-trip through JSON, and type assertions on results
// decoded from JSON.
//
// # Analyzer stepresult
//
// stepresult: report step result types that cannot round-trip through JSON (chan, func, complex, unsafe.Pointer, structs with no exported fields, interfaces), and type assertions on replayed results that JSON never satisfies
//
// Step results are recorded in the run's journal as JSON and decoded from
// it on replay. stepresult reports, for the result of step.Run, the event
// of step.WaitForEvent and the output of step.Invoke (this runtime's and
// the Inngest Go SDK's):
//
//   - a result type that is or contains a channel, a func, a complex number
//     or an unsafe.Pointer (encoding fails, so the step fails after its side
//     effect has happened);
//   - a struct with fields but none exported (and no MarshalJSON or
//     MarshalText): it encodes as {} and comes back as its zero value;
//   - a map whose key is not a string, an integer or a TextMarshaler;
//   - a non-empty interface (error, io.Reader): it cannot be decoded at all;
//   - an `any` result into which the callback puts a value of a concrete
//     type that JSON does not give back (return Order{...}, nil comes back
//     as map[string]any; return 3, nil as float64). An `any` that only ever
//     holds nil, strings, bools or float64s comes back as it was and is
//     not reported, nor is an `any` passed through from elsewhere, nor the
//     `any` result of an invoke or a wait: what is done with it is checked
//     instead (below);
//   - a type assertion, on a value decoded from JSON, to a type JSON never
//     produces: v.(int), data["paid"].(Order), item.(MyStatus), also
//     through fields, map and slice elements and ranges, on the result of
//     a step, a wait, an invoke or a generic helper that records its type
//     argument (load[any](ctx, "id")), and on the event the function
//     receives (its data is JSON too). An unchecked assertion panics; a checked one
//     (n, ok := v.(int)) is never true, so the code silently takes the
//     other path. Type-switch cases are reported likewise. Assertions to
//     string, bool, float64, map[string]any, []any and interfaces are fine.
//
// Generic helpers are followed: a helper that passes its type parameter to
// step.Run exports a fact, and each instantiation (in any package) is
// checked with its type argument.
//
// # Why it matters on replay
//
// A committed step never runs again: when the run resumes after a sleep, a
// wait, a deploy or a crash, the step's result is decoded from the journal
// (with the Inngest SDK, every result is). A result that does not survive
// JSON makes the first execution and the replay disagree: fields silently
// become zero, an int becomes a float64, a struct becomes a
// map[string]any, so type assertions that passed on the first execution
// panic on replay, and decoding failures leave the run stuck long after
// the side effect was done.
//
// # Examples
//
// Reported:
//
//	type session struct{ token string }
//	s, err := step.Run(ctx, "login", func(ctx context.Context) (session, error) { ... }) // encodes as {}
//	v, err := step.Run(ctx, "lookup", func(ctx context.Context) (any, error) {
//		return Order{ID: id}, nil // comes back as map[string]any
//	})
//	count := in.Event.Data["count"].(int) // JSON numbers are float64: panics
//
// Not reported:
//
//	reply, err := step.Run(ctx, "draft", func(ctx context.Context) (any, error) { return text, nil })
//	text := reply.(string) // a string comes back as a string
//	count := int(in.Event.Data["count"].(float64))
//
// # How to fix
//
// Return plain data: a struct with exported fields, a slice, a map with
// string keys, a string. Keep handles (connections, channels, readers,
// clients) out of results and recreate them from the recorded data. Give
// steps, waits and invokes a concrete result type (step.Invoke[Score],
// step.WaitForEvent[PaymentEvent]) rather than any; where a value must stay
// untyped, assert to float64, string, bool, map[string]any or []any and
// convert:
//
//	type Session struct{ Token string `json:"token"` }
//	s, err := step.Run(ctx, "login", func(ctx context.Context) (Session, error) {
//		return Session{Token: login()}, nil
//	})
//
// # Flags
//
// None.
//
// # Silencing
//
// A type with custom JSON encoding the analyzer cannot see, or an
// assertion guarded by code it does not follow, can be silenced:
//
//	//durable:ignore stepresult decoded with UseNumber by our own codec
package stepresult
