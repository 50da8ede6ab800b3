package runtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/internal/vclock"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/sqlite"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// startObserved starts an engine with opts (its Store, Clock and
// PollInterval filled in) on a fresh SQLite file with a virtual clock, or
// on opts.Store if set (the caller closes it).
func startObserved(t *testing.T, opts runtime.Options, start bool) *testEngine {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	st, owned := opts.Store, opts.Store == nil
	if owned {
		var err error
		if st, err = sqlite.Open(path, sqlite.Synchronous("OFF")); err != nil {
			t.Fatal(err)
		}
	}
	clock := vclock.New(epoch)
	opts.Store, opts.Clock, opts.PollInterval = st, clock, 20*time.Millisecond
	eng, err := runtime.New(opts)
	if err != nil {
		if owned {
			st.Close()
		}
		t.Fatal(err)
	}
	if start {
		if err := eng.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	var once sync.Once
	closeAll := func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := eng.Stop(ctx); err != nil {
				t.Errorf("stop: %v", err)
			}
			if owned {
				st.Close()
			}
		})
	}
	t.Cleanup(closeAll)
	return &testEngine{Engine: eng, clock: clock, path: path, close: closeAll}
}

// spansNamed returns the ended spans with the given name.
func spansNamed(spans tracetest.SpanStubs, name string) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range spans {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

func stubAttr(s tracetest.SpanStub, key string) attribute.Value {
	for _, kv := range s.Attributes {
		if string(kv.Key) == key {
			return kv.Value
		}
	}
	return attribute.Value{}
}

// TestTraceRunsAndSteps: the sender's span is the parent of each execution
// of the run it started; each executed step has one span (none on replay,
// after the sleep), a child of its execution's span; the events a step
// sends carry the step's span to the runs they start.
func TestTraceRunsAndSteps(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })

	child := runtime.NewFunction(runtime.FunctionOpts{ID: "child"}, runtime.EventTrigger("test/child.requested", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			return step.Run(ctx, "c", func(ctx context.Context) (int, error) { return 1, nil })
		})
	parent := runtime.NewFunction(runtime.FunctionOpts{ID: "parent"}, runtime.EventTrigger("test/parent.requested", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			if _, err := step.Run(ctx, "a", func(ctx context.Context) (int, error) {
				// The step's function sees its span.
				if !trace.SpanContextFromContext(ctx).IsValid() {
					return 0, errors.New("no span in the step's context")
				}
				return 1, nil
			}); err != nil {
				return nil, err
			}
			if err := step.Sleep(ctx, "nap", time.Hour); err != nil {
				return nil, err
			}
			if _, err := step.Run(ctx, "b", func(ctx context.Context) (int, error) { return 2, nil }); err != nil {
				return nil, err
			}
			return step.SendEvent(ctx, "notify", runtime.Event{Name: "test/child.requested", Data: map[string]any{}})
		})
	te := startObserved(t, runtime.Options{Functions: []*runtime.Function{parent, child}, TracerProvider: tp}, true)

	ctx, producer := tp.Tracer("test").Start(context.Background(), "producer")
	if _, err := te.Send(ctx, runtime.Event{Name: "test/parent.requested", Data: map[string]any{}}); err != nil {
		t.Fatal(err)
	}
	producer.End()
	runID := te.onlyRun(t, "parent")
	te.await(t, runID, runtime.RunSleeping)
	te.advanceUntil(t, runID, time.Hour, runtime.RunCompleted)
	te.await(t, te.onlyRun(t, "child"), runtime.RunCompleted)
	te.close() // every execution has ended its span

	spans := exp.GetSpans()
	prod := producer.SpanContext()
	runs := spansNamed(spans, "durable.run parent")
	if len(runs) != 2 {
		t.Fatalf("%d spans of executions of the parent run, want 2 (before and after the sleep): %v", len(runs), names(spans))
	}
	wantStatus := []string{"sleeping", "completed"}
	for i, r := range runs {
		if r.SpanContext.TraceID() != prod.TraceID() || r.Parent.SpanID() != prod.SpanID() {
			t.Errorf("execution %d: trace %s parent %s, want the producer's span %s/%s", i, r.SpanContext.TraceID(), r.Parent.SpanID(), prod.TraceID(), prod.SpanID())
		}
		if got := stubAttr(r, "durable.run.id").AsString(); got != runID {
			t.Errorf("execution %d: durable.run.id = %q, want %q", i, got, runID)
		}
		if got := stubAttr(r, "durable.function").AsString(); got != "parent" {
			t.Errorf("execution %d: durable.function = %q", i, got)
		}
		if got := stubAttr(r, "durable.status").AsString(); got != wantStatus[i] {
			t.Errorf("execution %d: durable.status = %q, want %q", i, got, wantStatus[i])
		}
	}
	for _, tc := range []struct {
		step string
		exec int // the execution it ran in
	}{{"a", 0}, {"b", 1}, {"notify", 1}} {
		got := spansNamed(spans, "durable.step "+tc.step)
		if len(got) != 1 {
			t.Errorf("step %s: %d spans, want 1 (a replayed step makes none)", tc.step, len(got))
			continue
		}
		s := got[0]
		if s.Parent.SpanID() != runs[tc.exec].SpanContext.SpanID() {
			t.Errorf("step %s: parent %s, want execution %d's span %s", tc.step, s.Parent.SpanID(), tc.exec, runs[tc.exec].SpanContext.SpanID())
		}
		for key, want := range map[string]string{"durable.run.id": runID, "durable.step.id": tc.step, "durable.status": "completed", "durable.function": "parent"} {
			if got := stubAttr(s, key).AsString(); got != want {
				t.Errorf("step %s: %s = %q, want %q", tc.step, key, got, want)
			}
		}
		if got := stubAttr(s, "durable.attempt").AsInt64(); got != 1 {
			t.Errorf("step %s: durable.attempt = %d, want 1", tc.step, got)
		}
	}
	// The sleep: recorded by the first execution, ended by the second.
	if naps := spansNamed(spans, "durable.step nap"); len(naps) != 2 ||
		stubAttr(naps[0], "durable.status").AsString() != "sleeping" || naps[0].Parent.SpanID() != runs[0].SpanContext.SpanID() ||
		stubAttr(naps[1], "durable.status").AsString() != "completed" || naps[1].Parent.SpanID() != runs[1].SpanContext.SpanID() {
		t.Errorf("sleep spans %v; want one sleeping in the first execution, one completed in the second", naps)
	}
	childRuns := spansNamed(spans, "durable.run child")
	notify := spansNamed(spans, "durable.step notify")
	if len(childRuns) != 1 || len(notify) != 1 {
		t.Fatalf("%d child run spans, %d notify spans; want 1 and 1", len(childRuns), len(notify))
	}
	if childRuns[0].SpanContext.TraceID() != prod.TraceID() || childRuns[0].Parent.SpanID() != notify[0].SpanContext.SpanID() {
		t.Errorf("the child run's span is not a child of the step that sent its event: parent %s, want %s", childRuns[0].Parent.SpanID(), notify[0].SpanContext.SpanID())
	}
}

