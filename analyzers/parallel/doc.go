// Package parallel defines an Analyzer that reports consecutive
// independent steps that could run concurrently with step.Parallel.
//
// # Analyzer parallel
//
// parallel: report consecutive independent steps that could run in step.Parallel
//
// In a durable function body, parallel looks at runs of consecutive
// step.Run statements (each optionally followed by its `if err != nil`
// check) and reports a group of two or more where:
//
//   - no step uses the result of an earlier step of the group (data flow:
//     the objects its call refers to, not the names), and
//   - every step waits on something slow: its callback passes a
//     context.Context to a call (a client, a service, a helper), or makes a
//     network, database, email or process call; a callback that only
//     computes (a UUID, a timestamp) gains nothing from running in
//     parallel. A callback that is not a literal (a method value such as
//     svc.Charge) counts as slow.
//
// A suggested fix rewrites the group into one step.Parallel call when the
// rewrite is mechanical: durable profile, every step declared with := and
// the same result type, the same error check after each, and the types
// expressible in the file. The Inngest profile gets the finding without a
// fix (group.Parallel returns untyped results).
//
// # Why it matters in production
//
// Steps run one after the other: three independent 300 ms API calls take
// 900 ms per run, and the run holds its concurrency slot for all of it.
// step.Parallel runs them at once and commits each result as it lands.
//
// # How to fix
//
// Before:
//
//	profile, err := step.Run(ctx, "load-profile", func(ctx context.Context) (Doc, error) { return crm.Profile(ctx, id) })
//	if err != nil {
//		return nil, err
//	}
//	orders, err := step.Run(ctx, "load-orders", func(ctx context.Context) (Doc, error) { return shop.Orders(ctx, id) })
//	if err != nil {
//		return nil, err
//	}
//
// After:
//
//	results, err := step.Parallel(ctx,
//		func(ctx context.Context) (Doc, error) { return step.Run(ctx, "load-profile", ...) },
//		func(ctx context.Context) (Doc, error) { return step.Run(ctx, "load-orders", ...) },
//	)
//	if err != nil {
//		return nil, err
//	}
//	profile, orders := results[0], results[1]
package parallel
