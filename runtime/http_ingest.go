package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/durable-go/durable/runtime/httpapi"
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
		if err := httpapi.VerifySignature(r.Header.Get(httpapi.SignatureHeader), body, s.webhooks[wh].secrets, s.e.clock.Now(), s.opts.SignatureTolerance); err != nil {
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
	events := make([]Event, len(decoded))
	// The engine's limits are checked here too, event by event, so that
	// each problem names its event's index and field.
	for i, d := range decoded {
		events[i] = Event{Name: d.Name, Data: d.Data, ID: d.ID, TS: d.TS, V: d.V}
		at := "/" + strconv.Itoa(i)
		if len(decoded) == 1 && bytes.TrimLeft(body, " \t\r\n")[0] == '{' {
			at = ""
		}
		if err := s.e.lim.checkEvent(i, d.Name, d.ID); err != nil {
			problems = append(problems, problem(i, at, err))
			continue
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, d.Data); err == nil {
			if err := s.e.lim.checkData(i, d.Name, d.ID, compact.Bytes()); err != nil {
				problems = append(problems, problem(i, at+"/data", err))
			}
		}
	}
	if len(problems) > 0 {
		writeProblems(w, httpapi.CodeInvalidEvents, "the events are invalid; nothing was stored", problems)
		return
	}
	envs, err := s.e.envelopes(events, nil)
	if err != nil {
		single := len(decoded) == 1 && bytes.TrimLeft(body, " \t\r\n")[0] == '{'
		writeProblems(w, httpapi.CodeInvalidEvents, "the events are invalid; nothing was stored", sendProblems(err, single))
		return
	}
	ids, err := s.e.sendEnvelopes(requestTraceContext(r), envs)
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

func problem(i int, ptr string, err error) httpapi.Problem {
	return httpapi.Problem{Index: &i, Pointer: ptr, Message: err.Error()}
}

// sendProblems lists the problems of an error of envelopes: schema
// violations by event and pointer, other refusals by their message.
func sendProblems(err error, single bool) []httpapi.Problem {
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
		at := "/" + strconv.Itoa(ve.Index)
		if single {
			at = ""
		}
		for _, v := range ve.Violations {
			out = append(out, httpapi.Problem{Index: &ve.Index, Pointer: at + v.Pointer, Message: v.Reason})
		}
	}
	return out
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
