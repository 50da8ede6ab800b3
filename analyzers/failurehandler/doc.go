// Package failurehandler defines an Analyzer that reports programs that
// run durable functions with irreversible effects and nothing to handle
// their failures.
//
// # Analyzer failurehandler
//
// failurehandler: report programs whose functions have irreversible effects and no handler for the failure event
//
// In a main package that starts an engine (runtime.New, or an Inngest
// client, directly or through a package it imports), failurehandler looks
// at the durable functions defined in the program (every package it
// imports, at any depth) and reports func main when some function has
// irreversible effects and no OnFailure handler, and no function handles
// the failure event.
//
// An effect is irreversible when it moves money or reaches a person: a
// payment, refund or payout, an email (net/smtp or a vendor SDK), an SMS, a
// push notification, a chat message — the vendor calls idempotency reserves
// its errors for — in a step or not, directly or through helpers of any
// package. Reads, HTTP requests in general and writes to the program's own
// database or files are not: a five-minute cron that refreshes a cache
// needs no failure handler, since its next run repairs what a failed one
// left. A function whose handler is not known
// where it is defined (a parameter of a registration helper) is not counted.
//
// The advice uses the vocabulary of the API the functions are written
// against:
//
//   - this runtime: a function triggered by runtime.FunctionFailed.Trigger()
//     (or an EventTrigger of "durable/function.failed"), or OnFailure set on
//     each function;
//   - the Inngest Go SDK, which has no OnFailure option: a function created
//     with inngestgo.EventTrigger("inngest/function.failed", nil).
//
// # Why it matters in production
//
// A run that fails for good (all retries spent, a NonRetriable error) stops
// there: the card is charged but the order never shipped, the partner told
// of an order that never comes, and nobody learns about it until a customer
// complains. The engine emits
// durable/function.failed for every such run precisely so that one
// function can alert, compensate or open a ticket.
//
// # How to fix
//
// Define one global failure handler, or set OnFailure on every function:
//
//	var AlertOnFailure = runtime.NewFunction(
//		runtime.FunctionOpts{ID: "alert-on-failure"},
//		runtime.FunctionFailed.Trigger(),
//		func(ctx context.Context, in runtime.Input[runtime.FunctionFailedData]) (any, error) {
//			return step.Run(ctx, "page-on-call", func(ctx context.Context) (bool, error) {
//				return true, pager.Alert(ctx, in.Event.Data.FunctionID, in.Event.Data.Error)
//			})
//		})
//
// and give it to the engine with the other functions. With the Inngest Go
// SDK:
//
//	inngestgo.CreateFunction(client,
//		inngestgo.FunctionOpts{ID: "alert-on-failure"},
//		inngestgo.EventTrigger("inngest/function.failed", nil),
//		func(ctx context.Context, in inngestgo.Input[map[string]any]) (any, error) { ... })
package failurehandler
