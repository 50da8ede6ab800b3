package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/durable-go/durable/runtime/httpapi"
	"github.com/durable-go/durable/runtime/store"
)

func (s *httpServer) listFunctions(w http.ResponseWriter, r *http.Request) {
	paused, err := s.m.Paused(r.Context())
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	out := httpapi.FunctionList{Functions: []httpapi.Function{}}
	for _, fn := range s.fns {
		out.Functions = append(out.Functions, functionJSON(fn, paused))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *httpServer) getFunction(w http.ResponseWriter, r *http.Request) {
	fn, ok := s.function(w, r)
	if !ok {
		return
	}
	paused, err := s.m.Paused(r.Context())
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, functionJSON(fn, paused))
}

// function returns the function of the path's {id}, or answers 404.
func (s *httpServer) function(w http.ResponseWriter, r *http.Request) (Function, bool) {
	id := r.PathValue("id")
	for _, fn := range s.fns {
		if fn.ID == id {
			return fn, true
		}
	}
	writeError(w, http.StatusNotFound, httpapi.CodeNotFound, "no function "+strconv.Quote(id))
	return Function{}, false
}

func functionJSON(fn Function, paused map[string]time.Time) httpapi.Function {
	f := httpapi.Function{ID: fn.ID, Name: fn.Name, Triggers: fn.Triggers}
	if f.Triggers == nil {
		f.Triggers = []httpapi.Trigger{}
	}
	if since, ok := paused[fn.ID]; ok {
		f.Paused, f.PausedSince = true, &since
	}
	return f
}

func (s *httpServer) pauseFunction(w http.ResponseWriter, r *http.Request) {
	fn, ok := s.function(w, r)
	if !ok {
		return
	}
	if err := s.m.Pause(r.Context(), fn.ID); err != nil {
		s.engineError(w, r, err)
		return
	}
	s.pauseState(w, r, fn, 0)
}

func (s *httpServer) resumeFunction(w http.ResponseWriter, r *http.Request) {
	fn, ok := s.function(w, r)
	if !ok {
		return
	}
	var req httpapi.ResumeRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	n, err := s.m.Resume(r.Context(), fn.ID, req.SkipHeld)
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	s.pauseState(w, r, fn, n)
}

func (s *httpServer) pauseState(w http.ResponseWriter, r *http.Request, fn Function, held int) {
	paused, err := s.m.Paused(r.Context())
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, httpapi.PauseResponse{Function: functionJSON(fn, paused), Held: held})
}

func (s *httpServer) getEvent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ev, err := getEvent(r.Context(), s.m, id)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, httpapi.CodeNotFound, "no event "+strconv.Quote(id)+" (or it is past its retention)")
		return
	}
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, httpapi.Event{ID: ev.ID, Name: ev.Name, TS: ev.TS, ReceivedAt: ev.ReceivedAt, Envelope: ev.Envelope})
}

func (s *httpServer) listRuns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		if !slices.Contains([]string{"function", "status", "since", "until", "event", "if", "limit", "cursor"}, k) {
			writeError(w, http.StatusBadRequest, httpapi.CodeInvalidRequest,
				fmt.Sprintf("unknown query parameter %s (known: function, status, since, until, event, if, limit, cursor)", strconv.Quote(k)))
			return
		}
	}
	f := RunFilter{FunctionID: q.Get("function"), EventID: q.Get("event"), If: q.Get("if"), Cursor: q.Get("cursor")}
	var bad []string
	for _, v := range q["status"] {
		for _, st := range strings.Split(v, ",") {
			if !s.knownStatus(st) {
				bad = append(bad, fmt.Sprintf("status %s is not one of %s", strconv.Quote(st), s.statusList()))
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	for _, p := range []struct {
		name string
		to   *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				bad = append(bad, fmt.Sprintf("%s %s is not an RFC 3339 time (such as 2026-01-15T09:00:00Z)", p.name, strconv.Quote(v)))
			}
			*p.to = t
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			bad = append(bad, fmt.Sprintf("limit %s must be an integer from 1 to 1000", strconv.Quote(v)))
		}
		f.Limit = n
	}
	if s.refuseFilter(w, f, bad) {
		return
	}
	runs, next, err := s.m.Runs(r.Context(), f)
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	if runs == nil {
		runs = []httpapi.Run{}
	}
	writeJSON(w, http.StatusOK, httpapi.RunList{Runs: runs, NextCursor: next})
}

