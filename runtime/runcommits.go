package runtime

import (
	"context"
	"sync"

	"github.com/durable-go/durable/runtime/store"
)

// maxRunCommitBatch bounds the run commits of one store call, so that one
// statement's arrays and locks stay small.
const maxRunCommitBatch = 256

// runCommits gathers the commits that executions of different runs make at
// the same time into one store call (group commit): while one batch is
// being written, the commits that arrive queue up and go together in the
// next. A commit alone is written at once. It serves the commits that are
// only a run's own writes (step results, start, end of a run that holds no
// slots): anything touching other runs or shared state goes through Update.
type runCommits struct {
	store store.RunCommitter
	owner string
	// ctx is the context of the writes: the engine's execution context.
	ctx context.Context

	mu      sync.Mutex
	queue   []*queuedRunCommit
	writing bool // a writer goroutine is running
}

type queuedRunCommit struct {
	commit  store.RunCommit
	applied bool
	err     error
	done    chan struct{}
}

// commit writes c with the batch it joins and reports whether it applied
// (false: the run is no longer this engine's).
func (b *runCommits) commit(c store.RunCommit) (bool, error) {
	q := &queuedRunCommit{commit: c, done: make(chan struct{})}
	b.mu.Lock()
	b.queue = append(b.queue, q)
	start := !b.writing
	b.writing = true
	b.mu.Unlock()
	if start {
		// A goroutine of its own, not the caller's: the caller's run goes on
		// as soon as its batch is written, whatever arrives meanwhile.
		go b.write()
	}
	<-q.done
	return q.applied, q.err
}

// write writes batches until none is queued.
func (b *runCommits) write() {
	for {
		b.mu.Lock()
		n := min(len(b.queue), maxRunCommitBatch)
		if n == 0 {
			b.writing = false
			b.queue = nil
			b.mu.Unlock()
			return
		}
		batch := b.queue[:n:n]
		b.queue = b.queue[n:]
		b.mu.Unlock()
		commits := make([]store.RunCommit, n)
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
}
