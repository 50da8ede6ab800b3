package runtime

import (
	"errors"
	"fmt"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// cronLoop starts the runs of cron triggers. Each tick is recorded in the
// store (a cursor per trigger, and the tick's event ID), so a tick starts one
// run however many times the process restarts around it. Ticks missed while
// no engine ran are not replayed one by one: the latest one fires once.
func (e *Engine) cronLoop() {
	defer e.loops.Done()
	ctx := e.execCtx
	next := make([]time.Time, len(e.crons))
	now := e.clock.Now()
	for i, c := range e.crons {
		var cursor time.Time
		err := e.store.View(ctx, func(tx store.Tx) error {
			b, err := tx.GetState(ctx, cronKey(c))
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err == nil {
				err = cursor.UnmarshalText(b)
			}
			return err
		})
		if err != nil {
			e.log.Error("durable: reading cron cursor", "function", c.fn.ID(), "cron", c.t.cron, "err", err)
		}
		if cursor.IsZero() {
			next[i] = c.t.schedule.Next(now)
		} else {
			next[i] = latestDue(c, c.t.schedule.Next(cursor), now)
		}
	}
	for {
		earliest := 0
		for i := range next {
			if next[i].Before(next[earliest]) {
				earliest = i
			}
		}
		wait := max(next[earliest].Sub(e.clock.Now()), 0)
		select {
		case <-e.stopCh:
			return
		case <-e.clock.After(wait):
		}
		now := e.clock.Now()
		for i, c := range e.crons {
			if next[i].After(now) {
				continue
			}
			if err := e.fireCron(c, next[i]); err != nil {
				e.log.Error("durable: starting a cron run", "function", c.fn.ID(), "cron", c.t.cron, "err", err)
			}
			next[i] = latestDue(c, c.t.schedule.Next(next[i]), now)
		}
	}
}

// latestDue returns t, or the last tick at or before now when t is already
// past, so that a long pause fires one catch-up run rather than many.
func latestDue(c cronTrigger, t, now time.Time) time.Time {
	for n := c.t.schedule.Next(t); !t.After(now) && !n.After(now); n = c.t.schedule.Next(n) {
		t = n
	}
	return t
}

func cronKey(c cronTrigger) string { return "cron/" + c.fn.ID() + "/" + c.t.cron }

func (e *Engine) fireCron(c cronTrigger, tick time.Time) error {
	ctx := e.execCtx
	envs, err := e.envelopes([]Event{{
		Name: CronEvent,
		Data: CronData{Cron: c.t.cron, At: tick.UTC().Format(time.RFC3339)},
		TS:   tick.UnixMilli(),
	}}, func(int) string { return fmt.Sprintf("cron-%s-%d-%s", c.fn.ID(), tick.Unix(), hashString(c.t.cron)) })
	if err != nil {
		return err
	}
	env := envs[0]
	ctx, fx := withTxEffects(ctx)
	err = e.store.Update(ctx, func(tx store.Tx) error {
		fx.reset()
		inserted, err := tx.InsertEvent(ctx, store.Event{ID: env.ID, Name: env.Name, TS: env.TS, Envelope: env.JSON, ReceivedAt: e.clock.Now()})
		if err != nil {
			return err
		}
		if inserted {
			if _, err := e.admit(ctx, tx, c.fn, env, map[string]any{"event": env.vars}, e.clock.Now(), nil); err != nil {
				return err
			}
		}
		b, _ := tick.UTC().MarshalText()
		return tx.PutState(ctx, cronKey(c), b)
	})
	e.signal()
	if err == nil {
		e.obs.committed(ctx, fx)
	}
	return err
}
