package runtime

import (
	"context"

	"github.com/durable-go/durable/internal/batch"
	"github.com/durable-go/durable/runtime/store"
)

// maxSendBatch bounds the sends of one store call, so that one statement's
// arrays stay small.
const maxSendBatch = 256

// sends gathers the sends made at the same time whose events start only
// runs of functions without flow control into one store call
// (store.EventSender; group commit, see internal/batch). Such a send needs
// nothing read or decided in a transaction: its runs are built before the
// call (admitFree), and the store stores it only if no wait names its
// events; one that may complete waits goes through Update, where they are
// matched.
type sends struct {
	store store.EventSender
	queue *batch.Queue[*queuedSend]
}

type queuedSend struct {
	send   store.EventSend
	result store.EventSendResult
	err    error
	done   chan struct{}
}

func newSends(st store.EventSender) *sends {
	s := &sends{store: st}
	s.queue = batch.New(maxSendBatch, 1, s.write)
	return s
}

// send stores snd with the batch it joins.
func (s *sends) send(snd store.EventSend) (store.EventSendResult, error) {
	q := &queuedSend{send: snd, done: make(chan struct{})}
	s.queue.Add(q)
	<-q.done
	return q.result, q.err
}

// write stores one batch. The statement is not the callers': it goes on
// whatever a caller's context does, as a commit under way would. When it
// fails, each send is stored alone, so that one send the store refuses
// fails no other.
func (s *sends) write(batch []*queuedSend) {
	ctx := context.Background()
	in := make([]store.EventSend, len(batch))
	for i, q := range batch {
		in[i] = q.send
	}
	res, err := s.store.SendEvents(ctx, in)
	if err != nil && len(batch) > 1 {
		for _, q := range batch {
			var one []store.EventSendResult
			if one, q.err = s.store.SendEvents(ctx, in[:1:1]); q.err == nil {
				q.result = one[0]
			}
			in = in[1:]
			close(q.done)
		}
		return
	}
	for i, q := range batch {
		if q.err = err; err == nil {
			q.result = res[i]
		}
		close(q.done)
	}
}

// flowFree says whether every event of envs starts only runs of functions
// without flow control, which a send through sends may store.
func (e *Engine) flowFree(envs []envelope) bool {
	for _, env := range envs {
		if e.flowControlled[env.Name] {
			return false
		}
	}
	return true
}

// sendFree is sendEnvelopes through sends, for events that flowFree
// allows: it stores them and the runs they start in a batch with other
// sends, and returns the runs leased to this engine and whether others
// were queued for the poll loop. waited says the store did not take the
// send: an event of it may complete waits (the caller sends it with
// Update).
func (e *Engine) sendFree(envs []envelope) (started []store.Run, poll, waited bool, err error) {
	now := e.clock.Now()
	budget := e.newSlotBudget()
	snd := store.EventSend{Events: make([]store.Event, len(envs))}
	leased := make([]bool, 0, len(envs))
	for i, env := range envs {
		snd.Events[i] = store.Event{ID: env.ID, Name: env.Name, TS: env.TS, Envelope: env.JSON, ReceivedAt: now}
		for _, et := range e.byEvent[env.Name] {
			if !env.eval.triggered(et.t) {
				continue
			}
			p, ok := e.admitFree(et.fn, env, now, budget)
			snd.Runs = append(snd.Runs, store.SentRun{Event: i, StartRunParams: p})
			leased = append(leased, ok)
		}
	}
	res, err := e.sends.send(snd)
	if err != nil || res.Waited {
		return nil, false, res.Waited, err
	}
	for j, sr := range snd.Runs {
		switch {
		case leased[j] && res.Started[j]:
			started = append(started, sr.Run)
		case res.Stored[sr.Event]:
			poll = true // queued, or held by a pause
		}
	}
	return started, poll, false, nil
}
