package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/durable-go/durable/runtime/httpapi"
	"github.com/durable-go/durable/runtime/internal/expr"
	"github.com/durable-go/durable/runtime/internal/web"
	"github.com/durable-go/durable/runtime/store"
)

// webManager is the engine as its HTTP API and UI (package web) see it:
// it implements web.Manager, converting the user's types to the wire
// types of package httpapi and the engine's errors to web's kinds.
type webManager struct{ e *Engine }

var _ web.Manager = webManager{}

func (m webManager) Running() bool      { return m.e.isRunning() }
func (m webManager) Store() store.Store { return m.e.store }
func (m webManager) Now() time.Time     { return m.e.clock.Now() }
func (m webManager) Log() *slog.Logger  { return m.e.log }

func (m webManager) Functions() []web.Function {
	ids := slices.Sorted(maps.Keys(m.e.fns))
	out := make([]web.Function, 0, len(ids))
	for _, id := range ids {
		f := m.e.fns[id]
		wf := web.Function{ID: id, Name: f.Name(), Flow: flowSummary(f.opts),
			Collects: f.opts.BatchEvents != nil || f.opts.Debounce != nil}
		for _, t := range f.triggers {
			wf.Triggers = append(wf.Triggers, httpapi.Trigger{Event: t.event, If: t.ifSrc, Cron: t.cron})
		}
		for _, c := range f.opts.Cancel {
			wf.CancelOn = append(wf.CancelOn, c.Event)
		}
		out = append(out, wf)
	}
	return out
}

func (m webManager) EventTypes() map[string]web.EventType {
	out := map[string]web.EventType{}
	if m.e.events != nil {
		for name, k := range m.e.events.types {
			out[name] = web.EventType{Schema: m.e.eventSchemas[name], Sensitive: k.sens}
		}
	}
	return out
}

func (m webManager) RunStatuses() []string {
	out := make([]string, len(runStatuses))
	for i, st := range runStatuses {
		out[i] = string(st)
	}
	return out
}

func (m webManager) Ingest(ctx context.Context, decoded []httpapi.IngestEvent) ([]string, []httpapi.Problem, error) {
	events := make([]Event, len(decoded))
	var problems []httpapi.Problem
	// The engine's limits are checked here too, event by event, so that
	// each problem names its event and field.
	for i, d := range decoded {
		events[i] = Event{Name: d.Name, Data: d.Data, ID: d.ID, TS: d.TS, V: d.V}
		if err := m.e.lim.checkEvent(i, d.Name, d.ID); err != nil {
			problems = append(problems, problem(i, "", err))
			continue
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, d.Data); err == nil {
			if err := m.e.lim.checkData(i, d.Name, d.ID, compact.Bytes()); err != nil {
				problems = append(problems, problem(i, "/data", err))
			}
		}
	}
	if len(problems) > 0 {
		return nil, problems, nil
	}
	envs, err := m.e.envelopes(events, nil)
	if err != nil {
		return nil, sendProblems(err), nil
	}
	ids, err := m.e.sendEnvelopes(ctx, envs)
	return ids, nil, webError(err)
}

func problem(i int, ptr string, err error) httpapi.Problem {
	return httpapi.Problem{Index: &i, Pointer: ptr, Message: err.Error()}
}

// sendProblems lists the problems of an error of envelopes: schema
// violations by event and pointer, other refusals by their message.
func sendProblems(err error) []httpapi.Problem {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	var out []httpapi.Problem
	for _, err := range errs {
		var ve *EventValidationError
		if !errors.As(err, &ve) {
			out = append(out, httpapi.Problem{Message: err.Error()})
			continue
		}
		for _, v := range ve.Violations {
			out = append(out, httpapi.Problem{Index: &ve.Index, Pointer: v.Pointer, Message: v.Reason})
		}
	}
	return out
}

func (m webManager) Send(ctx context.Context, name, id string, data any) (string, error) {
	ids, err := m.e.Send(ctx, Event{Name: name, Data: data, ID: id})
	var ve *EventValidationError
	if errors.As(err, &ve) {
		se := &web.SchemaError{Err: err}
		for _, v := range ve.Violations {
			se.Violations = append(se.Violations, web.Violation{Pointer: v.Pointer, Reason: v.Reason})
		}
		return "", se
	}
	if err != nil {
		return "", webError(err)
	}
	return ids[0], nil
}

