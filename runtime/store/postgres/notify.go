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
// slot, a lease expired) announces it after its commit: a goroutine of the
// store sends a NOTIFY on the store's channel, which PostgreSQL delivers to
// every process listening, this one included.
//
// The NOTIFY is not part of the transaction, for speed: PostgreSQL
// serializes the commits of notifying transactions on a global lock, which
// made a queue of short transactions three times slower (BenchmarkJob).
// Announcements made while a NOTIFY is under way, or within notifyInterval
// of the last, coalesce into the next one. The cost: a process that dies
// between its commit and its NOTIFY wakes no one, and the others find the
// run by polling.
//
// The listening connection is opened on the first call to Wakeups, so a
// process that never asks costs no connection.
type notifier struct {
	s       *Store
	channel string
	// pending holds an announcement not yet sent.
	pending    chan struct{}
	stopSender context.CancelFunc
	senderDone chan struct{}

	once   sync.Once
	ch     chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

func newNotifier(s *Store) *notifier {
	n := &notifier{
		s: s,
		// Channel names are identifiers of at most 63 bytes: a hash of the
		// schema keeps stores of different schemas apart.
		channel:    fmt.Sprintf("durable_%08x", uint32(s.lockSpace)),
		pending:    make(chan struct{}, 1),
		senderDone: make(chan struct{}),
		ch:         make(chan struct{}, 1),
	}
	ctx, cancel := context.WithCancel(context.Background())
	n.stopSender = cancel
	go n.send(ctx)
	return n
}

// notifyInterval is the least time between two NOTIFYs of a process: the
// most an announcement waits for one under way to be done with.
const notifyInterval = 2 * time.Millisecond

// announce asks for a NOTIFY, without blocking.
func (n *notifier) announce() {
	select {
	case n.pending <- struct{}{}:
	default:
	}
}

// send sends a NOTIFY per announcement, coalescing those that arrive while
// one is under way, until ctx ends.
func (n *notifier) send(ctx context.Context) {
	defer close(n.senderDone)
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.pending:
		}
		// A failure is not reported: the receivers poll as well.
		n.s.pool.Exec(ctx, `SELECT pg_notify($1, '')`, n.channel)
		// Announcements of the next moment share the next NOTIFY: under
		// load, a process notifies at most once per notifyInterval.
		select {
		case <-ctx.Done():
			return
		case <-time.After(notifyInterval):
		}
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
	n.stopSender()
	<-n.senderDone
	// After this, Wakeups starts no listener; and cancel, if set, was set
	// before Do returned.
	n.once.Do(func() {})
	if n.cancel != nil {
		n.cancel()
		<-n.done
	}
}
