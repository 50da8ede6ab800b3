// Package goroutine defines an Analyzer that reports goroutines, WaitGroups
// and channel operations around steps in durable function bodies.
//
// # Analyzer goroutine
//
// goroutine: report go statements, WaitGroup/errgroup goroutines and channel operations in durable function bodies (use step.Parallel)
//
// In the body of a durable function, and in any helper that starts steps
// (directly or through helpers of any package), outside step callbacks,
// goroutine reports:
//
//   - a go statement, or a goroutine started with sync.WaitGroup.Go,
//     errgroup.Group.Go/TryGo or time.AfterFunc. The message says whether
//     the goroutine starts steps (with the call chain) or only runs
//     unjournaled work;
//   - when the code starts no goroutine itself: channel sends and receives,
//     select statements, ranges over channels, and WaitGroup.Wait /
//     errgroup.Group.Wait, which coordinate with goroutines started
//     elsewhere.
//
// Not reported: anything inside a step callback (concurrency inside a step
// is an implementation detail of that step), the branches of step.Parallel
// and group.Parallel, making a channel, and code that is not a durable
// function: main and init (which define, register and serve functions),
// tests, and helpers whose only steps belong to the functions they define
// or register (their handlers are checked as functions of their own).
//
// # Why it matters on replay
//
// A durable run is a journal of steps, replayed in order. Steps started from
// goroutines reach the journal in whatever order the scheduler picks, so a
// replay meets a step the journal does not expect and fails with a
// non-determinism error. When the run suspends (a sleep, a wait, a crash),
// the engine cannot wait for or resume a goroutine it does not know: its
// work is lost or done twice. Values received from channels are not
// journaled either, so a replay can see different values, or block.
//
// # Examples
//
// Reported:
//
//	var wg sync.WaitGroup
//	var a, b Quote
//	wg.Add(2)
//	go func() { defer wg.Done(); a, _ = step.Run(ctx, "quote-a", quoteA) }()
//	go func() { defer wg.Done(); b, _ = step.Run(ctx, "quote-b", quoteB) }()
//	wg.Wait()
//
// Not reported:
//
//	func main() {
//		go func() { log.Fatal(srv.ListenAndServe()) }() // not a durable function
//		<-stop
//	}
//
// # How to fix
//
// Run concurrent branches with step.Parallel (group.Parallel with the
// Inngest SDK): each branch's steps are memoized on their own and the
// engine owns the concurrency. Keep other concurrency inside a step.
//
//	quotes, err := step.Parallel(ctx,
//		func(ctx context.Context) (Quote, error) { return step.Run(ctx, "quote-a", quoteA) },
//		func(ctx context.Context) (Quote, error) { return step.Run(ctx, "quote-b", quoteB) },
//	)
//
// # Flags
//
// None.
//
// # Silencing
//
// A goroutine that is harmless on replay (it only warms a local cache) can
// be silenced with a reason:
//
//	//durable:ignore goroutine warms an in-process cache; nothing is journaled
package goroutine
