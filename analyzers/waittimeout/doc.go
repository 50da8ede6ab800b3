// Package waittimeout defines an Analyzer that reports waits and
// invocations without a positive timeout, and timeouts mishandled.
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
//     no errors.Is(err, step.ErrTimeout) (Inngest SDK:
//     step.ErrEventNotReceived) or comparison with it, and no
//     `if err != nil { return ... }`, between the call and the first use of
//     the result;
//   - every error of a wait or an invoke handled as its timeout: the first
//     check after the call is `if err != nil { ... }`, nothing names the
//     timeout sentinel, and the branch neither returns another error nor
//     uses err (it takes the "nobody answered" path);
//   - a fixed step.Sleep of an hour or less right after sending events that
//     start other runs (step.SendEvent; Inngest SDK: step.Send), followed by
//     a step that reads their results: the sleep guesses how long the
//     children take (advice, category "advice"). Longer sleeps are business
//     delays ("remind after three days") and are not reported.
//
// # Why it matters on replay
//
// A wait with no timeout is refused by this runtime when it is reached
// (and, with the Inngest SDK, waits forever): the run never finishes and
// holds its rows. A wait that times out returns the zero value with the
// timeout error; using that value as if the event had arrived ships the
// order nobody paid for. Other errors of a wait are real failures (an If
// expression that does not compile, an event that does not decode, a
// store failure): treated as a timeout, they send the run down the
// "expired" path and complete it, with no retry and no failure handler.
// A fixed sleep before reading children's results reads them before they
// exist whenever the children are slow (a queue backlog, retries), and
// waits for nothing when they are fast.
//
// # Examples
//
// Reported:
//
//	paid, _ := step.WaitForEvent(ctx, "wait-payment", events.PaymentReceived, step.WaitOpts{})
//	ship(paid.Data.OrderID)
//
//	d, err := step.WaitForEvent(ctx, "wait-decision", events.Decided, step.WaitOpts{Timeout: 48 * time.Hour})
//	if err != nil { // any error is taken for "nobody answered"
//		return "expired", nil
//	}
//
//	step.SendEvent(ctx, "start-chunks", chunkEvents...)
//	step.Sleep(ctx, "let-chunks-finish", 5*time.Minute)
//	done, err := step.Run(ctx, "count-results", countResults)
//
// Not reported:
//
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
// # How to fix
//
// Give every wait and invocation a Timeout that bounds how long the business
// can wait, branch on the timeout with errors.Is, and return other errors.
// The suggested fix inserts `Timeout: 24 * time.Hour` into a literal that
// has none; adjust the duration to the business rule. Instead of sleeping
// for children, run each with step.Invoke and use its result, or have the
// child send an event when it is done and wait for it with
// step.WaitForEvent.
//
// # Flags
//
// None.
//
// # Silencing
//
//	//durable:ignore waittimeout the Finish timeout of this function bounds the wait
package waittimeout
