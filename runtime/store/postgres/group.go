package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"time"

	"github.com/durable-go/durable/runtime/store"
	"github.com/jackc/pgx/v5"
)

// Group commit. Update queues fn; up to groupWriters goroutines each take
// what is queued (at most Store.groupMax Updates; see internal/batch) and
// run it as one transaction: each Update after a SAVEPOINT (sent with its first
// statement, so it costs no round trip), rolled back to it alone when it
// fails, and one COMMIT for all. A busy engine's Updates then share
// commits, which on PostgreSQL cost a WAL flush and a round trip each.
//
// groupMax stays well under 64: PostgreSQL caches 64 subtransactions per
// transaction, and beyond that every snapshot of every session slows down.

// groupWriters is how many group transactions run at once.
const groupWriters = 4

// defaultGroupMax is the default of GroupCommit, maxGroupMax its most.
const (
	defaultGroupMax = 32
	maxGroupMax     = 48
)

// queuedUpdate is an Update waiting for its group's commit.
type queuedUpdate struct {
	ctx  context.Context
	fn   func(store.Tx) error
	err  error
	done chan struct{}
}

func (q *queuedUpdate) finish(err error) {
	q.err = err
	close(q.done)
}

// updateGrouped queues fn for a group transaction and waits for its end.
func (s *Store) updateGrouped(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	q := &queuedUpdate{ctx: ctx, fn: fn, done: make(chan struct{})}
	s.group.Add(q)
	<-q.done
	return q.err
}

// runGroup runs qs as one transaction, again (those not settled) when
// PostgreSQL aborts it for a serialization failure or a deadlock.
func (s *Store) runGroup(qs []*queuedUpdate) {
	for attempt := 1; len(qs) > 0; attempt++ {
		if s.closed.Load() {
			for _, q := range qs {
				q.finish(store.ErrClosed)
			}
			return
		}
		again, abort := s.runGroupOnce(qs)
		if len(again) == 0 {
			return
		}
		if attempt == s.maxAttempts {
			for _, q := range again {
				q.finish(fmt.Errorf("postgres: transaction aborted %d times: %w", attempt, abort))
			}
			return
		}
		// Back off a random while, as run does.
		time.Sleep(time.Duration(rand.Int64N(int64(time.Millisecond) << min(attempt, 6))))
		qs = again
	}
}

// errStatementFailed is the error of an Update whose fn returned nil after
// one of its statements failed.
var errStatementFailed = errors.New("postgres: a statement failed and the update went on")

// runGroupOnce runs qs' fns one after another in one transaction and
// commits those that returned nil. It finishes every Update it settles and
// returns those to run again, with the abort that calls for it.
func (s *Store) runGroupOnce(qs []*queuedUpdate) (again []*queuedUpdate, abort error) {
	bg := context.Background()
	conn, err := s.pool.Acquire(bg)
	if err != nil {
		if s.closed.Load() {
			err = store.ErrClosed
		} else {
			err = fmt.Errorf("postgres: begin: %w", err)
		}
		for _, q := range qs {
			q.finish(err)
		}
		return nil, nil
	}
	// A connection left inside a transaction (an end that failed) is
	// closed, not reused, by the pool.
	defer conn.Release()
	start := time.Now()
	t := &pgTx{s: s, db: conn, begin: beginSQL(pgx.TxOptions{IsoLevel: pgx.ReadCommitted}), grouped: true}
	rollback := func() {
		if t.begun {
			conn.Exec(bg, "ROLLBACK")
		}
	}
	var kept []*queuedUpdate
	for i, q := range qs {
		if err := q.ctx.Err(); err != nil {
			q.finish(err)
			continue
		}
		locked := maps.Clone(t.locked)
		// An Update alone needs no savepoint: its failure rolls back all.
		t.savepoint, t.marked = "", false
		if len(qs) > 1 {
			t.savepoint = "SAVEPOINT group_update"
		}
		err := callUpdate(q.fn, t)
		if t.abort != nil {
			// The whole transaction is lost: every Update not settled runs
			// again.
			rollback()
			return append(kept, qs[i:]...), t.abort
		}
		if err == nil && conn.Conn().PgConn().TxStatus() == 'E' {
			err = errStatementFailed
		}
		if err == nil {
			kept = append(kept, q)
			continue
		}
		if t.marked {
			// Undo this Update alone; the advisory locks it took go with it.
			if _, rerr := conn.Exec(bg, "ROLLBACK TO SAVEPOINT group_update"); rerr != nil {
				rollback()
				q.finish(err)
				rerr = fmt.Errorf("postgres: rolling back a failed update of the group: %w", rerr)
				for _, k := range append(kept, qs[i+1:]...) {
					k.finish(rerr)
				}
				return nil, nil
			}
			t.locked = locked
		}
		q.finish(err)
	}
	if !t.begun {
		// No statement was sent: nothing to commit.
		for _, q := range kept {
			q.finish(nil)
		}
		return nil, nil
	}
	if len(kept) == 0 {
		rollback()
		return nil, nil
	}
	tag, err := conn.Exec(bg, "COMMIT")
	if err == nil && tag.String() == "ROLLBACK" {
		err = pgx.ErrTxCommitRollback
	}
	if err != nil {
		if retryable(err) {
			return kept, err
		}
		err = fmt.Errorf("postgres: commit: %w", err)
		for _, q := range kept {
			q.finish(err)
		}
		return nil, nil
	}
	s.observeCommit(start, len(kept))
	if t.wake {
		s.notify.announce()
	}
	for _, q := range kept {
		q.finish(nil)
	}
	return nil, nil
}

// callUpdate calls fn, turning a panic into an error.
func callUpdate(fn func(store.Tx) error, t *pgTx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("postgres: update panicked: %v", p)
		}
	}()
	return fn(t)
}