func (m webManager) Paused(ctx context.Context) (map[string]time.Time, error) {
	list, err := m.e.Paused(ctx)
	if err != nil {
		return nil, webError(err)
	}
	out := make(map[string]time.Time, len(list))
	for _, p := range list {
		out[p.FunctionID] = p.Since
	}
	return out, nil
}

func (m webManager) Pause(ctx context.Context, functionID string) error {
	return webError(m.e.Pause(ctx, functionID))
}

func (m webManager) Resume(ctx context.Context, functionID string, skipHeld bool) (int, error) {
	n, err := m.e.Resume(ctx, functionID, ResumeOpts{SkipHeld: skipHeld})
	return n, webError(err)
}

func (m webManager) Run(ctx context.Context, id string) (httpapi.Run, error) {
	ri, err := m.e.Run(ctx, id)
	if err != nil {
		return httpapi.Run{}, webError(err)
	}
	return runJSON(ri), nil
}

func (m webManager) Runs(ctx context.Context, f web.RunFilter) ([]httpapi.Run, string, error) {
	page, err := m.e.Runs(ctx, RunFilter{FunctionID: f.FunctionID, Statuses: runStatusesOf(f.Statuses), Since: f.Since, Until: f.Until,
		EventID: f.EventID, If: f.If, Limit: f.Limit, Cursor: f.Cursor})
	if err != nil {
		return nil, "", webError(err)
	}
	out := make([]httpapi.Run, len(page.Runs))
	for i, ri := range page.Runs {
		out[i] = runJSON(ri)
	}
	return out, page.Next, nil
}

func (m webManager) Cancel(ctx context.Context, id string) error {
	return webError(m.e.Cancel(ctx, id))
}

func (m webManager) Rerun(ctx context.Context, id, fromStep string) (string, error) {
	newID, err := m.e.Rerun(ctx, id, RerunOpts{FromStep: fromStep})
	return newID, webError(err)
}

func (m webManager) CancelRuns(ctx context.Context, f web.RunFilter) (int, error) {
	n, err := m.e.CancelRuns(ctx, bulkFilter(f))
	return n, webError(err)
}

func (m webManager) RerunRuns(ctx context.Context, f web.RunFilter) (int, error) {
	n, err := m.e.RerunRuns(ctx, bulkFilter(f))
	return n, webError(err)
}

// CheckRunIf compiles src as Runs and the bulk operations do; the error
// names the request's field, "if".
func (m webManager) CheckRunIf(src string) error {
	_, err := compileRunIf("if", src)
	return err
}

func bulkFilter(f web.RunFilter) BulkFilter {
	return BulkFilter{FunctionID: f.FunctionID, Statuses: runStatusesOf(f.Statuses), Since: f.Since, Until: f.Until, If: f.If}
}

func runStatusesOf(ss []string) []RunStatus {
	if ss == nil {
		return nil
	}
	out := make([]RunStatus, len(ss))
	for i, s := range ss {
		out[i] = RunStatus(s)
	}
	return out
}

func (m webManager) MatchWaits(ev store.Event, waits []store.Wait) ([]web.WaitMatch, error) {
	vars, err := expr.DecodeEnvelope(ev.Envelope)
	if err != nil {
		return nil, fmt.Errorf("event %s: stored envelope: %w", ev.ID, err)
	}
	env := envelope{ID: ev.ID, Name: ev.Name, TS: ev.TS, JSON: ev.Envelope, vars: vars}
	out := make([]web.WaitMatch, len(waits))
	for i, w := range waits {
		ok, evalErr, err := m.e.waitMatches(w, env)
		out[i] = web.WaitMatch{Matches: ok, EvalErr: evalErr, Err: err}
	}
	return out, nil
}

func (m webManager) Skips(ctx context.Context, limit int) ([]web.Skip, error) {
	evs, err := web.ListEvents(ctx, m.e.store, store.EventFilter{Name: FunctionSkippedEvent, Limit: limit})
	if err != nil {
		return nil, err
	}
	var out []web.Skip
	for _, ev := range evs {
		var env struct {
			Data FunctionSkippedData `json:"data"`
		}
		if json.Unmarshal(ev.Envelope, &env) != nil {
			continue
		}
		why := env.Data.Reason
		if env.Data.Message != "" {
			why = env.Data.Message
		}
		out = append(out, web.Skip{Event: env.Data.Event, FunctionID: env.Data.FunctionID, Why: why})
	}
	return out, nil
}

