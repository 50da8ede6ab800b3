// Package swallowerr defines an Analyzer that reports step errors that are
// dropped or logged without being returned.
//
// # What it flags
//
// The error of a step (step.Run, Sleep, SleepUntil, WaitForEvent,
// SendEvent, Invoke, Parallel, and their inngestgo counterparts), or of a
// helper in any package that starts a step and returns an error, when it is
//
//   - never looked at: the call is a statement of its own;
//   - assigned to _;
//   - checked with `if err != nil` and then dropped: the block uses the
//     error only to log it and either returns a nil error or carries on.
//
// inngestgo's group.Parallel returns its branches' errors inside Results;
// discarding those results is flagged too.
//
// Not flagged: a check that returns the error (wrapped or not), panics,
// collects it, passes it to anything but a logger, or leaves the block
// with continue/break; a check of a specific error such as
// errors.Is(err, step.ErrTimeout), which is deliberate handling (the
// `if err != nil` that follows it is checked).
//
// # Why it matters in production
//
// The engine learns that a step failed for good only from the error the
// function returns. A swallowed error turns a failed charge, e-mail or
// invocation into a run that completes successfully: no retry of the
// function, no durable/function.failed event, no failure handler, and the
// following steps run on a zero result. The log line is all that is left.
//
// # How to fix
//
// Return the error; wrap it to add context. A suggested fix does this when
// the enclosing function returns an error and the zero values of its other
// results can be written out.
//
// Before:
//
//	_, err := step.Run(ctx, "charge-card", charge)
//	if err != nil {
//		log.Printf("charge failed: %v", err)
//		return nil, nil
//	}
//
// After:
//
//	_, err := step.Run(ctx, "charge-card", charge)
//	if err != nil {
//		return nil, fmt.Errorf("charge: %w", err)
//	}
package swallowerr
