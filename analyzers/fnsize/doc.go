// Package fnsize defines an Analyzer that reports durable functions whose
// steps touch too many distinct external services.
//
// # Analyzer fnsize
//
// fnsize: report a function whose steps touch more distinct external services than -max-services
//
// For every durable function body, fnsize collects the external services
// that its step.Run callbacks call, directly or through helpers of the same
// package, and reports the function when there are more than
// -max-services (default 6). A service is:
//
//   - another package called with a context.Context (a client, an SDK, an
//     internal/mailer wrapper), counted once per module-level path
//     (github.com/stripe/stripe-go/v76/charge and .../refund are one);
//   - an interface called with a context.Context, once per interface type;
//   - a kind of standard-library I/O: a database (database/sql), email
//     (net/smtp), a process (os/exec), the file system, and HTTP once per
//     constant host (https://api.example.com) or once for computed URLs.
//
// Calls without a context that are not I/O (helpers, constructors,
// formatting) are not services.
//
// # Why it matters in production
//
// A function that charges the card, reserves stock, books the carrier,
// updates the CRM, emails the customer, notifies Slack and writes the
// warehouse file has seven reasons to fail and seven teams to page. Its
// retries re-enter every concern, its flow-control settings (concurrency,
// throttling) cannot fit all the services at once, and every change to one
// concern redeploys a function with runs in flight for all of them.
//
// # How to fix
//
// Split it into functions per concern chained by events: the order
// function sends shop/order.paid, and one function per concern (shipping,
// CRM, notifications) is triggered by it, each with its own retries and
// limits.
//
// Before:
//
//	step.Run(ctx, "charge", ...); step.Run(ctx, "reserve", ...); step.Run(ctx, "ship", ...)
//	step.Run(ctx, "crm", ...); step.Run(ctx, "email", ...); step.Run(ctx, "slack", ...); step.Run(ctx, "ledger", ...)
//
// After:
//
//	step.Run(ctx, "charge", ...)
//	step.SendEvent(ctx, "announce-paid", events.OrderPaid.New(...))
//	// ship-order, sync-crm and notify-customer are triggered by shop/order.paid
package fnsize
