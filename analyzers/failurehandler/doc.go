// Package failurehandler defines an Analyzer that reports programs that
// run durable functions with nothing to handle their failures.
//
// # Analyzer failurehandler
//
// failurehandler: report programs that register durable functions and no handler for durable/function.failed
//
// In a main package that starts an engine (runtime.New, or an Inngest
// client, directly or through a package it imports), failurehandler counts
// the durable functions defined in the program (every package it imports,
// at any depth) and reports the program when none of them is triggered by
// durable/function.failed (runtime.FunctionFailed.Trigger(), or an
// EventTrigger of "durable/function.failed"; "inngest/function.failed" for
// the Inngest profile) and some function has no OnFailure handler. The
// finding is reported on func main.
//
// # Why it matters in production
//
// A run that fails for good (all retries spent, a NonRetriable error) stops
// there: the order is never shipped, the customer never emailed, and
// nobody learns about it until a customer complains. The engine emits
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
// and give it to the engine with the other functions.
package failurehandler
