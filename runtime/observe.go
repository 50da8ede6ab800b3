package runtime

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/durable-go/durable/runtime/store"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// observer is what an engine reports through: spans (OpenTelemetry),
// metrics (Prometheus, nil when Options.Metrics is nil) and the loggers of
// step.Logger. The engine calls it at a few hook points (a run's execution
// starts and ends, a step executes, events are sent); everything it does
// lives in this file, trace.go and metrics.go.
type observer struct {
	tracer trace.Tracer
	// given says the tracer's provider came from Options; untraced, then,
	// that it takes no traces. Without one the global provider is looked
	// at when each span starts, as it may be set later.
	given, untraced bool
	// metrics is nil when off: every hook checks it first.
	metrics *metrics
	// stepLog is the base of the loggers step.Logger returns.
	stepLog *slog.Logger
	clock   Clock
	// store reads the function of a run whose wait another transaction
	// resolved, for its span.
	store store.Store
}

// tracerName names the instrumentation scope of the engine's spans.
const tracerName = "github.com/durable-go/durable/runtime"

func newObserver(opts Options, e *Engine) (*observer, error) {
	tp := opts.TracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	o := &observer{tracer: tp.Tracer(tracerName), stepLog: opts.Logger, clock: e.clock, store: e.store}
	if opts.TracerProvider != nil {
		o.given, o.untraced = true, takesNoTraces(opts.TracerProvider)
	}
	if o.stepLog == nil {
		o.stepLog = slog.Default()
	}
	if opts.Metrics != nil {
		m, err := newMetrics(opts.Metrics, e)
		if err != nil {
			return nil, err
		}
		o.metrics = m
	}
	return o, nil
}

// startSpan starts the span named name+id. When no trace is taken (no
// provider given and none set globally, or a no-op one) it returns ctx and
// a span that does nothing, shared: the default global provider's tracer
// would return one that records nothing as well, after allocating it and
// its name, for every run and every step.
func (o *observer) startSpan(ctx context.Context, name, id string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	if o.untraced || !o.given && takesNoTraces(otel.GetTracerProvider()) {
		return ctx, noSpan
	}
	return o.tracer.Start(ctx, name+id, opts...)
}

// noSpan is the span of what is not traced.
var noSpan = trace.SpanFromContext(context.Background())

// takesNoTraces reports whether tp is known to record nothing: a no-op
// provider, or the global provider as it is until one is set (its type is
// internal to OpenTelemetry: a provider not recognised is assumed to trace).
func takesNoTraces(tp trace.TracerProvider) bool {
	switch tp.(type) {
	case noop.TracerProvider, *noop.TracerProvider:
		return true
	}
	t := reflect.TypeOf(tp)
	return t.Kind() == reflect.Pointer && t.Elem().Name() == "tracerProvider" && t.Elem().PkgPath() == "go.opentelemetry.io/otel/internal/global"
}

// runObs is what one execution of a run observes: its span, the spans of
// the steps it is executing, and whether it is still replaying what an
// earlier execution did (then step.Logger's records are dropped).
type runObs struct {
	span trace.Span
	// lastKey is the key of the step the journal recorded last: where the
	// previous execution stopped (a sleep, a wait, a retry, a crash). The
	// code before it ran in an earlier execution.
	lastKey string
	live    atomic.Bool
	// outcome is the status the execution gave the run, when it ended it.
	outcome string

	mu    sync.Mutex
	steps map[string]openStep

	logOnce sync.Once
	logger  *slog.Logger
}

// openStep is a step being executed.
type openStep struct {
	span  trace.Span
	start time.Time
}

// Statuses of an execution that did not end its run.
const (
	outcomeRetrying = "retrying"
	outcomeReleased = "released"
	outcomeLost     = "lost"
)

