// Package stepresult defines an Analyzer that reports step result types
// that cannot round-trip through JSON.
//
// # What it flags
//
// The type a step records in the run's journal: the result of step.Run,
// the event data of step.WaitForEvent and the output of step.Invoke (and
// inngestgo's step.Run, step.WaitForEvent and step.Invoke), when it is or
// contains
//
//   - a channel, a func, a complex number or an unsafe.Pointer (encoding
//     fails, so the step fails after its side effect has happened);
//   - a struct with fields but none exported (and no MarshalJSON or
//     MarshalText): it encodes as {} and comes back as its zero value;
//   - a map whose key is not a string, an integer or a TextMarshaler;
//   - an interface: a non-empty interface (error, io.Reader) cannot be
//     decoded at all, and `any` decodes as map[string]any, []any, float64,
//     string or bool rather than as the type the step returned. A step
//     whose callback only returns nil, or whose `any` result is discarded,
//     is not flagged.
//
// Generic helpers are followed: a helper that passes its type parameter to
// step.Run exports a fact, and each instantiation (in any package) is
// checked with its type argument.
//
// # Why it matters in production
//
// A committed step never runs again: when the run resumes after a sleep, a
// wait, a deploy or a crash, the step's result is decoded from the journal.
// A result that does not survive JSON makes the first execution and the
// replay disagree: fields silently become zero, type assertions that
// passed before now fail, or decoding fails and the run is stuck on a
// non-retriable error long after the side effect was done.
//
// # How to fix
//
// Return plain data: a struct with exported fields, a slice, a map with
// string keys, a string. Keep handles (connections, channels, readers,
// clients) out of results and recreate them from the recorded data.
//
// Before:
//
//	type session struct{ token string }
//	s, err := step.Run(ctx, "login", func(ctx context.Context) (session, error) {
//		return session{token: login()}, nil
//	})
//
// After:
//
//	type Session struct{ Token string `json:"token"` }
//	s, err := step.Run(ctx, "login", func(ctx context.Context) (Session, error) {
//		return Session{Token: login()}, nil
//	})
package stepresult