func (s *httpServer) statusList() string { return strings.Join(s.statuses, ", ") }

func (s *httpServer) knownStatus(st string) bool { return slices.Contains(s.statuses, st) }

func (s *httpServer) getRun(w http.ResponseWriter, r *http.Request) {
	run, err := s.m.Run(r.Context(), r.PathValue("id"))
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, run)
}

func (s *httpServer) cancelRun(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.m.Cancel(r.Context(), id); err != nil {
		s.engineError(w, r, err)
		return
	}
	run, err := s.m.Run(r.Context(), id)
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, run)
}

func (s *httpServer) rerunRun(w http.ResponseWriter, r *http.Request) {
	var req httpapi.RerunRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	id, err := s.m.Rerun(r.Context(), r.PathValue("id"), req.FromStep)
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, httpapi.RerunResponse{RunID: id})
}

func (s *httpServer) cancelRuns(w http.ResponseWriter, r *http.Request) {
	s.bulk(w, r, s.m.CancelRuns)
}

func (s *httpServer) rerunRuns(w http.ResponseWriter, r *http.Request) {
	s.bulk(w, r, s.m.RerunRuns)
}

func (s *httpServer) bulk(w http.ResponseWriter, r *http.Request, op func(context.Context, RunFilter) (int, error)) {
	var req httpapi.BulkRequest
	if !s.readJSON(w, r, &req) {
		return
	}
	f := RunFilter{FunctionID: req.FunctionID, If: req.If}
	var bad []string
	if req.FunctionID == "" && len(req.Statuses) == 0 && req.Since == nil && req.Until == nil && req.If == "" {
		bad = append(bad, "select the runs: give at least one of function_id, statuses, since, until, if")
	}
	for _, st := range req.Statuses {
		if !s.knownStatus(st) {
			bad = append(bad, fmt.Sprintf("statuses: %s is not one of %s", strconv.Quote(st), s.statusList()))
		}
		f.Statuses = append(f.Statuses, st)
	}
	if req.Since != nil {
		f.Since = *req.Since
	}
	if req.Until != nil {
		f.Until = *req.Until
	}
	if s.refuseFilter(w, f, bad) {
		return
	}
	n, err := op(r.Context(), f)
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, httpapi.BulkResponse{Count: n})
}

// refuseFilter adds f's If, when it does not compile, to the problems
// found in a request's run filter (bad) and, when there are any, answers
// 400 with all of them and returns true.
func (s *httpServer) refuseFilter(w http.ResponseWriter, f RunFilter, bad []string) bool {
	if f.If != "" {
		if err := s.m.CheckRunIf(f.If); err != nil {
			bad = append(bad, err.Error())
		}
	}
	if len(bad) == 0 {
		return false
	}
	writeError(w, http.StatusBadRequest, httpapi.CodeInvalidRequest, strings.Join(bad, "; "))
	return true
}

// readJSON decodes a management request's body into v (an empty body
// leaves v as it is); on failure it answers and returns false.
func (s *httpServer) readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, ok := s.readBody(w, r, maxManagementBodyBytes, "management requests")
	if !ok {
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return true
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, httpapi.CodeNotAcceptableBody, "the body is not the expected JSON object: "+err.Error())
		return false
	}
	if dec.More() {
		writeError(w, http.StatusBadRequest, httpapi.CodeNotAcceptableBody, "the body has data after its JSON object")
		return false
	}
	return true
}