// TestTraceStepErrors: a failing step's attempts each have a span with the
// error recorded, the attempt number and whether it is retried.
func TestTraceStepErrors(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "flaky", Retries: runtime.Retries(1)}, runtime.EventTrigger("test/flaky.requested", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			return step.Run(ctx, "call", func(ctx context.Context) (int, error) { return 0, errors.New("service down") })
		})
	te := startObserved(t, runtime.Options{Functions: []*runtime.Function{fn}, TracerProvider: tp}, true)
	te.send(t, "test/flaky.requested", map[string]any{})
	runID := te.onlyRun(t, "flaky")
	te.advanceUntil(t, runID, time.Minute, runtime.RunFailed)
	te.close()

	spans := exp.GetSpans()
	steps := spansNamed(spans, "durable.step call")
	if len(steps) != 2 {
		t.Fatalf("%d spans of step call, want 2 (one per attempt): %v", len(steps), names(spans))
	}
	for i, want := range []string{"retrying", "failed"} {
		s := steps[i]
		if got := stubAttr(s, "durable.attempt").AsInt64(); got != int64(i+1) {
			t.Errorf("attempt %d: durable.attempt = %d", i+1, got)
		}
		if got := stubAttr(s, "durable.status").AsString(); got != want {
			t.Errorf("attempt %d: durable.status = %q, want %q", i+1, got, want)
		}
		if s.Status.Code != codes.Error || len(s.Events) == 0 || s.Events[0].Name != "exception" {
			t.Errorf("attempt %d: status %v, events %v; want an error recorded", i+1, s.Status, s.Events)
		}
	}
	runs := spansNamed(spans, "durable.run flaky")
	if n := len(runs); n != 2 {
		t.Fatalf("%d execution spans, want 2", n)
	}
	if got := stubAttr(runs[1], "durable.status").AsString(); got != "failed" || runs[1].Status.Code != codes.Error {
		t.Errorf("last execution: status %q %v, want failed with an error", got, runs[1].Status)
	}
}

