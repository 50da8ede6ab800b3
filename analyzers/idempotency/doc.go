// Package idempotency defines an Analyzer that reports durable functions
// whose steps make non-idempotent external calls with no idempotency key.
//
// # Analyzer idempotency
//
// idempotency: report non-idempotent calls in functions with no idempotency key
//
// It reports a durable function (runtime.NewFunction or
// inngestgo.CreateFunction) whose options set no Idempotency key while its
// body, inside or outside steps, makes a non-idempotent external call:
//
//   - payments (stripe-go charge, paymentintent, refund, payout, transfer New),
//   - email (net/smtp.SendMail),
//   - HTTP POST, PUT, PATCH and DELETE (http.Post, http.PostForm, and
//     Client.Do of a request built with one of those methods in the same function),
//   - SQL INSERT, UPDATE and DELETE through database/sql Exec (a query that is
//     not a constant counts too),
//   - any function listed with the -calls flag (comma-separated
//     "import/path.Func" or "import/path.Type.Method").
//
// A call does not count when the function making it passes a key: an
// "Idempotency-Key" header set on the request, or an IdempotencyKey field
// or SetIdempotencyKey call (Stripe style). Calls are followed through
// helpers in any package, and the message shows the chain.
//
// # Why it matters
//
// Events are delivered at least once: a producer retries a send after a
// timeout, a webhook fires twice. Without an idempotency key each delivery
// starts a run, and each run charges the card or sends the email again.
// Steps are also at-least-once: a crash between the call and the commit
// runs it again. An idempotency key on the function dedupes runs; a key on
// the call lets the provider dedupe retries.
//
// # How to fix
//
// Set the function's Idempotency expression (CEL over the event), or pass a
// key derived from the event to the call:
//
//	// Before
//	runtime.FunctionOpts{ID: "charge-customer"}
//
//	// After
//	runtime.FunctionOpts{ID: "charge-customer", Idempotency: "event.data.order_id"}
package idempotency
