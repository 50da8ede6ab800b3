package runtime_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestTraceStepsWithoutCode: a version, a wait, a sleep and an invoke have
// a span when an execution records them and one when they resolve (an
// event, the sleep's end, a timeout, the invoked run's end), and none when
// a later execution replays them.
func TestTraceStepsWithoutCode(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })

	approved := runtime.NewEventType[map[string]any]("test/approved", "", nil)
	never := runtime.NewEventType[map[string]any]("test/never", "", nil)
	callee := runtime.NewFunction(runtime.FunctionOpts{ID: "callee"}, runtime.EventTrigger("test/callee.unused", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) { return 42, nil })
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "flow"}, runtime.EventTrigger("test/flow.requested", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			if _, err := step.Version(ctx, "v", 2); err != nil {
				return nil, err
			}
			if _, err := step.WaitForEvent(ctx, "approval", approved, step.WaitOpts{Timeout: time.Hour}); err != nil {
				return nil, err
			}
			if err := step.Sleep(ctx, "nap", time.Hour); err != nil {
				return nil, err
			}
			if _, err := step.WaitForEvent(ctx, "second", never, step.WaitOpts{Timeout: time.Hour}); !errors.Is(err, step.ErrTimeout) {
				return nil, err
			}
			return step.Invoke[int](ctx, "call", callee, step.InvokeOpts{Timeout: time.Hour})
		})
	te := startObserved(t, runtime.Options{Functions: []*runtime.Function{fn, callee}, TracerProvider: tp}, true)
	te.send(t, "test/flow.requested", map[string]any{})
	runID := te.onlyRun(t, "flow")
	te.await(t, runID, runtime.RunWaiting)

	ctx, producer := tp.Tracer("test").Start(context.Background(), "producer")
	approvalID, err := te.Send(ctx, runtime.Event{Name: "test/approved", Data: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	producer.End()
	te.await(t, runID, runtime.RunSleeping)
	// One hour at a time, each awaited: the nap ends and the second wait
	// begins; then the second wait times out and the invoke runs.
	te.clock.Advance(time.Hour)
	te.await(t, runID, runtime.RunWaiting)
	te.clock.Advance(time.Hour)
	te.await(t, runID, runtime.RunCompleted)
	te.close()

	spans := exp.GetSpans()
	runs := spansNamed(spans, "durable.run flow")
	if len(runs) != 5 {
		t.Fatalf("%d executions of the run, want 5 (until the approval, the nap, the second wait, the invoke, the end): %v", len(runs), names(spans))
	}
	callees := spansNamed(spans, "durable.run callee")
	if len(callees) != 1 {
		t.Fatalf("%d callee executions, want 1", len(callees))
	}
	type want struct {
		status string
		parent string // the span's parent: "exec N", "producer", "callee"
		attrs  map[string]string
	}
	for _, tc := range []struct {
		step, kind string
		want       []want
	}{
		{"v", "version", []want{{"completed", "exec 0", nil}}},
		{"approval", "wait", []want{
			{"waiting", "exec 0", map[string]string{"durable.wait.event": "test/approved", "durable.wait.expires_at": epoch.Add(time.Hour).UTC().Format(time.RFC3339Nano)}},
			{"completed", "producer", map[string]string{"durable.wait.event": "test/approved", "durable.event.id": approvalID[0]}},
		}},
		{"nap", "sleep", []want{
			{"sleeping", "exec 1", map[string]string{"durable.sleep.until": epoch.Add(time.Hour).UTC().Format(time.RFC3339Nano)}},
			{"completed", "exec 2", nil},
		}},
		{"second", "wait", []want{{"waiting", "exec 2", map[string]string{"durable.wait.event": "test/never"}}, {"timed_out", "exec 3", nil}}},
		{"call", "invoke", []want{
			{"waiting", "exec 3", map[string]string{"durable.invoke.function": "callee"}},
			{"completed", "callee", map[string]string{"durable.invoke.function": "callee"}},
		}},
	} {
		got := spansNamed(spans, "durable.step "+tc.step)
		if len(got) != len(tc.want) {
			t.Errorf("step %s: %d spans, want %d (none on replay)", tc.step, len(got), len(tc.want))
			continue
		}
		for i, w := range tc.want {
			s := got[i]
			parents := map[string]string{"producer": producer.SpanContext().SpanID().String(), "callee": callees[0].SpanContext.SpanID().String()}
			for j, r := range runs {
				parents["exec "+string(rune('0'+j))] = r.SpanContext.SpanID().String()
			}
			if s.Parent.SpanID().String() != parents[w.parent] {
				t.Errorf("step %s span %d: parent %s, want %s's %s", tc.step, i, s.Parent.SpanID(), w.parent, parents[w.parent])
			}
			attrs := map[string]string{"durable.run.id": runID, "durable.step.id": tc.step, "durable.step.kind": tc.kind, "durable.status": w.status}
			for k, v := range w.attrs {
				attrs[k] = v
			}
			for k, v := range attrs {
				if g := stubAttr(s, k).Emit(); g != v {
					t.Errorf("step %s span %d: %s = %q, want %q", tc.step, i, k, g, v)
				}
			}
			if g := stubAttr(s, "durable.attempt").AsInt64(); g != 1 {
				t.Errorf("step %s span %d: durable.attempt = %d, want 1", tc.step, i, g)
			}
			if g := stubAttr(s, "durable.function").AsString(); g != "flow" {
				t.Errorf("step %s span %d: durable.function = %q, want flow", tc.step, i, g)
			}
			if s.Status.Code == codes.Error {
				t.Errorf("step %s span %d: status %v, want no error", tc.step, i, s.Status)
			}
		}
	}
}
