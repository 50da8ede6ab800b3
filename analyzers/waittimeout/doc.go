// Package waittimeout defines an Analyzer that reports waits and
// invocations without a positive timeout, and results used without
// checking for the timeout.
//
// # Analyzer waittimeout
//
// waittimeout: report WaitForEvent and Invoke with no positive Timeout, and timeouts never checked
//
// It reports:
//
//   - step.WaitForEvent and step.Invoke (and the Inngest SDK's
//     step.WaitForEvent and step.Invoke) whose options literal has no
//     Timeout, or a constant Timeout that is zero or negative;
//   - a result of those calls used before the timeout outcome is checked:
//     no errors.Is(err, step.ErrTimeout) (inngestgo: step.ErrEventNotReceived)
//     or comparison with it, and no `if err != nil { return ... }`, between
//     the call and the first use of the result.
//
// # Why it matters
//
// A wait with no timeout is refused by the runtime at the first replay
// (and, in the Inngest SDK, waits forever): the run never finishes and
// holds its rows. A wait that times out returns the zero value with the
// timeout error; using that value as if the event had arrived ships the
// order nobody paid for.
//
// # How to fix
//
// Give every wait and invocation a Timeout that bounds how long the business
// can wait, and branch on the timeout:
//
//	// Before
//	paid, _ := step.WaitForEvent(ctx, "wait-payment", events.PaymentReceived, step.WaitOpts{})
//	ship(paid.Data.OrderID)
//
//	// After
//	paid, err := step.WaitForEvent(ctx, "wait-payment", events.PaymentReceived,
//		step.WaitOpts{Timeout: 7 * 24 * time.Hour})
//	if errors.Is(err, step.ErrTimeout) {
//		return cancelOrder(ctx, in)
//	}
//	if err != nil {
//		return nil, err
//	}
//	ship(paid.Data.OrderID)
//
// The suggested fix inserts `Timeout: 24 * time.Hour` into a literal that
// has none; adjust the duration to the business rule.
package waittimeout
