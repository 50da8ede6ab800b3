// Package sideeffect defines an Analyzer that reports I/O and
// nondeterminism outside steps in durable function bodies.
//
// # Analyzer sideeffect
//
// sideeffect: report I/O and nondeterminism outside steps in durable functions
//
// A durable function's body is replayed from the top every time its run
// resumes (after a step, a sleep, a wait, a crash). Steps are memoized;
// everything else runs again. sideeffect reports, in the body of a durable
// function that has steps (the handler of runtime.NewFunction or
// inngestgo.CreateFunction) and outside any step.Run callback, before,
// between or after its steps:
//
//   - network calls (net/http client calls, net.Dial, net/rpc), vendor
//     SDK calls (payments, email, SMS, push, chat, LLM requests), and
//     events sent through a client (Engine.Send, inngestgo's Client.Send)
//     rather than step.SendEvent (step.Send);
//   - database calls (database/sql, pgx, sqlx),
//   - file system writes and removals, environment changes (os),
//   - process execution (os/exec), email (net/smtp),
//   - nondeterministic values: time.Now, time.Since, time.Until, math/rand,
//     crypto/rand, UUID and ULID generation.
//
// The finding says the call "runs again on every replay of this run".
// Calls are followed through helpers in any package (a helper that reaches
// an effect carries a fact), through local closures (markStatus :=
// func(s string) { db.Exec(...) } called between steps, or handed to a
// call that runs it, other than step.Run), and through
// interfaces: a call of repo.Save(ctx, x) is followed into the methods of
// the concrete types of the program that implement the interface (those
// declared in the package and in the packages it imports). The finding
// shows the chain, as in "database call sql.DB.ExecContext outside a step
// in durable function "fulfil" via sedomain.Orders.Save →
// sestore.Orders.Save → sql.DB.ExecContext", with related locations at
// each hop. When no implementation is visible (it is wired in by main), a
// call of an interface method that takes a context.Context is reported as
// a possible effect (advice, category "advice").
//
// A function with no steps is never replayed, but a retry after a failure
// runs all of it again: when such a body makes two or more calls with I/O
// effects (an LLM request, then a chat reply), one finding names them all,
// since the first repeats whenever a later one fails (the user gets two
// replies). Clock reads and random values are harmless there, and so is a
// single call (a retry of the function is then a retry of that call).
//
// Standard logging (fmt.Print*, log.Print*) outside steps prints again on
// every replay, which is harmless, so it is not reported by default; with
// -logging, one advice per function with steps (category "advice"), at the
// first log call, counting the others. Pure computation, reading the run's
// Input, and everything inside step callbacks are not reported.
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
