package runtime

import (
	"bytes"
	"context"
	"encoding/json"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Attributes of the engine's spans.
var (
	attrFunction = attribute.Key("durable.function")
	attrRunID    = attribute.Key("durable.run.id")
	attrStepID   = attribute.Key("durable.step.id")
	attrStepKind = attribute.Key("durable.step.kind")
	attrAttempt  = attribute.Key("durable.attempt")
	attrStatus   = attribute.Key("durable.status")
	attrResumed  = attribute.Key("durable.resumed")
	// Of the steps that run no code: when a sleep ends, which event a wait
	// awaits and until when, which event resolved it, which run an invoke
	// started, which version a run follows.
	attrSleepUntil  = attribute.Key("durable.sleep.until")
	attrWaitEvent   = attribute.Key("durable.wait.event")
	attrWaitExpires = attribute.Key("durable.wait.expires_at")
	attrEventID     = attribute.Key("durable.event.id")
	attrInvokedRun  = attribute.Key("durable.invoke.run.id")
	attrInvokedFn   = attribute.Key("durable.invoke.function")
	attrVersion     = attribute.Key("durable.version")
)

// The trace context of the span that sent an event travels with the event,
// in its envelope, as the W3C traceparent header value:
//
//	{"name":...,"data":...,"id":...,"ts":...,"traceparent":"00-<trace>-<span>-<flags>"}
//
// The envelope is where everything else about the event is (a run's events
// are stored as their envelopes), so a run started by the event, however
// late and in whatever process, finds it without a store column; handlers
// decoding the envelope ignore the field. It is written last, so that
// reading it back needs no decoding of the (possibly large) data.
const traceparentField = `,"traceparent":"`

// traceparentLen is the length of a version 00 traceparent.
const traceparentLen = 55

// stampTrace records in each envelope the trace context of the span in
// ctx, if any: the runs the events start continue its trace.
func stampTrace(ctx context.Context, envs []envelope) {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return
	}
	carrier := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(trace.ContextWithSpanContext(context.Background(), sc), carrier)
	tp := carrier.Get("traceparent")
	if len(tp) != traceparentLen {
		return
	}
	for i := range envs {
		raw := envs[i].JSON
		if len(raw) == 0 || raw[len(raw)-1] != '}' {
			continue
		}
		out := make(json.RawMessage, 0, len(raw)+len(traceparentField)+traceparentLen+2)
		out = append(out, raw[:len(raw)-1]...)
		out = append(out, traceparentField...)
		out = append(out, tp...)
		out = append(out, '"', '}')
		envs[i].JSON = out
	}
}

// traceparentOf returns the traceparent stampTrace wrote in an envelope, or "".
func traceparentOf(env json.RawMessage) string {
	n := len(traceparentField) + traceparentLen + 2
	if len(env) < n {
		return ""
	}
	tail := env[len(env)-n:]
	if !bytes.HasPrefix(tail, []byte(traceparentField)) || !bytes.HasSuffix(tail, []byte(`"}`)) {
		return ""
	}
	return string(tail[len(traceparentField) : len(traceparentField)+traceparentLen])
}

// contextWithTraceparent returns ctx with the remote span context of the
// traceparent in env as parent, if it has a valid one.
func contextWithTraceparent(ctx context.Context, env json.RawMessage) context.Context {
	tp := traceparentOf(env)
	if tp == "" {
		return ctx
	}
	return propagation.TraceContext{}.Extract(ctx, propagation.MapCarrier{"traceparent": tp})
}
