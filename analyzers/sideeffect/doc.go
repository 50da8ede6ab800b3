// Package sideeffect defines an Analyzer that reports I/O and
// nondeterminism outside steps in durable function bodies.
//
// # Analyzer sideeffect
//
// sideeffect: report I/O and nondeterminism outside steps in durable functions
//
// A durable function's body is replayed from the top every time its run
// resumes (after a sleep, a wait, a crash). Steps are memoized; everything
// else runs again. sideeffect reports, in the body of a durable function
// (the handler of runtime.NewFunction or inngestgo.CreateFunction) and
// outside any step.Run callback:
//
//   - network calls (net/http client calls, net.Dial, net/rpc),
//   - database calls (database/sql, pgx, sqlx),
//   - file system writes and removals, environment changes (os),
//   - process execution (os/exec), email (net/smtp),
//   - nondeterministic values: time.Now, time.Since, time.Until, math/rand,
//     crypto/rand, UUID and ULID generation,
//   - logging through fmt.Print* and log.Print* (advice, category "advice":
//     harmless, but printed again on every replay).
//
// Calls are followed through helpers in any package: a helper that reaches
// an effect carries a fact, and the finding shows the chain, as in
// "network call http.Client.Do outside a step in durable function
// "signup" via mail.Send → mail.post → http.Client.Do", with related
// locations at each hop. Pure computation, reading the run's Input, and
// everything inside step callbacks are not reported.
//
// # Why it matters
//
// In production an effect outside a step repeats on every replay: a resumed
// run charges the card again, sends a second email, or computes a different
// time.Now and takes another branch, so the replay reaches a step the
// journal does not expect and the run fails with a non-determinism error.
//
// # How to fix
//
// Move the effect into step.Run, whose result is recorded once and replayed
// afterwards. When the effect is one statement, the suggested fix does it:
//
//	// Before
//	now := time.Now()
//	resp, err := http.Post(url, "application/json", body)
//
//	// After
//	now, err := step.Run(ctx, "time-now", func(ctx context.Context) (time.Time, error) { return time.Now(), nil })
//	if err != nil {
//		return nil, err
//	}
//	resp, err := step.Run(ctx, "http-post", func(ctx context.Context) (*http.Response, error) { return http.Post(url, "application/json", body) })
//
// (Return a decoded value rather than an *http.Response: a step result must
// round-trip through JSON.) Silence a finding that does not apply with
// //durable:ignore sideeffect <reason>.
package sideeffect