// observeStart begins observing execution x of its run: the run span
// (continuing the trace of the event that started the run) and the replay
// state of its logger, given its journal in the order the steps were
// first recorded; fresh says the run never executed before. It returns the
// context the handler runs in.
func (x *execution) observeStart(ctx context.Context, journal []store.Step, fresh bool) context.Context {
	o := x.e.obs
	if len(journal) == 0 {
		x.obs.live.Store(true)
	} else {
		x.obs.lastKey = journal[len(journal)-1].Key
	}
	if fresh && o.metrics != nil {
		o.metrics.runsStarted.WithLabelValues(x.fn.ID()).Inc()
	}
	ctx = contextWithTraceparent(ctx, x.first)
	ctx, span := o.startSpan(ctx, "durable.run ", x.fn.ID(), trace.WithSpanKind(trace.SpanKindConsumer))
	if span.IsRecording() {
		span.SetAttributes(attrFunction.String(x.fn.ID()), attrRunID.String(x.run.ID),
			attrAttempt.Int(x.run.Attempt), attrResumed.Bool(!fresh))
	}
	x.obs.span = span
	return ctx
}

// observeEnd ends the run span with what the execution did.
func (x *execution) observeEnd(err error, exited bool) {
	x.mu.Lock()
	lost, fatal, parked, release := x.lost, x.fatal, x.parked, x.release
	x.mu.Unlock()
	status := x.obs.outcome
	switch {
	case status != "":
	case lost != nil:
		status = outcomeLost
	case fatal != nil:
		status = string(store.StatusFailed)
	case release:
		status = outcomeReleased
	case exited:
		status = string(parked)
	case err != nil:
		status = outcomeRetrying
	}
	x.obs.mu.Lock()
	open := x.obs.steps
	x.obs.steps = nil
	x.obs.mu.Unlock()
	for _, s := range open {
		// The execution ended before the step's outcome was recorded (a
		// lost commit, a stop): its next execution runs it again.
		s.span.SetStatus(codes.Error, "execution ended before the step's outcome was recorded")
		s.span.End()
	}
	span := x.obs.span
	if span == nil || !span.IsRecording() {
		return
	}
	span.SetAttributes(attrStatus.String(status))
	switch {
	case fatal != nil:
		span.RecordError(fatal)
		span.SetStatus(codes.Error, fatal.Error())
	case lost != nil:
		span.SetStatus(codes.Error, lost.Error())
	case err != nil && !exited:
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// observeFinished reports the end of the run this execution committed,
// with what else its transaction did (fx): runs it ended, waits it resolved.
func (x *execution) observeFinished(status store.Status, fx *txEffects) {
	x.obs.outcome = string(status)
	ctx := x.e.execCtx
	if x.obs.span != nil {
		ctx = trace.ContextWithSpan(ctx, x.obs.span)
	}
	x.e.obs.committed(ctx, fx)
}

func (o *observer) runFinished(functionID string, status store.Status) {
	if o.metrics != nil {
		o.metrics.runsFinished.WithLabelValues(functionID, string(status)).Inc()
	}
}

// observeReached notes that the handler reached the step key, seen or not in the
// journal: from the step where the previous execution stopped on, the
// handler does what no execution did before, and its logs are printed.
func (x *execution) observeReached(key string, seen bool) {
	if x.replay || x.obs.live.Load() {
		return
	}
	if !seen || key == x.obs.lastKey {
		x.obs.live.Store(true)
	}
}

// stepStarted opens the span of a step about to execute (not of one the
// journal answers: replays make no span) and returns the context its
// function runs in, which carries the span and the step's ID for
// step.Logger.
func (x *execution) stepStarted(ctx context.Context, st store.Step, branch bool) context.Context {
	o := x.e.obs
	attempt := st.Attempts // a branch step's start counted it already
	if !branch {
		attempt++
	}
	ctx = context.WithValue(ctx, stepScopeKey{}, stepScope{x: x, id: st.ID})
	ctx, span := o.startSpan(ctx, "durable.step ", st.ID)
	if span.IsRecording() {
		span.SetAttributes(attrFunction.String(x.fn.ID()), attrRunID.String(x.run.ID),
			attrStepID.String(st.ID), attrStepKind.String(st.Kind), attrAttempt.Int(attempt))
	}
	x.obs.mu.Lock()
	if x.obs.steps == nil {
		x.obs.steps = map[string]openStep{}
	}
	x.obs.steps[st.Key] = openStep{span: span, start: o.clock.Now()}
	x.obs.mu.Unlock()
	return ctx
}

// stepEnded closes the span of a step that executed, with its outcome as
// recorded (completed, retrying or failed), and times it.
func (x *execution) stepEnded(st store.Step) {
	x.obs.mu.Lock()
	s, ok := x.obs.steps[st.Key]
	delete(x.obs.steps, st.Key)
	x.obs.mu.Unlock()
	if !ok {
		return
	}
	if m := x.e.obs.metrics; m != nil {
		m.stepDuration.WithLabelValues(x.fn.ID(), st.Kind, string(st.Status)).Observe(x.e.obs.clock.Now().Sub(s.start).Seconds())
	}
	if !s.span.IsRecording() {
		s.span.End()
		return
	}
	s.span.SetAttributes(attrStatus.String(string(st.Status)))
	if st.Error != "" {
		s.span.RecordError(errors.New(st.Error))
		s.span.SetStatus(codes.Error, st.Error)
	}
	s.span.End()
}

// stepScopeKey carries the step being executed in its function's context.
type stepScopeKey struct{}

type stepScope struct {
	x  *execution
	id string
}

// Logger implements step.Logger for the handler's context: a logger with
// the run's function and ID that drops what it is given while the
// execution replays the part of the handler an earlier execution ran.
func (x *execution) Logger(ctx context.Context) *slog.Logger {
	if s, ok := ctx.Value(stepScopeKey{}).(stepScope); ok && s.x == x {
		return x.runLogger().With("step", s.id)
	}
	return x.runLogger()
}

// Logger implements step.Logger inside a step's function.
func (n nestedExec) Logger(ctx context.Context) *slog.Logger {
	if s, ok := ctx.Value(stepScopeKey{}).(stepScope); ok {
		return s.x.runLogger().With("step", s.id)
	}
	return slog.New(slog.DiscardHandler)
}

func (x *execution) runLogger() *slog.Logger {
	x.obs.logOnce.Do(func() {
		base := x.e.obs.stepLog
		if x.replay {
			// CheckReplay executes nothing: everything it runs is a replay.
			x.obs.logger = slog.New(slog.DiscardHandler)
			return
		}
		x.obs.logger = slog.New(&replayGate{inner: base.Handler(), live: &x.obs.live}).
			With("function", x.fn.ID(), "run", x.run.ID)
	})
	return x.obs.logger
}

// replayGate drops the records made while its execution replays.
type replayGate struct {
	inner slog.Handler
	live  *atomic.Bool
}

func (g *replayGate) Enabled(ctx context.Context, l slog.Level) bool {
	return g.live.Load() && g.inner.Enabled(ctx, l)
}

func (g *replayGate) Handle(ctx context.Context, r slog.Record) error {
	if !g.live.Load() {
		return nil
	}
	return g.inner.Handle(ctx, r)
}

func (g *replayGate) WithAttrs(as []slog.Attr) slog.Handler {
	return &replayGate{inner: g.inner.WithAttrs(as), live: g.live}
}

func (g *replayGate) WithGroup(name string) slog.Handler {
	return &replayGate{inner: g.inner.WithGroup(name), live: g.live}
}

// stepCommitted makes the span of a step that runs no code of its own (a
// sleep, a wait, an invoke, a version) when this execution commits what
// it did with it: recorded it (sleeping, waiting, completed at once) or
// resolved it (a sleep's end, a wait's or invoke's timeout). A step the
// journal answers makes none. status is the step's outcome as recorded,
// or timed_out.
func (x *execution) stepCommitted(ctx context.Context, st store.Step, status string, attrs ...attribute.KeyValue) {
	_, span := x.e.obs.startSpan(ctx, "durable.step ", st.ID)
	if span.IsRecording() {
		span.SetAttributes(attrFunction.String(x.fn.ID()), attrRunID.String(x.run.ID),
			attrStepID.String(st.ID), attrStepKind.String(st.Kind), attrAttempt.Int(max(st.Attempts, 1)),
			attrStatus.String(status))
		span.SetAttributes(attrs...)
	}
	span.End()
}

// statusTimedOut is the span status of a wait or invoke whose timeout passed.
const statusTimedOut = "timed_out"

// txEffects collects what one store transaction did that is reported only
// once it commits: the runs it ended and the waits it resolved. The
// callback of store.Update may run more than once and may change no
// in-memory state, so it records them here, after resetting it, and its
// caller reports them once Update returns nil. finishRun and resolveWait,
// which add to it, are reached from many transactions through dispatch
// and admit: the collector travels in their ctx, which already reaches
// them all. A transaction without one reports nothing (SendTx's, whose
// commit the engine does not see).
type txEffects struct {
	ended    []endedRun
	resolved []resolvedWait
}

type endedRun struct {
	functionID string
	status     store.Status
}

// resolvedWait is a wait or invoke resolved by another run's transaction
// (an event sent, an invoked run ended).
type resolvedWait struct {
	step  store.Step
	attrs []attribute.KeyValue
}

type txEffectsKey struct{}

// withTxEffects returns ctx carrying a new collector, and the collector.
func withTxEffects(ctx context.Context) (context.Context, *txEffects) {
	fx := &txEffects{}
	return context.WithValue(ctx, txEffectsKey{}, fx), fx
}

// txEffectsOf returns the collector ctx carries, or nil (adding to nil does
// nothing).
func txEffectsOf(ctx context.Context) *txEffects {
	fx, _ := ctx.Value(txEffectsKey{}).(*txEffects)
	return fx
}

// reset empties the collector: each run of a callback starts with it.
func (fx *txEffects) reset() {
	if fx != nil {
		fx.ended, fx.resolved = fx.ended[:0], fx.resolved[:0]
	}
}

func (fx *txEffects) runEnded(functionID string, status store.Status) {
	if fx != nil {
		fx.ended = append(fx.ended, endedRun{functionID, status})
	}
}

func (fx *txEffects) waitResolved(st store.Step, attrs []attribute.KeyValue) {
	if fx != nil {
		fx.resolved = append(fx.resolved, resolvedWait{st, attrs})
	}
}

// committed reports what a committed transaction did: it counts the runs
// it ended and makes a span for each wait it resolved, a child of ctx's
// span (the sender's, or the invoked run's).
func (o *observer) committed(ctx context.Context, fx *txEffects) {
	if fx == nil {
		return
	}
	for _, r := range fx.ended {
		o.runFinished(r.functionID, r.status)
	}
	for _, w := range fx.resolved {
		_, span := o.startSpan(ctx, "durable.step ", w.step.ID)
		if span.IsRecording() {
			// The transaction that resolved the wait did not read the
			// waiting run: its function is read now, only when traced.
			var fn string
			_ = o.store.View(ctx, func(tx store.Tx) error {
				r, err := tx.GetRun(ctx, w.step.RunID)
				fn = r.FunctionID
				return err
			})
			span.SetAttributes(attrFunction.String(fn), attrRunID.String(w.step.RunID), attrStepID.String(w.step.ID),
				attrStepKind.String(w.step.Kind), attrAttempt.Int(max(w.step.Attempts, 1)),
				attrStatus.String(string(w.step.Status)))
			span.SetAttributes(w.attrs...)
			if w.step.Error != "" {
				span.SetStatus(codes.Error, w.step.Error)
			}
		}
		span.End()
	}
}
