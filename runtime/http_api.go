package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/durable-go/durable/runtime/httpapi"
	"github.com/durable-go/durable/runtime/store"
)

func (s *httpServer) listFunctions(w http.ResponseWriter, r *http.Request) {
	ids := make([]string, 0, len(s.e.fns))
	for id := range s.e.fns {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := httpapi.FunctionList{Functions: []httpapi.Function{}}
	for _, id := range ids {
		f, err := s.function(r, s.e.fns[id])
		if err != nil {
			s.engineError(w, r, err)
			return
		}
		out.Functions = append(out.Functions, f)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *httpServer) getFunction(w http.ResponseWriter, r *http.Request) {
	fn := s.e.fns[r.PathValue("id")]
	if fn == nil {
		writeError(w, http.StatusNotFound, httpapi.CodeNotFound, "no function "+strconv.Quote(r.PathValue("id")))
		return
	}
	f, err := s.function(r, fn)
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

func (s *httpServer) function(r *http.Request, fn *Function) (httpapi.Function, error) {
	f := httpapi.Function{ID: fn.ID(), Name: fn.Name(), Triggers: []httpapi.Trigger{}}
	for _, t := range fn.triggers {
		f.Triggers = append(f.Triggers, httpapi.Trigger{Event: t.event, If: t.ifSrc, Cron: t.cron})
	}
	return f, nil
}

func (s *httpServer) getEvent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var ev store.Event
	err := s.e.store.View(r.Context(), func(tx store.Tx) error {
		var err error
		ev, err = tx.GetEvent(r.Context(), id)
		return err
	})
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
	f := RunFilter{FunctionID: q.Get("function")}
	for _, st := range q["status"] {
		if !knownStatus(st) {
			writeError(w, http.StatusBadRequest, httpapi.CodeInvalidRequest, fmt.Sprintf("status %q is not one of %v", st, allStatuses))
			return
		}
		f.Statuses = append(f.Statuses, RunStatus(st))
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, http.StatusBadRequest, httpapi.CodeInvalidRequest, fmt.Sprintf("limit %q must be an integer from 1 to 1000", v))
			return
		}
		f.Limit = n
	}
	runs, err := s.e.Runs(r.Context(), f)
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	out := httpapi.RunList{Runs: []httpapi.Run{}}
	for _, ri := range runs {
		out.Runs = append(out.Runs, runJSON(ri))
	}
	writeJSON(w, http.StatusOK, out)
}

var allStatuses = []RunStatus{RunQueued, RunRunning, RunSleeping, RunWaiting, RunBlocked, RunCompleted, RunFailed, RunCancelled, RunSkipped}

func knownStatus(s string) bool { return slices.Contains(allStatuses, RunStatus(s)) }

func (s *httpServer) getRun(w http.ResponseWriter, r *http.Request) {
	info, err := s.e.Run(r.Context(), r.PathValue("id"))
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, runJSON(info))
}

func (s *httpServer) cancelRun(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.e.Cancel(r.Context(), id); err != nil {
		s.engineError(w, r, err)
		return
	}
	info, err := s.e.Run(r.Context(), id)
	if err != nil {
		s.engineError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, runJSON(info))
}

func runJSON(ri RunInfo) httpapi.Run {
	out := httpapi.Run{
		ID: ri.ID, FunctionID: ri.FunctionID, Status: string(ri.Status), Attempt: ri.Attempt,
		Events: ri.Events, Output: ri.Output, Error: ri.Error, CreatedAt: ri.CreatedAt,
		StartedAt: timePtr(ri.StartedAt), EndedAt: timePtr(ri.EndedAt), ParentRunID: ri.ParentRunID,
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
