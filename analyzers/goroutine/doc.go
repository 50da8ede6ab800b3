// Package goroutine defines an Analyzer that reports goroutines, WaitGroups
// and channel operations around steps in durable function bodies.
//
// # What it flags
//
// In a durable function body, and in any helper that starts steps, outside
// step callbacks:
//
//   - a go statement, or a goroutine started with sync.WaitGroup.Go,
//     errgroup.Group.Go/TryGo or time.AfterFunc. The message says whether the goroutine
//     starts steps (directly or through helpers of any package, with the
//     call chain) or only runs unjournaled work;
//   - when the code starts no goroutine itself: channel sends and
//     receives, select statements, ranges over channels, and
//     WaitGroup.Wait / errgroup.Group.Wait, which coordinate with goroutines
//     started elsewhere.
//
// Not flagged: anything inside a step callback (concurrency inside a step is
// an implementation detail of that step), the branches of step.Parallel
// and group.Parallel themselves, and making a channel.
//
// # Why it matters in production
//
// A durable run is a journal of steps, replayed in order. Steps started from
// goroutines reach the journal in whatever order the scheduler picks, so a
// replay meets a step the journal does not expect and fails with a
// non-determinism error. When the run suspends (a sleep, a wait, a crash),
// the engine cannot wait for or resume a goroutine it does not know: its
// work is lost or done twice. Values received from channels are not
// journaled either, so a replay can see different values, or block.
//
// # How to fix
//
// Run concurrent branches with step.Parallel (group.Parallel with
// inngestgo): each branch's steps are memoized on their own and the engine
// owns the concurrency. Keep other concurrency inside a step.
//
// Before:
//
//	var wg sync.WaitGroup
//	var a, b Quote
//	wg.Add(2)
//	go func() { defer wg.Done(); a, _ = step.Run(ctx, "quote-a", quoteA) }()
//	go func() { defer wg.Done(); b, _ = step.Run(ctx, "quote-b", quoteB) }()
//	wg.Wait()
//
// After:
//
//	quotes, err := step.Parallel(ctx,
//		func(ctx context.Context) (Quote, error) { return step.Run(ctx, "quote-a", quoteA) },
//		func(ctx context.Context) (Quote, error) { return step.Run(ctx, "quote-b", quoteB) },
//	)
package goroutine
