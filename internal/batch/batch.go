// Package batch gathers work submitted at the same time into batches, for
// group commit: while a batch is being written, what arrives queues up and
// goes together in the next one, so that a busy program pays one round
// trip and one commit for many callers, and a caller alone is written at
// once. The engine's run commits and sends, and the PostgreSQL store's
// grouped Updates, each have one.
package batch

import "sync"

// Queue hands what is added to at most Writers goroutines, each of which
// takes up to Max items at a time and passes them to Write, until nothing
// is queued. An item carries its own way of telling its caller that it is
// written (a channel Write closes, say): Add does not wait.
type Queue[T any] struct {
	max, writers int
	write        func(batch []T)

	mu      sync.Mutex
	queue   []T
	running int // writer goroutines running
}

// New returns a queue whose batches hold at most max items, written by at
// most writers goroutines at once with write.
func New[T any](max, writers int, write func(batch []T)) *Queue[T] {
	return &Queue[T]{max: max, writers: writers, write: write}
}

// Add queues item, starting a writer if fewer than the queue's writers
// run. The writers are goroutines of their own, not the callers': a
// caller goes on as soon as its batch is written, whatever arrives
// meanwhile.
func (q *Queue[T]) Add(item T) {
	q.mu.Lock()
	q.queue = append(q.queue, item)
	start := q.running < q.writers
	if start {
		q.running++
	}
	q.mu.Unlock()
	if start {
		go q.drain()
	}
}

// drain writes batches until none is queued.
func (q *Queue[T]) drain() {
	for {
		q.mu.Lock()
		n := min(len(q.queue), q.max)
		if n == 0 {
			q.running--
			q.queue = nil
			q.mu.Unlock()
			return
		}
		batch := q.queue[:n:n]
		q.queue = q.queue[n:]
		q.mu.Unlock()
		q.write(batch)
	}
}
