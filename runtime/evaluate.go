package runtime

import (
	"context"
	"errors"
	"fmt"

	"github.com/durable-go/durable/runtime/internal/expr"
	"github.com/durable-go/durable/runtime/internal/quote"
	"github.com/durable-go/durable/runtime/store"
)

// triggerEval is what the triggers of one event decided: which trigger
// expressions hold, and the flow-control keys of the functions they
// trigger. It is evaluated when the event is validated, before the store's
// writer transaction, which an expression would otherwise hold for as long
// as it runs, stalling every commit of the engine.
type triggerEval struct {
	// skip holds the triggers whose If does not hold (or failed).
	skip map[*Trigger]bool
	keys map[*Function]*flowKeys
	// waits holds the outcome of the waits' If, see evalWaits.
	waits map[waitKey]waitMatch
}

// flowKeys are the evaluated keys of a function's flow control for one
// event. An error is kept, not returned: the run fails with it (a key that
// names a missing field must not silently share a key).
type flowKeys struct {
	vals      map[*expr.Key]keyResult
	limits    []keyResult // one per concurrency limit
	limitsErr error
}

type keyResult struct {
	s   string
	n   float64
	err error
}

// firstErr is the first error of any key, or nil.
func (fk *flowKeys) firstErr() error {
	for _, r := range fk.vals {
		if r.err != nil {
			return r.err
		}
	}
	return fk.limitsErr
}

// triggered reports whether the trigger's If held for the event.
func (t *triggerEval) triggered(tr *Trigger) bool { return t == nil || !t.skip[tr] }

// keysFor returns the keys of f evaluated with the event, or nil when they
// were not (f was not among the event's triggers: a cron run).
func (t *triggerEval) keysFor(f *Function) *flowKeys {
	if t == nil {
		return nil
	}
	return t.keys[f]
}

// evalTriggers evaluates the trigger expressions and keys of the functions
// that event i of a batch triggers. With strict, an expression stopped by a
// cost or time limit refuses the event (the sender sent it); otherwise (an
// event the engine makes inside a transaction) the trigger does not hold,
// or the run fails, and it is logged.
func (e *Engine) evalTriggers(i int, name, id string, event map[string]any, strict bool) (*triggerEval, error) {
	ets := e.byEvent[name]
	if len(ets) == 0 {
		return nil, nil
	}
	vars := map[string]any{"event": event}
	ev := &triggerEval{skip: map[*Trigger]bool{}, keys: map[*Function]*flowKeys{}}
	refuse := func(fn *Function, what string, err error) error {
		return fmt.Errorf("runtime: event %d (%s, id %s): function %q: %s: %w", i, quote.Excerpt(name, 0), quote.Excerpt(id, 0), fn.ID(), what, err)
	}
	for _, et := range ets {
		if p := et.t.ifProg; p != nil {
			ok, err := p.Match(e.lim.eval, vars)
			if err != nil {
				if strict && errors.Is(err, expr.ErrLimit) {
					return nil, refuse(et.fn, "trigger If", err)
				}
				e.log.Warn("durable: trigger expression failed; no run started", "function", et.fn.ID(), "event", id, "err", err)
			}
			if !ok {
				ev.skip[et.t] = true
				continue
			}
		}
		if ev.keys[et.fn] == nil {
			fk := e.flowKeys(et.fn, vars)
			if err := fk.firstErr(); strict && errors.Is(err, expr.ErrLimit) {
				return nil, refuse(et.fn, "flow control", err)
			}
			ev.keys[et.fn] = fk
		}
	}
	return ev, nil
}

// flowKeys evaluates every key of f's flow control.
func (e *Engine) flowKeys(f *Function, vars map[string]any) *flowKeys {
	fk := &flowKeys{vals: map[*expr.Key]keyResult{}}
	fl := f.flow
	if fl == nil {
		return fk
	}
	for _, k := range []*expr.Key{fl.idempotency, fl.rateKey, fl.singleKey, fl.debounceKey, fl.batchKey, fl.throttleKey} {
		if k != nil {
			s, err := k.Text(e.lim.eval, vars)
			fk.vals[k] = keyResult{s: s, err: err}
		}
	}
	if fl.priority != nil {
		n, err := fl.priority.Number(e.lim.eval, vars)
		fk.vals[fl.priority] = keyResult{n: n, err: err}
	}
	for _, c := range fl.concurrency {
		if c.key == nil {
			fk.limits = append(fk.limits, keyResult{})
			continue
		}
		s, err := c.key.Text(e.lim.eval, vars)
		fk.limits = append(fk.limits, keyResult{s: s, err: err})
		if err != nil && fk.limitsErr == nil {
			fk.limitsErr = err
		}
	}
	return fk
}

// isEngineEvent reports whether name is one of the events the engine makes.
func isEngineEvent(name string) bool {
	return name == FunctionFailedEvent || name == FunctionInvokedEvent || name == CronEvent || name == FunctionSkippedEvent
}

// waitKey identifies a wait and its expression.
type waitKey struct{ run, step, ifSrc string }

// waitMatch is the outcome of a wait's If for one event.
type waitMatch struct {
	ok bool
	// evalErr is an evaluation error: the event is ignored for this wait.
	evalErr error
}

// evalWaits evaluates, before the writer transaction, the If of every wait
// the events may complete, as the waits are now; dispatch evaluates in the
// transaction only those created in between. A store error here is not the
// caller's: dispatch then evaluates them all. On a store with concurrent
// writers it does nothing: dispatch evaluates them all.
func (e *Engine) evalWaits(ctx context.Context, envs []envelope) {
	if _, ok := e.store.(store.ConcurrentWriters); ok {
		return
	}
	err := e.store.View(ctx, func(tx store.Tx) error {
		for i := range envs {
			env := &envs[i]
			waits, err := tx.MatchWaits(ctx, env.matchParams())
			if err != nil {
				return err
			}
			for _, w := range waits {
				if w.If == "" {
					continue
				}
				ok, evalErr, err := e.matchWait(w, *env)
				if err != nil {
					continue // dispatch reports it
				}
				if env.eval == nil {
					env.eval = &triggerEval{}
				}
				if env.eval.waits == nil {
					env.eval.waits = map[waitKey]waitMatch{}
				}
				env.eval.waits[waitKey{w.RunID, w.StepKey, w.If}] = waitMatch{ok, evalErr}
			}
		}
		return nil
	})
	if err != nil {
		e.log.Warn("durable: reading waits before sending; their expressions are evaluated in the transaction", "err", err)
	}
}

// waitMatches evaluates the If of a wait for the event, unless evalWaits
// did. evalErr is an evaluation error (the event is ignored for this wait),
// err a stored wait that cannot be read.
func (e *Engine) waitMatches(w store.Wait, env envelope) (ok bool, evalErr, err error) {
	if w.If == "" {
		return true, nil, nil
	}
	if env.eval != nil {
		if m, found := env.eval.waits[waitKey{w.RunID, w.StepKey, w.If}]; found {
			return m.ok, m.evalErr, nil
		}
	}
	return e.matchWait(w, env)
}

func (e *Engine) matchWait(w store.Wait, env envelope) (ok bool, evalErr, err error) {
	trig, err := expr.DecodeEnvelope(w.Trigger)
	if err != nil {
		return false, nil, err
	}
	prog, err := expr.Cached(w.If, true, defaultLimits.eval)
	if err != nil {
		return false, nil, err
	}
	ok, evalErr = prog.Match(e.lim.eval, map[string]any{"event": trig, "async": env.vars})
	return ok, evalErr, nil
}