// TestNoTraceparentWithoutSpan: an event sent with no span in its context
// carries no trace context, and its run's span starts a trace of its own.
func TestNoTraceparentWithoutSpan(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "plain"}, runtime.EventTrigger("test/plain.requested", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) { return nil, nil })
	te := startObserved(t, runtime.Options{Functions: []*runtime.Function{fn}, TracerProvider: tp}, true)
	te.send(t, "test/plain.requested", map[string]any{"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"})
	info := te.await(t, te.onlyRun(t, "plain"), runtime.RunCompleted)
	te.close()
	var env map[string]any
	if err := json.Unmarshal(info.Events[0], &env); err != nil {
		t.Fatal(err)
	}
	if _, ok := env["traceparent"]; ok {
		t.Errorf("envelope %s has a traceparent; want none (no span sent it)", info.Events[0])
	}
	runs := spansNamed(exp.GetSpans(), "durable.run plain")
	if len(runs) != 1 || runs[0].Parent.IsValid() {
		t.Fatalf("run spans %v; want one with no parent (a traceparent in the data is not a trace context)", runs)
	}
}

func names(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}

// logRecords collects slog records.
type logRecords struct {
	mu      sync.Mutex
	records []slog.Record
	attrs   []slog.Attr
}

func (l *logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecords) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	r = r.Clone()
	r.AddAttrs(l.attrs...)
	l.records = append(l.records, r)
	return nil
}
func (l *logRecords) WithAttrs(as []slog.Attr) slog.Handler {
	return &withAttrs{root: l, attrs: as}
}
func (l *logRecords) WithGroup(string) slog.Handler { return l }

type withAttrs struct {
	root  *logRecords
	attrs []slog.Attr
}

func (w *withAttrs) Enabled(context.Context, slog.Level) bool { return true }
func (w *withAttrs) Handle(ctx context.Context, r slog.Record) error {
	r = r.Clone()
	r.AddAttrs(w.attrs...)
	return w.root.Handle(ctx, r)
}
func (w *withAttrs) WithAttrs(as []slog.Attr) slog.Handler {
	return &withAttrs{root: w.root, attrs: append(append([]slog.Attr{}, w.attrs...), as...)}
}
func (w *withAttrs) WithGroup(string) slog.Handler { return w }

// byMessage returns the attributes of each record with the message msg.
func (l *logRecords) byMessage(msg string) []map[string]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]string
	for _, r := range l.records {
		if r.Message != msg {
			continue
		}
		m := map[string]string{}
		r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value.String(); return true })
		out = append(out, m)
	}
	return out
}

