// Package journal names what the engine writes in a run's journal and
// what readers of the store (the engine, its HTTP API and UI) tell apart
// by it: the kinds of steps, and the step keys of Cancel watches.
package journal

// Step kinds as recorded in the journal (store.Step.Kind).
const (
	KindRun    = "run"
	KindSleep  = "sleep"
	KindWait   = "wait"
	KindInvoke = "invoke"
	KindSend   = "send"
	// KindVersion records the version of a change a run follows (step.Version).
	KindVersion = "version"
)

// CancelPrefix starts the step key of the waits that watch for a
// function's Cancel events (Cancel watches), which are not steps.
const CancelPrefix = "cancel/"
