// Package swallowerr defines an Analyzer that reports step errors that are
// dropped without being returned, and errors that matter around durable
// functions that are ignored.
//
// # Analyzer swallowerr
//
// swallowerr: report step errors that are assigned to _, never looked at, checked and dropped or overwritten, and ignored errors of function definitions, result decoding and event sends
//
// The error of a step (step.Run, Sleep, SleepUntil, WaitForEvent,
// SendEvent, Invoke, Parallel, and their Inngest Go SDK counterparts
// step.Run, WaitForEvent, Send, Invoke, group.Parallel), or of a helper in
// any package that starts a step and returns an error, is reported when it
// is:
//
//   - never looked at: the call is a statement of its own;
//   - assigned to _;
//   - checked with `if err != nil` and then dropped: the block neither
//     returns, wraps, logs nor passes on the error, and returns a nil error
//     or carries on;
//   - overwritten before it is read: `a, err := step.Run(...)` followed by
//     `b, err := step.Run(...)` with no check in between.
//
// The Inngest SDK's group.Parallel returns its branches' errors inside
// Results; discarding those results is reported too.
//
// Errors that are not a step's but matter around durable functions are
// reported when discarded or assigned to _: the error of defining a
// function (inngestgo.CreateFunction returns one: an invalid function is
// silently not registered), of json.Unmarshal of a step's result, and of
// sending events through a client (inngestgo's Client.Send, this runtime's
// Engine.Send): an event that was not accepted starts nothing.
//
// Not reported, as deliberate handling:
//
//   - a step.Run whose callback cannot fail (every return's error is a nil
//     literal, or the result of a function of the package of which that
//     holds): only the engine could fail it;
//   - a fallback whose `if err != nil` block logs the error or carries a
//     comment, or a dropped error that a comment on its line (or the line
//     above) explains: it names a reason, such as best effort, optional,
//     fallback, ignored, can fail, retried, harmless
//     (`_ = step.Sleep(ctx, "grace", time.Minute) // best effort: advisory`);
//     a comment that only describes the step ("// Charge the card.") does
//     not count;
//   - an HTTP handler that answers with http.Error, WriteHeader, or any
//     call given an http.Status* code (a framework's c.JSON(http.StatusBadGateway,
//     ...)), and returns: the error is the response;
//   - a check that returns the error, panics, collects it, passes it to
//     anything but a logger, or leaves the block with continue or break;
//     a check of a specific error such as errors.Is(err, step.ErrTimeout)
//     (the `if err != nil` that follows it is checked);
//   - the error of a wait or an invoke handled as a timeout: waittimeout
//     reports that.
//
// # Why it matters on replay
//
// The engine learns that a step failed for good only from the error the
// function returns. A swallowed error turns a failed charge, email or
// invocation into a run that completes successfully: no retry of the
// function, no failure event (durable/function.failed, or
// inngest/function.failed with the Inngest SDK), no failure handler, and
// the following steps run on a zero result. On replay, the step's recorded
// error comes back the same way and is swallowed again.
//
// # Examples
//
// Reported:
//
//	_, _ = step.Run(ctx, "charge-card", charge)
//	_, err := step.Run(ctx, "reserve", reserve)
//	shipment, err := step.Run(ctx, "ship", ship) // the reserve error is lost
//	_, _ = inngestgo.CreateFunction(client, opts, trigger, handler)
//
// Not reported:
//
//	_, err := step.Run(ctx, "summarize", summarize)
//	if err != nil {
//		log.Printf("summary unavailable, shipping without: %v", err)
//		summary = ""
//	}
//
// # How to fix
//
// Return the error; wrap it to add context. A suggested fix does this for a
// discarded error when the enclosing function returns an error and the
// zero values of its other results can be written out:
//
//	_, err := step.Run(ctx, "charge-card", charge)
//	if err != nil {
//		return nil, fmt.Errorf("charge: %w", err)
//	}
//
// When dropping the error is the intent, say so: log it, or write a comment
// that says why.
//
// # Flags
//
// None.
//
// # Silencing
//
//	//durable:ignore swallowerr the audit trail is best effort by contract
package swallowerr