// TestStepLoggerReplay: step.Logger prints each record once though the
// function runs again from the top after a sleep and after a wait; its
// records carry the run and, in a step, the step.
func TestStepLoggerReplay(t *testing.T) {
	logs := &logRecords{}
	var calls sync.Map // message -> times the code ran
	count := func(msg string) {
		n, _ := calls.LoadOrStore(msg, new(int))
		*n.(*int)++
	}
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "chatty"}, runtime.EventTrigger("test/chatty.requested", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			log := step.Logger(ctx)
			log.Info("start")
			count("start")
			if _, err := step.Run(ctx, "a", func(ctx context.Context) (int, error) {
				step.Logger(ctx).Info("in a")
				return 1, nil
			}); err != nil {
				return nil, err
			}
			log.Info("before nap")
			if err := step.Sleep(ctx, "nap", time.Hour); err != nil {
				return nil, err
			}
			log.Info("after nap")
			if _, err := step.WaitForEvent(ctx, "approval", runtime.NewEventType[map[string]any]("test/approved", "", nil), step.WaitOpts{Timeout: 1000 * time.Hour}); err != nil {
				return nil, err
			}
			log.Info("approved")
			count("approved")
			return nil, nil
		})
	te := startObserved(t, runtime.Options{Functions: []*runtime.Function{fn}, Logger: slog.New(logs)}, true)
	te.send(t, "test/chatty.requested", map[string]any{})
	runID := te.onlyRun(t, "chatty")
	te.await(t, runID, runtime.RunSleeping)
	te.advanceUntil(t, runID, time.Hour, runtime.RunWaiting)
	te.send(t, "test/approved", map[string]any{})
	te.await(t, runID, runtime.RunCompleted)

	if n, _ := calls.Load("start"); *n.(*int) != 3 {
		t.Fatalf("the function body ran %d times, want 3 (the test needs replays)", *n.(*int))
	}
	for _, tc := range []struct {
		msg  string
		step string
	}{{"start", ""}, {"in a", "a"}, {"before nap", ""}, {"after nap", ""}, {"approved", ""}} {
		got := logs.byMessage(tc.msg)
		if len(got) != 1 {
			t.Errorf("%q logged %d times, want once", tc.msg, len(got))
			continue
		}
		if got[0]["run"] != runID || got[0]["function"] != "chatty" || got[0]["step"] != tc.step {
			t.Errorf("%q: attributes %v, want run %s, function chatty, step %q", tc.msg, got[0], runID, tc.step)
		}
	}
}

// TestStepLoggerOutsideRun: outside a durable function, step.Logger is
// slog.Default.
func TestStepLoggerOutsideRun(t *testing.T) {
	if step.Logger(context.Background()) != slog.Default() {
		t.Error("step.Logger outside a run is not slog.Default()")
	}
}

// TestTraceparentOverHTTP: an event posted to the ingest API with a
// traceparent header starts a run that continues that trace.
func TestTraceparentOverHTTP(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "posted"}, runtime.EventTrigger("test/posted", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) { return nil, nil })
	te := startObserved(t, runtime.Options{Functions: []*runtime.Function{fn}, TracerProvider: tp,
		HTTP: runtime.HTTPOptions{EventKeys: []string{"key-0123456789abcdef"}, ManagementTokens: []string{"token-0123456789abcdef"}, RateLimit: -1}}, true)
	srv := httptest.NewServer(te.Handler())
	defer srv.Close()
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	req, _ := http.NewRequest("POST", srv.URL+"/e/key-0123456789abcdef", strings.NewReader(`{"name":"test/posted","data":{}}`))
	req.Header.Set("traceparent", "00-"+traceID+"-"+parentID+"-01")
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("POST: %s", res.Status)
	}
	te.await(t, te.onlyRun(t, "posted"), runtime.RunCompleted)
	te.close()
	runs := spansNamed(exp.GetSpans(), "durable.run posted")
	if len(runs) != 1 {
		t.Fatalf("%d run spans, want 1", len(runs))
	}
	if got := runs[0].SpanContext.TraceID().String(); got != traceID || runs[0].Parent.SpanID().String() != parentID {
		t.Errorf("run span in trace %s with parent %s, want %s and %s", got, runs[0].Parent.SpanID(), traceID, parentID)
	}
}