// webError marks the engine's errors that the API and the UI answer
// apart (web.ErrNotFound, ErrNotFinished, ErrUnknownStep), keeping their
// messages.
func webError(err error) error {
	var kind error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrRunNotFound), errors.Is(err, ErrFunctionNotFound):
		kind = web.ErrNotFound
	case errors.Is(err, ErrRunNotFinished):
		kind = web.ErrNotFinished
	case errors.Is(err, ErrStepNotFound):
		kind = web.ErrUnknownStep
	default:
		return err
	}
	return kindError{err: err, kind: kind}
}

// kindError is an error marked with a kind of package web.
type kindError struct{ err, kind error }

func (e kindError) Error() string   { return e.err.Error() }
func (e kindError) Unwrap() []error { return []error{e.err, e.kind} }

func runJSON(ri RunInfo) httpapi.Run {
	out := httpapi.Run{
		ID: ri.ID, FunctionID: ri.FunctionID, Status: string(ri.Status), Attempt: ri.Attempt,
		Events: ri.Events, Output: ri.Output, Error: ri.Error, CreatedAt: ri.CreatedAt,
		StartedAt: timePtr(ri.StartedAt), EndedAt: timePtr(ri.EndedAt), ParentRunID: ri.ParentRunID,
		Invoked: ri.Invoked, RerunOf: ri.RerunOf, RerunFromStep: ri.RerunFromStep, RerunBy: ri.RerunBy,
	}
	if out.Events == nil {
		out.Events = []json.RawMessage{}
	}
	for _, st := range ri.Steps {
		out.Steps = append(out.Steps, httpapi.Step{
			ID: st.ID, Key: st.Key, Kind: st.Kind, Status: string(st.Status), Output: st.Output, Error: st.Error,
			Attempts: st.Attempts, StartedAt: st.StartedAt, UpdatedAt: st.UpdatedAt, WakeAt: timePtr(st.WakeAt),
		})
	}
	return out
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// flowSummary lists a function's flow-control options, one line each.
func flowSummary(o FunctionOpts) []string {
	var out []string
	key := func(k string) string {
		if k == "" {
			return ""
		}
		return " per " + k
	}
	retries := DefaultRetries
	if o.Retries != nil {
		retries = o.Retries.Retries
	}
	out = append(out, fmt.Sprintf("retries: %d", retries))
	for _, c := range o.Concurrency {
		sc := ""
		if c.Scope == ScopeGlobal {
			sc = " (global)"
		}
		out = append(out, fmt.Sprintf("concurrency: %d%s%s", c.Limit, key(c.Key), sc))
	}
	if t := o.Throttle; t != nil {
		out = append(out, fmt.Sprintf("throttle: %d per %v, burst %d%s", t.Limit, t.Period, t.Burst, key(t.Key)))
	}
	if rl := o.RateLimit; rl != nil {
		out = append(out, fmt.Sprintf("rate limit: %d per %v%s", rl.Limit, rl.Period, key(rl.Key)))
	}
	if d := o.Debounce; d != nil {
		s := fmt.Sprintf("debounce: %v%s", d.Period, key(d.Key))
		if d.Timeout > 0 {
			s += fmt.Sprintf(", at most %v", d.Timeout)
		}
		out = append(out, s)
	}
	if b := o.BatchEvents; b != nil {
		out = append(out, fmt.Sprintf("batch: up to %d events or %v%s", b.MaxSize, b.Timeout, key(b.Key)))
	}
	if o.Idempotency != "" {
		p := o.IdempotencyPeriod
		if p == 0 {
			p = DefaultIdempotencyPeriod
		}
		out = append(out, fmt.Sprintf("idempotency: %s for %v", o.Idempotency, p))
	}
	if sg := o.Singleton; sg != nil {
		mode := sg.Mode
		if mode == "" {
			mode = SingletonSkip
		}
		out = append(out, fmt.Sprintf("singleton (%s)%s", mode, key(sg.Key)))
	}
	if p := o.Priority; p != nil {
		out = append(out, "priority: "+p.Run)
	}
	for _, c := range o.Cancel {
		s := "cancel on " + c.Event
		if c.If != "" {
			s += " if " + c.If
		}
		if c.Timeout > 0 {
			s += fmt.Sprintf(" within %v", c.Timeout)
		}
		out = append(out, s)
	}
	if o.Timeouts.Start > 0 {
		out = append(out, fmt.Sprintf("start timeout: %v", o.Timeouts.Start))
	}
	if o.Timeouts.Finish > 0 {
		out = append(out, fmt.Sprintf("finish timeout: %v", o.Timeouts.Finish))
	}
	if o.OnFailure != nil {
		out = append(out, "on failure: "+o.ID+"-failure")
	}
	return out
}
