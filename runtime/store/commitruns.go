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
// Stores without it get the same writes through Update, one run at a time.
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

// CommitRunsInTx is CommitRuns through tx's operations, for stores whose
// group commit already makes one transaction of many Updates.
func CommitRunsInTx(ctx context.Context, tx Tx, owner string, commits []RunCommit) ([]bool, error) {
	applied := make([]bool, len(commits))
	for i, c := range commits {
		ok, err := commitRunInTx(ctx, tx, owner, c)
		if err != nil {
			return nil, err
		}
		applied[i] = ok
	}
	return applied, nil
}

func commitRunInTx(ctx context.Context, tx Tx, owner string, c RunCommit) (bool, error) {
	owned, err := tx.OwnsRun(ctx, c.RunID, owner)
	if err != nil || !owned {
		return false, err
	}
	if c.End != nil {
		r, err := tx.GetRun(ctx, c.RunID)
		if err != nil {
			return false, err
		}
		if len(r.Limits) > 0 {
			return false, nil
		}
	}
	for _, s := range c.Steps {
		if err := tx.PutStep(ctx, s); err != nil {
			return false, err
		}
	}
	var u RunUpdate
	if c.Start != nil {
		u.StartedAt, u.Deadline = &c.Start.StartedAt, &c.Start.Deadline
	}
	if c.ClearInterrupted {
		zero := 0
		u.Interrupted = &zero
	}
	if e := c.End; e != nil {
		u.Status, u.EndedAt, u.Output, u.Error, u.ClearLease = &e.Status, &e.EndedAt, e.Output, &e.Error, true
	}
	if c.Start == nil && !c.ClearInterrupted && c.End == nil {
		return true, nil
	}
	if _, err := tx.UpdateRun(ctx, c.RunID, RunCond{}, u); err != nil {
		return false, err
	}
	return true, nil
}
