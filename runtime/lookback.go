package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/durable-go/durable/runtime/internal/expr"
	"github.com/durable-go/durable/runtime/internal/journal"
	"github.com/durable-go/durable/runtime/store"
)

// A wait with a lookback (step.WaitOpts.Lookback) first looks for an event
// received before it began. The scan is bounded, since it may run in the
// store's writer: it reads lookbackPage events at a time, and gives up after
// lookbackLimit of them (the wait then waits as usual; step.WaitOpts.Lookback
// documents the figure).
const (
	lookbackPage  = 100
	lookbackLimit = 10_000
)

// lookbackScan finds the event a new wait takes at once: the earliest event
// of its name received at or after from that satisfies its If, is none of
// the run's own events and resolved no earlier wait of the run.
type lookbackScan struct {
	x      *execution
	name   string
	ifExpr string
	from   time.Time
	taken  map[string]bool
	// verdicts are the If's results for events already evaluated, outside
	// the store's writer; find evaluates only the others.
	verdicts map[string]bool
}

func (x *execution) newLookbackScan(name, ifExpr string, from time.Time) *lookbackScan {
	l := &lookbackScan{x: x, name: name, ifExpr: ifExpr, from: from, taken: x.takenEvents()}
	if _, concurrent := x.e.store.(store.ConcurrentWriters); concurrent || ifExpr == "" {
		return l
	}
	verdicts := map[string]bool{}
	err := x.e.store.View(x.e.execCtx, func(tx store.Tx) error {
		_, err := l.scan(x.e.execCtx, tx, func(ev store.Event) bool {
			ok := l.matches(ev)
			verdicts[ev.ID] = ok
			return ok
		})
		return err
	})
	if err != nil {
		x.e.log.Warn("durable: reading events for a wait's lookback; they are evaluated in the transaction", "run", x.run.ID, "err", err)
		return l
	}
	l.verdicts = verdicts
	return l
}

// find returns the event the wait takes, or nil.
func (l *lookbackScan) find(ctx context.Context, tx store.Tx) (*store.Event, error) {
	return l.scan(ctx, tx, func(ev store.Event) bool {
		if ok, known := l.verdicts[ev.ID]; known {
			return ok
		}
		return l.matches(ev)
	})
}

func (l *lookbackScan) scan(ctx context.Context, tx store.Tx, match func(store.Event) bool) (*store.Event, error) {
	p := store.EventsByNameParams{Name: l.name, ReceivedFrom: l.from, Limit: lookbackPage}
	for read := 0; read < lookbackLimit; {
		evs, err := tx.EventsByName(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, ev := range evs {
			if !l.taken[ev.ID] && match(ev) {
				return &ev, nil
			}
		}
		read += len(evs)
		if len(evs) < p.Limit {
			return nil, nil
		}
		last := evs[len(evs)-1]
		p.ReceivedFrom, p.AfterID = last.ReceivedAt, last.ID
	}
	l.x.e.log.Warn("durable: a wait's lookback read its limit of events without a match; it waits for a new one", "run", l.x.run.ID, "event", l.name, "limit", lookbackLimit)
	return nil, nil
}

// matches evaluates the wait's If for a stored event, as a wait in the
// store would be for an event sent now; an event the If cannot be evaluated
// for is ignored, as it would be then.
func (l *lookbackScan) matches(ev store.Event) bool {
	if l.ifExpr == "" {
		return true
	}
	vars, err := expr.DecodeEnvelope(ev.Envelope)
	if err != nil {
		return false
	}
	ok, evalErr, err := l.x.e.matchWait(store.Wait{If: l.ifExpr, Trigger: l.x.first}, envelope{vars: vars})
	if err != nil || evalErr != nil {
		l.x.e.log.Warn("durable: wait expression failed on an earlier event; ignored for this wait's lookback", "run", l.x.run.ID, "event", ev.ID, "err", errors.Join(err, evalErr))
		return false
	}
	return ok
}

// takenEvents are the IDs of the run's own events and of the events its
// completed waits took: a lookback does not take them again.
func (x *execution) takenEvents() map[string]bool {
	taken := map[string]bool{}
	var header struct {
		ID string `json:"id"`
	}
	var events []json.RawMessage
	_ = json.Unmarshal(x.run.Events, &events) // events() checked them
	x.mu.Lock()
	for _, st := range x.journal {
		if st.Kind == journal.KindWait && st.Status == store.StepCompleted {
			events = append(events, st.Output)
		}
	}
	x.mu.Unlock()
	for _, raw := range events {
		header.ID = ""
		if json.Unmarshal(raw, &header) == nil && header.ID != "" {
			taken[header.ID] = true
		}
	}
	return taken
}