// TestTraceInvoke: a run started by step.Invoke continues the trace of
// the execution that invoked it.
func TestTraceInvoke(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	callee := runtime.NewFunction(runtime.FunctionOpts{ID: "callee"}, runtime.EventTrigger("test/callee.unused", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) { return 42, nil })
	caller := runtime.NewFunction(runtime.FunctionOpts{ID: "caller"}, runtime.EventTrigger("test/caller.requested", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			return step.Invoke[int](ctx, "call", callee, step.InvokeOpts{Timeout: time.Hour})
		})
	te := startObserved(t, runtime.Options{Functions: []*runtime.Function{caller, callee}, TracerProvider: tp}, true)
	te.send(t, "test/caller.requested", map[string]any{})
	te.await(t, te.onlyRun(t, "caller"), runtime.RunCompleted)
	te.close()
	spans := exp.GetSpans()
	callers, callees := spansNamed(spans, "durable.run caller"), spansNamed(spans, "durable.run callee")
	if len(callers) != 2 || len(callees) != 1 {
		t.Fatalf("%d caller and %d callee execution spans, want 2 (before and after the invoke) and 1: %v", len(callers), len(callees), names(spans))
	}
	if callees[0].SpanContext.TraceID() != callers[0].SpanContext.TraceID() || callees[0].Parent.SpanID() != callers[0].SpanContext.SpanID() {
		t.Errorf("callee's span: trace %s parent %s, want the invoking execution's span %s/%s",
			callees[0].SpanContext.TraceID(), callees[0].Parent.SpanID(), callers[0].SpanContext.TraceID(), callers[0].SpanContext.SpanID())
	}
}

// TestTraceThroughTheGlobalProvider: an engine given no TracerProvider
// makes no spans while the global provider is OpenTelemetry's default, and
// traces through the provider set globally later, as a program that sets
// it after creating its engine expects.
func TestTraceThroughTheGlobalProvider(t *testing.T) {
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "global"}, runtime.EventTrigger("test/global.requested", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			return step.Run(ctx, "work", func(ctx context.Context) (int, error) { return 1, nil })
		})
	te := startObserved(t, runtime.Options{Functions: []*runtime.Function{fn}}, true)
	before := te.send(t, "test/global.requested", map[string]any{})
	te.advanceUntil(t, te.onlyRun(t, "global"), time.Second, runtime.RunCompleted)

	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(noop.NewTracerProvider()) })
	after := te.send(t, "test/global.requested", map[string]any{})
	runs, err := runList(te.Runs(context.Background(), runtime.RunFilter{EventID: after}))
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs of event %s (the first was %s): %v, %v; want one", after, before, runs, err)
	}
	runID := runs[0].ID
	te.advanceUntil(t, runID, time.Second, runtime.RunCompleted)
	te.close()

	spans := exp.GetSpans()
	runSpans := spansNamed(spans, "durable.run global")
	if len(runSpans) != 1 || stubAttr(runSpans[0], "durable.run.id").AsString() != runID {
		t.Fatalf("run spans %v, want one, of run %s (the run before the provider was set makes none)", names(spans), runID)
	}
	if steps := spansNamed(spans, "durable.step work"); len(steps) != 1 || steps[0].Parent.SpanID() != runSpans[0].SpanContext.SpanID() {
		t.Errorf("step spans %v, want one, a child of the run's", names(spans))
	}
}
