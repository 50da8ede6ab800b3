package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/durable-go/durable/runtime/httpapi"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// ingest serves POST /e/{key}: it stores the events of an Inngest-style
// body (one event or an array) and answers their IDs. On any error it
// stores nothing.
func (s *httpServer) ingest(w http.ResponseWriter, r *http.Request) {
	limit := s.opts.MaxBodyBytes
	if r.ContentLength > limit {
		writeError(w, http.StatusRequestEntityTooLarge, httpapi.CodeBodyTooLarge,
			fmt.Sprintf("the body is %d bytes, over the limit of %d (Options.HTTP.MaxBodyBytes)", r.ContentLength, limit))
		return
	}
	body, ok := s.readBody(w, r, limit, "Options.HTTP.MaxBodyBytes")
	if !ok {
		return
	}
	if wh := s.webhookOf(r.PathValue("key")); wh >= 0 {
		if err := httpapi.VerifySignature(r.Header.Get(httpapi.SignatureHeader), body, s.webhooks[wh].secrets, s.m.Now(), s.opts.SignatureTolerance); err != nil {
			writeError(w, http.StatusUnauthorized, httpapi.CodeInvalidSignature, err.Error())
			return
		}
	}
	decoded, problems, err := httpapi.DecodeEvents(body, s.opts.MaxBatchEvents)
	var tooMany *httpapi.TooManyEventsError
	if errors.As(err, &tooMany) {
		writeError(w, http.StatusRequestEntityTooLarge, httpapi.CodeTooManyEvents, err.Error()+" (Options.HTTP.MaxBatchEvents)")
		return
	}
	if len(problems) > 0 {
		code, msg := httpapi.CodeInvalidEvents, "the events are invalid; nothing was stored"
		if problems[0].Offset != nil || problems[0].Index == nil {
			code, msg = httpapi.CodeInvalidJSON, "the body is not an event or an array of events; nothing was stored"
		}
		writeProblems(w, code, msg, problems)
		return
	}
	ids, problems, err := s.m.Ingest(requestTraceContext(r), decoded)
	if len(problems) > 0 {
		// A single event object is the root of the body; events of an
		// array are under their index.
		single := len(decoded) == 1 && bytes.TrimLeft(body, " \t\r\n")[0] == '{'
		for i, p := range problems {
			if p.Index != nil && !single {
				problems[i].Pointer = "/" + strconv.Itoa(*p.Index) + p.Pointer
			}
		}
		writeProblems(w, httpapi.CodeInvalidEvents, "the events are invalid; nothing was stored", problems)
		return
	}
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, httpapi.SendResponse{IDs: ids, Status: http.StatusOK})
}

// readBody reads at most limit bytes of the body within the body read
// timeout (HTTPOptions.BodyReadTimeout); on failure it answers (413, 408
// or 400) and returns false.
func (s *httpServer) readBody(w http.ResponseWriter, r *http.Request, limit int64, limitName string) ([]byte, bool) {
	// A server whose connections have no deadlines (a test recorder)
	// does without.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.opts.BodyReadTimeout))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		return body, true
	case errors.As(err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, httpapi.CodeBodyTooLarge,
			fmt.Sprintf("the body is over the limit of %d bytes (%s)", limit, limitName))
	case errors.Is(err, os.ErrDeadlineExceeded):
		w.Header().Set("Connection", "close")
		writeError(w, http.StatusRequestTimeout, httpapi.CodeBodyTimeout,
			fmt.Sprintf("the body did not arrive within %v (Options.HTTP.BodyReadTimeout)", s.opts.BodyReadTimeout))
	default:
		writeError(w, http.StatusBadRequest, httpapi.CodeInvalidRequest, "reading the body: "+err.Error())
	}
	return nil, false
}

// requestTraceContext is the context of an ingest request: when no server
// middleware started a span for it, the W3C trace context of its
// traceparent header (if valid) becomes the parent of the runs its events
// start, so that a producer in another process continues its trace.
func requestTraceContext(r *http.Request) context.Context {
	ctx := r.Context()
	if trace.SpanContextFromContext(ctx).IsValid() || r.Header.Get("traceparent") == "" {
		return ctx
	}
	return propagation.TraceContext{}.Extract(ctx, propagation.HeaderCarrier(r.Header))
}

func writeProblems(w http.ResponseWriter, code, msg string, problems []httpapi.Problem) {
	e := httpapi.Error{Status: http.StatusBadRequest, Code: code, Message: msg, ProblemsTotal: len(problems), Problems: problems}
	if len(problems) > httpapi.MaxProblems {
		e.Problems = problems[:httpapi.MaxProblems]
	}
	if len(problems) == 1 {
		e.Message += ": " + problems[0].Message
	}
	writeJSON(w, http.StatusBadRequest, e)
}
