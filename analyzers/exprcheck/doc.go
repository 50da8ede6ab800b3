// Package exprcheck defines an Analyzer that compiles the CEL expressions
// of durable functions and checks the event fields they name.
//
// # Analyzer exprcheck
//
// exprcheck: report CEL expressions that do not compile, name missing event fields, are built at run time, or never read async in a wait
//
// exprcheck compiles, with cel-go and the environment the engine uses
// (`event`, plus `async` where the engine provides it), every constant
// expression of:
//
//   - trigger conditions: runtime.EventTrigger(name, if),
//     EventType.TriggerIf(if), inngestgo.EventTrigger(name, &if);
//   - FunctionOpts: Idempotency, Concurrency[].Key, Throttle.Key,
//     RateLimit.Key, Debounce.Key, BatchEvents.Key, Singleton.Key,
//     Priority.Run, Cancel[].If (with `async`, the cancelling event);
//   - waits: step.WaitOpts.If and inngestgo's WaitForEventOpts.If (with
//     `async`, the awaited event).
//
// It reports expressions that do not parse or type-check (an undeclared
// variable such as `async` in a trigger condition, a typo in an
// operator), conditions that cannot be boolean, and every
// `event.data.X...` or `async.data.X...` path that the event does not have.
// Paths are checked only against schemas known to describe the event. In
// code written against this runtime, which validates events against their
// type's schema: the Go type of the event data (the T of runtime.Input[T]
// and of EventType[T]), field by field through JSON names, nested structs,
// pointers, slices and maps; or, when the Go type says nothing
// (map[string]any) and a catalog is found, the catalog's fields for the
// event's name. In code written against the Inngest SDK, the catalog
// alone: the SDK decodes an event's JSON into whatever type the code
// chooses (Input[T], WaitForEvent[T]) and drops the fields the type leaves
// out, so the type says what the code reads, not what the event has. The
// catalog is the -catalog file, else the nearest durable.yaml in the
// package's directory or above. The finding points at the exact field in
// the expression and lists the fields that exist.
//
// It also reports:
//
//   - conditions built at run time: a wait, cancel or trigger If made with
//     fmt.Sprintf, strings.Join or a concatenation with a value that is
//     not a constant, directly or through a local variable. The data
//     spliced in can change the expression (a quote injects CEL), and a
//     wait's expression can differ between replays of the run. Compare
//     fields instead: "async.data.order_id == event.data.order_id";
//   - wait and cancel conditions that never read `async` (the incoming
//     event): they test only the run's own event, so they match every
//     incoming event or none.
//
// # Why it matters in production
//
// Expressions are strings: the compiler does not see them, and a typo is
// found when the engine compiles them at start-up or, worse, at run time,
// when a field that does not exist evaluates to an error or to no match.
// A condition that never matches skips every event silently; a concurrency
// key on a missing field puts every run in one queue; an idempotency key on
// a missing field dedupes every run against the first.
//
// # How to fix
//
// Name the field as it is in the event's JSON:
//
//	// Before
//	Idempotency: "event.data.orderId",
//	step.WaitOpts{Timeout: time.Hour, If: "async.data.order_id == event.data.order_id &&"}
//
//	// After
//	Idempotency: "event.data.order_id",
//	step.WaitOpts{Timeout: time.Hour, If: "async.data.order_id == event.data.order_id"}
package exprcheck
