package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// notifier turns PostgreSQL notifications into wake-ups. A transaction that
// makes a run claimable (a new queued run, a run requeued, woken or handed a
// slot, a lease expired) sends one NOTIFY on the store's channel before it
// commits; PostgreSQL delivers it at commit to every process listening, this
// one included. The listening connection is opened on the first call to
// Wakeups, so a process that never asks costs no connection.
type notifier struct {
	s       *Store
	channel string

	once   sync.Once
	ch     chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

func newNotifier(s *Store) *notifier {
	return &notifier{
		s: s,
		// Channel names are identifiers of at most 63 bytes: a hash of the
		// schema keeps stores of different schemas apart.
		channel: fmt.Sprintf("durable_%08x", uint32(s.lockSpace)),
		ch:      make(chan struct{}, 1),
	}
}

// signal wakes the reader of Wakeups, without blocking: wake-ups coalesce.
func (n *notifier) signal() {
	select {
	case n.ch <- struct{}{}:
	default:
	}
}

// Wakeups returns a channel that receives a value (coalesced: at most one
// pending) when, in any process using the database, a transaction commits
// that made a run claimable, and once after every reconnection of the
// listener (notifications may have been missed meanwhile). It is a hint, not
// a queue: a receiver claims with ClaimRuns, and keeps polling NextAvailable
// for runs that become due with time (sleeps, retries), which no commit
// announces.
//
// The listener needs a session-level LISTEN: behind PgBouncer in transaction
// mode it receives nothing, and polling alone wakes the engine.
func (s *Store) Wakeups() <-chan struct{} {
	n := s.notify
	n.once.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		n.cancel, n.done = cancel, make(chan struct{})
		go n.listen(ctx)
	})
	return n.ch
}

// listen holds a connection LISTENing on the channel, reconnecting with
// backoff, until ctx ends.
func (n *notifier) listen(ctx context.Context) {
	defer close(n.done)
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := n.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		_ = err // the caller polls meanwhile; a listener has no one to report to
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (n *notifier) listenOnce(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, n.s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{n.channel}.Sanitize()); err != nil {
		return err
	}
	// Listening now: whatever was committed before went unheard.
	n.signal()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		}
		n.signal()
	}
}

func (n *notifier) close() {
	// After this, Wakeups starts no listener; and cancel, if set, was set
	// before Do returned.
	n.once.Do(func() {})
	if n.cancel != nil {
		n.cancel()
		<-n.done
	}
}
