// Package store is a test stub with the shapes of
// github.com/durable-go/durable/runtime/store that the analyzers look at.
package store

// Status is the state of a run.
type Status string

const (
	StatusQueued    Status = "queued"
	StatusRunning   Status = "running"
	StatusCompleted Status = "completed"
	StatusFailed    Status = "failed"
)
