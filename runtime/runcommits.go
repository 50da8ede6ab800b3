package runtime

import (
	"context"

	"github.com/durable-go/durable/internal/batch"
	"github.com/durable-go/durable/runtime/store"
)

// maxRunCommitBatch bounds the run commits of one store call, so that one
// statement's arrays and locks stay small.
const maxRunCommitBatch = 256

// runCommits gathers the commits that executions of different runs make at
// the same time into one store call (group commit, see internal/batch). It
// serves the commits that are only a run's own writes (step results, start,
// end of a run that holds no slots): anything touching other runs or shared
// state goes through Update.
type runCommits struct {
	store store.RunCommitter
	owner string
	// ctx is the context of the writes: the engine's execution context.
	ctx   context.Context
	queue *batch.Queue[*queuedRunCommit]
}

type queuedRunCommit struct {
	commit  store.RunCommit
	applied bool
	err     error
	done    chan struct{}
}

func newRunCommits(ctx context.Context, st store.RunCommitter, owner string) *runCommits {
	b := &runCommits{store: st, owner: owner, ctx: ctx}
	b.queue = batch.New(maxRunCommitBatch, 1, b.write)
	return b
}

// commit writes c with the batch it joins and reports whether it applied
// (false: the run is no longer this engine's).
func (b *runCommits) commit(c store.RunCommit) (bool, error) {
	q := &queuedRunCommit{commit: c, done: make(chan struct{})}
	b.queue.Add(q)
	<-q.done
	return q.applied, q.err
}

// write writes one batch.
func (b *runCommits) write(batch []*queuedRunCommit) {
	commits := make([]store.RunCommit, len(batch))
	for i, q := range batch {
		commits[i] = q.commit
	}
	applied, err := b.store.CommitRuns(b.ctx, b.owner, commits)
	for i, q := range batch {
		q.err = err
		q.applied = err == nil && applied[i]
		close(q.done)
	}
}
