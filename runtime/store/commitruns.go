package store

import (
	"context"
	"time"
)

// RunCommitter is implemented by stores that commit what many executions
// of different runs have to record in one call: the results of their steps,
// and their start and their end. The engine gathers the commits that
// executions make at the same time (group commit), so that a busy engine
// pays one round trip for many runs instead of two or three for each.
// Stores without it get the same writes through Update, one run at a time:
// SQLite's needs none, its group commit already makes one transaction of
// many Updates.
type RunCommitter interface {
	// CommitRuns applies each of commits whose run is running under a
	// lease of owner, all or nothing for each run, and reports for each
	// commit whether it applied it (false: the run was cancelled or its
	// lease passed to another process, and nothing of that commit was
	// written). Each commit names a different run. A commit that ends a
	// run must not be used for a run with Limits (its slots would need
	// giving back): such a commit is not applied.
	CommitRuns(ctx context.Context, owner string, commits []RunCommit) ([]bool, error)
}

// RunCommit is what one execution of a run commits in CommitRuns.
type RunCommit struct {
	RunID string
	// Steps are written as PutStep writes them (inserted, or replacing the
	// step of the same key), in this order.
	Steps []Step
	// Start, if set, records the start of the run's first execution:
	// StartedAt and Deadline are set to its fields (a zero Deadline clears
	// it).
	Start *RunStart
	// ClearInterrupted sets the run's count of interruptions to zero.
	ClearInterrupted bool
	// End, if set, ends the run: its status, end time, output and error are
	// set and its lease is dropped.
	End *RunEnd
}

// RunStart is the start of a run's first execution.
type RunStart struct {
	StartedAt time.Time
	Deadline  time.Time
}

// RunEnd is the end of a run.
type RunEnd struct {
	// Status is terminal.
	Status  Status
	EndedAt time.Time
	Output  []byte
	Error   string
}
