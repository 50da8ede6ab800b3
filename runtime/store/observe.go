package store

import (
	"context"
	"time"
)

// QueueInspector is implemented by the Tx of every store (storetest checks
// it): it tells the engine's metrics what is waiting to execute.
type QueueInspector interface {
	// QueueStats counts the runs due at p.Now (queued, sleeping or waiting
	// with available_at at or before it) and the blocked ones, in one cheap
	// query each (the indexes that claiming uses).
	QueueStats(ctx context.Context, p QueueStatsParams) (QueueStats, error)
}

// QueueStatsParams says what QueueStats reports.
type QueueStatsParams struct {
	Now time.Time
	// MaxBlockedKeys bounds Blocked: the keys with the most blocked runs
	// (ties by key), at most this many; 0 means none.
	MaxBlockedKeys int
}

// QueueStats is what a store's queue holds.
type QueueStats struct {
	// Ready counts claimable runs due at Now; OldestReady is the earliest
	// available_at among them (zero when Ready is 0).
	Ready       int
	OldestReady time.Time
	// BlockedRuns counts blocked runs, over BlockedKeys keys.
	BlockedRuns int
	BlockedKeys int
	// Blocked lists the keys with the most blocked runs, most first.
	Blocked []KeyCount
}

// KeyCount is a concurrency key and its blocked runs.
type KeyCount struct {
	Key  string
	Runs int
}

// CommitObserver is implemented by stores that report their write
// transactions: fn is called after each commit (in the store's writer, so
// it must be quick), with how many Updates it held and how long it took.
// A later call replaces fn; nil stops the reports.
type CommitObserver interface {
	ObserveCommits(fn func(CommitStats))
}

// CommitStats describes one committed write transaction.
type CommitStats struct {
	// Updates is how many Update calls the transaction committed together.
	Updates int
	// Duration runs from the transaction's start to its commit.
	Duration time.Duration
}
