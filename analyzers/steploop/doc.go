// Package steploop defines an Analyzer that reports steps started once per
// element of a loop over data of unknown size.
//
// # Analyzer steploop
//
// steploop: report a step started once per element of a data-sized loop (batch it, or fan out with events)
//
// In a durable function body, and in helpers that start steps, steploop
// reports the first step (step.Run, Sleep, WaitForEvent, SendEvent,
// Invoke, or a call to a helper that starts one, in any package) inside:
//
//   - a range over a slice, map, channel, string or iterator (the event's
//     items, the rows of a query, the users of a tenant), unless it is a
//     composite literal of at most -max-iterations elements;
//   - a range over an integer or a three-clause for loop whose bound is not
//     a constant of at most -max-iterations (default 20);
//   - a for loop with no condition or a condition that is not such a bound.
//
// Loops over arrays and small constant ranges are fine, and so are
// function literals built in a loop and given to step.Parallel (the loop
// does not start the steps). So is a loop that interprets a plan: its body
// switches on the element and starts a different step in two or more cases
// (a playbook of emails, waits and tasks), whose steps are ordered and of
// different kinds and can be neither batched nor fanned out. A step.SendEvent in such a loop is reported
// with its own advice: collect the events and send them in one call.
//
// # Why it matters in production
//
// Every step is a journal row, a store round trip, and on resume a replay
// of every earlier one. A function that runs one step per user works with
// ten users in development and, with fifty thousand in production, runs for
// hours, grows a journal the size of the user table, and retries from the
// failing item with no parallelism and no rate limit.
//
// # How to fix
//
// Process the items in batches inside one step, or fan out: send one event
// per item (one step.SendEvent call) to a function that handles one item,
// with a Concurrency limit.
//
// Before:
//
//	for _, u := range in.Event.Data.Users {
//		step.Run(ctx, "email-"+u.ID, func(ctx context.Context) (bool, error) { return true, mail(ctx, u) })
//	}
//
// After:
//
//	evs := make([]runtime.Event, 0, len(in.Event.Data.Users))
//	for _, u := range in.Event.Data.Users {
//		evs = append(evs, events.UserEmailRequested.New(events.UserEmailRequestedData{UserID: u.ID}))
//	}
//	_, err := step.SendEvent(ctx, "fan-out-emails", evs...)
//	// and a function triggered by user/email.requested with
//	// Concurrency: []runtime.Concurrency{{Limit: 10}}
package steploop
