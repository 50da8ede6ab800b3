package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/durable-go/durable/runtime/httpapi"
	"github.com/durable-go/durable/runtime/internal/journal"
	"github.com/durable-go/durable/runtime/internal/seal"
	"github.com/durable-go/durable/runtime/store"
)

// uiPage is what every page template gets.
type uiPage struct {
	Title string
	// Base is the relative path to the UI's root; CSRF the form token.
	Base, CSRF string
	// Nav names the active tab.
	Nav string
	// Error and Notice are shown above the content.
	Error, Notice string
	// Logout: the visitor logged in with a token and may log out.
	Logout  bool
	DevMode bool
	Data    any
}

var uiPageNames = []string{"functions", "runs", "run", "events", "event", "send", "login", "error"}

func parseUIPages(sub fs.FS) map[string]*template.Template {
	funcs := template.FuncMap{
		"ago":  uiAgo,
		"time": uiTime,
		"dur":  uiDuration,
		"json": uiJSON,
		"pct":  func(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) + "%" },
	}
	out := map[string]*template.Template{}
	for _, name := range uiPageNames {
		out[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(sub, "layout.html", name+".html"))
	}
	return out
}

func (s *uiServer) render(w http.ResponseWriter, r *http.Request, status int, name string, p uiPage) {
	p.Base = uiBase(r)
	p.CSRF = s.csrfToken(w, r)
	p.DevMode = s.opts.Authorize == nil && len(s.opts.ManagementTokens) == 0 && s.opts.DevMode
	if c, err := r.Cookie(uiSessionCookie); err == nil && c.Value != "" && len(s.opts.ManagementTokens) > 0 {
		p.Logout = true
	}
	if p.Nav == "" {
		p.Nav = name
	}
	var buf bytes.Buffer
	tmpl := "layout"
	if r.URL.Query().Get("partial") == "1" && s.pages[name].Lookup("live") != nil {
		tmpl = "live" // the live view's refresh
	}
	if err := s.pages[name].ExecuteTemplate(&buf, tmpl, p); err != nil {
		s.m.Log().Error("durable: ui: rendering a page", "page", name, "err", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// redirect answers a POST with a relative Location, resolved by the
// browser against the page it posted from.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	w.Header().Set("Location", uiBase(r)+to)
	w.WriteHeader(http.StatusSeeOther)
}

// ---- formatting

func uiTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05.000Z")
}

func uiAgo(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := time.Since(t)
	if d >= 0 && d < time.Second {
		return "just now"
	}
	if d < 0 {
		return "in " + uiDuration(-d)
	}
	return uiDuration(d) + " ago"
}

func uiDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return strconv.FormatInt(d.Microseconds(), 10) + "µs"
	case d < time.Second:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + "ms"
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
}

// runDuration is how long a run has taken: from its start to its end, or
// to now while it goes on; "" before it starts.
func runDuration(ri httpapi.Run, now time.Time) string {
	if ri.StartedAt == nil {
		return ""
	}
	end := now
	if ri.EndedAt != nil {
		end = *ri.EndedAt
	}
	return uiDuration(end.Sub(*ri.StartedAt))
}

// uiJSON pretty-prints JSON with every sensitive value redacted.
func uiJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	red, err := redactJSON(raw)
	if err != nil {
		return "(not JSON)"
	}
	var buf bytes.Buffer
	if json.Indent(&buf, red, "", "  ") != nil {
		return string(red)
	}
	return buf.String()
}

// redactedValue replaces, in what the UI shows, every value encrypted at
// rest ({"$enc": ...}): neither its ciphertext nor its plaintext is shown.
const redactedValue = "[sensitive: redacted]"

// redactJSON returns raw with every encrypted value replaced by
// redactedValue, at any depth (the envelope of a durable/function.failed
// event holds the failed run's event, encrypted fields and all).
func redactJSON(raw json.RawMessage) (json.RawMessage, error) {
	if !bytes.Contains(raw, []byte(`"`+seal.Field+`"`)) {
		if !json.Valid(raw) {
			return nil, errors.New("not JSON")
		}
		return raw, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(redactValue(v))
}

func redactValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if _, enc := x[seal.Field]; enc {
			// A lone "$enc" is a sealed value; an object that has one
			// among other keys is not what the engine writes, but its
			// "$enc" is hidden all the same.
			if seal.IsSealed(x) {
				return redactedValue
			}
			x[seal.Field] = redactedValue
		}
		for k, e := range x {
			x[k] = redactValue(e)
		}
	case []any:
		for i, e := range x {
			x[i] = redactValue(e)
		}
	}
	return v
}

// envelopeHeader reads an envelope's name and ID.
func envelopeHeader(raw json.RawMessage) (name, id string) {
	var h struct {
		Name string `json:"name"`
		ID   string `json:"id"`
	}
	_ = json.Unmarshal(raw, &h)
	return h.Name, h.ID
}

// ---- functions

type uiFunction struct {
	ID, Name string
	Triggers []string
	Flow     []string
	Counts   []uiCount
	// PausedSince is when the function was paused (zero: it is not).
	PausedSince time.Time
}

type uiCount struct {
	Status string
	N      string
	Link   string
}

// uiCountCap bounds the runs counted per function and status: the store
// has no count, so the UI lists at most this many plus one.
const uiCountCap = 100

func (s *uiServer) functionsPage(r *http.Request) (string, uiPage, error) {
	ctx := r.Context()
	paused, err := s.m.Paused(ctx)
	if err != nil {
		return "", uiPage{}, err
	}
	var fns []uiFunction
	for _, f := range s.fns {
		uf := uiFunction{ID: f.ID, Name: f.Name, Flow: f.Flow, PausedSince: paused[f.ID]}
		for _, t := range f.Triggers {
			switch {
			case t.Cron != "":
				uf.Triggers = append(uf.Triggers, "cron "+t.Cron)
			case t.If != "":
				uf.Triggers = append(uf.Triggers, t.Event+" if "+t.If)
			default:
				uf.Triggers = append(uf.Triggers, t.Event)
			}
		}
		for _, st := range s.statuses {
			runs, err := s.listRuns(ctx, RunFilter{FunctionID: f.ID, Statuses: []string{st}, Limit: uiCountCap + 1})
			if err != nil {
				return "", uiPage{}, err
			}
			if len(runs) == 0 {
				continue
			}
			n := strconv.Itoa(len(runs))
			if len(runs) > uiCountCap {
				n = strconv.Itoa(uiCountCap) + "+"
			}
			q := url.Values{"function": {f.ID}, "status": {st}}
			uf.Counts = append(uf.Counts, uiCount{Status: st, N: n, Link: "runs?" + q.Encode()})
		}
		fns = append(fns, uf)
	}
	return "functions", uiPage{Title: "Functions", Data: fns}, nil
}

// pauseFunction pauses or resumes a function (the form's "resume"
// field; "skip" skips the runs held instead of starting them).
func (s *uiServer) pauseFunction(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var err error
	if r.PostFormValue("resume") == "1" {
		_, err = s.m.Resume(r.Context(), id, r.PostFormValue("skip") == "1")
	} else {
		err = s.m.Pause(r.Context(), id)
	}
	if errors.Is(err, ErrNotFound) {
		return uiNotFound{"No function has the ID " + strconv.Quote(id) + "."}
	}
	if err != nil {
		return err
	}
	redirect(w, r, "functions")
	return nil
}

// ---- runs

// listRuns is the one place the UI lists runs through the engine.
func (s *uiServer) listRuns(ctx context.Context, f RunFilter) ([]httpapi.Run, error) {
	runs, _, err := s.m.Runs(ctx, f)
	return runs, err
}

// uiRunPage is how many runs the runs page lists at once.
const uiRunPage = 50

type uiRunsData struct {
	Functions []string
	Statuses  []string
	// The filters as given.
	Function, Status, Event, From, To, ID string
	Runs                                  []uiRunRow
	// Next is the link to the next page ("" on the last).
	Next string
}

type uiRunRow struct {
	httpapi.Run
	EventName, EventID string
	Duration           string
}

func (s *uiServer) runsPage(r *http.Request) (string, uiPage, error) {
	q := r.URL.Query()
	if id := strings.TrimSpace(q.Get("id")); id != "" {
		if _, err := s.m.Run(r.Context(), id); err == nil {
			// The run exists: its page is the answer.
			return s.runPageOf(r, id)
		}
		return "runs", uiPage{Title: "Runs", Error: "No run has the ID " + strconv.Quote(id) + ".", Data: s.runsFilterData(q)}, nil
	}
	d := s.runsFilterData(q)
	f := RunFilter{FunctionID: d.Function, Limit: uiRunPage, Cursor: q.Get("cursor")}
	if d.Status != "" {
		f.Statuses = []string{d.Status}
	}
	var errs []string
	parse := func(field, v string) time.Time {
		if v == "" {
			return time.Time{}
		}
		t, err := parseUITime(v)
		if err != nil {
			errs = append(errs, field+": "+err.Error())
		}
		return t
	}
	f.Since, f.Until = parse("from", d.From), parse("to", d.To)
	if len(errs) > 0 {
		return "runs", uiPage{Title: "Runs", Error: strings.Join(errs, "; "), Data: d}, nil
	}
	if d.Event != "" {
		if s.isEventName(d.Event) {
			// The runs whose first event has this name.
			f.If = "event.name == " + strconv.Quote(d.Event)
		} else {
			f.EventID = d.Event
		}
	}
	runs, next, err := s.m.Runs(r.Context(), f)
	if err != nil {
		return "runs", uiPage{Title: "Runs", Error: err.Error(), Data: d}, nil
	}
	now := s.m.Now()
	for _, ri := range runs {
		row := uiRunRow{Run: ri, Duration: runDuration(ri, now)}
		if len(ri.Events) > 0 {
			row.EventName, row.EventID = envelopeHeader(ri.Events[0])
		}
		d.Runs = append(d.Runs, row)
	}
	if next != "" {
		more := url.Values{}
		for k, v := range q {
			if k != "cursor" && k != "partial" {
				more[k] = v
			}
		}
		more.Set("cursor", next)
		d.Next = "runs?" + more.Encode()
	}
	return "runs", uiPage{Title: "Runs", Data: d}, nil
}

// isEventName reports whether v names an event type this engine knows
// (a trigger, a catalogued type, or a name of the engine's own events).
func (s *uiServer) isEventName(v string) bool {
	return slices.Contains(s.eventNames(), v) || strings.HasPrefix(v, "durable/")
}

// parseUITime reads a time filter: RFC 3339, or the browser's
// datetime-local input (taken as UTC).
func parseUITime(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			// Stores keep times as nanoseconds since 1970 in an int64.
			if t.Year() < 1970 || t.Year() > 2200 {
				return time.Time{}, fmt.Errorf("%q is outside the years 1970 to 2200", v)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (2026-11-30T09:00, RFC 3339, or a date)", v)
}

func (s *uiServer) runsFilterData(q url.Values) uiRunsData {
	d := uiRunsData{Statuses: s.statuses, Function: q.Get("function"), Status: q.Get("status"),
		Event: strings.TrimSpace(q.Get("event")), From: q.Get("from"), To: q.Get("to"), ID: q.Get("id")}
	for _, f := range s.fns {
		d.Functions = append(d.Functions, f.ID)
	}
	return d
}

// ---- one run

type uiRunData struct {
	Run    httpapi.Run
	Events []uiEventRef
	Steps  []uiStep
	// Span of the waterfall.
	From, To time.Time
	// RerunFrom is the ID of the step the run was rerun from.
	RerunFrom string
	// Cancellable: the run is not over; Rerunnable: it is.
	Cancellable, Rerunnable bool
	Duration                string
}

type uiEventRef struct {
	ID, Name string
	JSON     json.RawMessage
}

type uiStep struct {
	httpapi.Step
	// Bar and Pending are the waterfall's bars, in percent of the span:
	// what the step took, and the sleep or wait still to come.
	Left, Width     float64
	PendLeft, PendW float64
	Duration        string
	// Deadline: a sleep's end, a wait's timeout, or a retry's time.
	Deadline time.Time
	// ResolvedBy is the event that resolved a wait (its output is the
	// event's envelope).
	ResolvedBy string
}

func (s *uiServer) runPage(r *http.Request) (string, uiPage, error) {
	return s.runPageOf(r, r.PathValue("id"))
}

func (s *uiServer) runPageOf(r *http.Request, id string) (string, uiPage, error) {
	ri, err := s.m.Run(r.Context(), id)
	if errors.Is(err, ErrNotFound) {
		return "", uiPage{}, uiNotFound{"No run has the ID " + strconv.Quote(id) + "."}
	}
	if err != nil {
		return "", uiPage{}, err
	}
	over := store.Status(ri.Status).Terminal()
	d := uiRunData{Run: ri, Cancellable: !over, Rerunnable: over}
	for _, ev := range ri.Events {
		name, eid := envelopeHeader(ev)
		d.Events = append(d.Events, uiEventRef{ID: eid, Name: name, JSON: ev})
	}
	d.RerunFrom = ri.RerunFromStep
	for _, st := range ri.Steps {
		if st.Key == ri.RerunFromStep {
			d.RerunFrom = st.ID
		}
	}
	now := s.m.Now()
	d.From, d.To = ri.CreatedAt, now
	if ri.EndedAt != nil {
		d.To = *ri.EndedAt
	}
	for _, st := range ri.Steps {
		if !st.StartedAt.IsZero() && st.StartedAt.Before(d.From) {
			d.From = st.StartedAt
		}
		if st.UpdatedAt.After(d.To) {
			d.To = st.UpdatedAt
		}
	}
	d.Duration = runDuration(ri, now)
	span := float64(d.To.Sub(d.From))
	if span <= 0 {
		span = 1
	}
	pct := func(t time.Time) float64 { return min(100, max(0, 100*float64(t.Sub(d.From))/span)) }
	for _, st := range ri.Steps {
		us := uiStep{Step: st, Left: pct(st.StartedAt), Duration: uiDuration(st.UpdatedAt.Sub(st.StartedAt))}
		us.Width = max(0.4, pct(st.UpdatedAt)-us.Left)
		if st.Kind == journal.KindWait && st.Status == string(store.StepCompleted) {
			_, us.ResolvedBy = envelopeHeader(st.Output)
		}
		if us.Left+us.Width > 100 {
			us.Left = 100 - us.Width
		}
		pending := slices.Contains([]store.StepStatus{store.StepSleeping, store.StepWaiting, store.StepRetrying}, store.StepStatus(st.Status))
		if st.WakeAt != nil && (pending || st.Kind == journal.KindSleep || st.Kind == journal.KindWait) {
			us.Deadline = *st.WakeAt
		}
		if pending && !over {
			// From the step's last change to now (the span's end); the
			// deadline, possibly days away, is written beside it.
			us.PendLeft = us.Left + us.Width
			us.PendW = max(0, 100-us.PendLeft)
		}
		d.Steps = append(d.Steps, us)
	}
	return "run", uiPage{Title: "Run " + ri.ID, Nav: "runs", Data: d}, nil
}

func (s *uiServer) cancelRun(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := s.m.Cancel(r.Context(), id); err != nil {
		if errors.Is(err, ErrNotFound) {
			return uiNotFound{"No run has the ID " + strconv.Quote(id) + "."}
		}
		return err
	}
	redirect(w, r, "runs/"+url.PathEscape(id))
	return nil
}

// rerunRun reruns a finished run, from the start or from the step the
// form names, and shows the new run.
func (s *uiServer) rerunRun(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	newID, err := s.m.Rerun(r.Context(), id, r.PostFormValue("step"))
	switch {
	case errors.Is(err, ErrNotFound):
		return uiNotFound{"No run has the ID " + strconv.Quote(id) + "."}
	case errors.Is(err, ErrNotFinished), errors.Is(err, ErrUnknownStep):
		name, p, perr := s.runPageOf(r, id)
		if perr != nil {
			return perr
		}
		p.Error = err.Error()
		s.render(w, r, http.StatusConflict, name, p)
		return nil
	case err != nil:
		return err
	}
	redirect(w, r, "runs/"+url.PathEscape(newID))
	return nil
}

// ---- events

// uiEventPage is how many events the events page lists.
const uiEventPage = 50

type uiEventsData struct {
	Name  string
	Names []string
	Rows  []uiEventRow
	// Next continues the listing (the "before" parameter).
	Next string
}

type uiEventRow struct {
	ID, Name   string
	ReceivedAt time.Time
	JSON       json.RawMessage
	Runs       []httpapi.Run
	// Skips are the messages of the durable/function.skipped events
	// about the event: flow control kept it from starting a run.
	Skips []string
	// Why says why the event started no run, when the engine knows.
	Why string
	// OpenWaits are the waits for the event's name open now, judged
	// against the event (the event's page only); MoreWaits counts those
	// not shown.
	OpenWaits []uiOpenWait
	MoreWaits int
}

// uiOpenWaitsShown bounds the open waits an event's page judges and shows.
const uiOpenWaitsShown = 20

// uiOpenWait is an open wait for an event's name, judged against the
// event: whether it matches, and if not, why. It is the state now, not
// history: a wait the event resolved is closed and not listed (its run's
// page names the event that resolved it).
type uiOpenWait struct {
	RunID string
	// Step is the waiting step's ID; empty for a Cancel watch.
	Step    string
	If      string
	Expires time.Time
	Matches bool
	Why     string
}

func (s *uiServer) eventsPage(r *http.Request) (string, uiPage, error) {
	q := r.URL.Query()
	d := uiEventsData{Name: q.Get("name"), Names: s.eventNames()}
	f := store.EventFilter{Name: d.Name, Limit: uiEventPage + 1}
	if b := q.Get("before"); b != "" {
		ns, id, ok := strings.Cut(b, "_")
		n, err := strconv.ParseInt(ns, 10, 64)
		if !ok || err != nil {
			return "events", uiPage{Title: "Events", Error: "The page cursor " + strconv.Quote(b) + " is not one this UI made.", Data: d}, nil
		}
		f.Before = &store.EventPos{ReceivedAt: time.Unix(0, n), ID: id}
	}
	evs, err := ListEvents(r.Context(), s.m.Store(), f)
	if err != nil {
		return "", uiPage{}, err
	}
	if len(evs) > uiEventPage {
		last := evs[uiEventPage-1]
		d.Next = strconv.FormatInt(last.ReceivedAt.UnixNano(), 10) + "_" + last.ID
		evs = evs[:uiEventPage]
	}
	skips, err := s.skips(r.Context())
	if err != nil {
		return "", uiPage{}, err
	}
	for _, ev := range evs {
		row, err := s.eventRow(r.Context(), ev, skips)
		if err != nil {
			return "", uiPage{}, err
		}
		d.Rows = append(d.Rows, row)
	}
	return "events", uiPage{Title: "Events", Data: d}, nil
}

func (s *uiServer) eventPage(r *http.Request) (string, uiPage, error) {
	id := r.PathValue("id")
	ev, err := getEvent(r.Context(), s.m, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", uiPage{}, uiNotFound{"No event has the ID " + strconv.Quote(id) + " (or it was deleted by retention)."}
	}
	if err != nil {
		return "", uiPage{}, err
	}
	skips, err := s.skips(r.Context())
	if err != nil {
		return "", uiPage{}, err
	}
	row, err := s.eventRow(r.Context(), ev, skips)
	if err != nil {
		return "", uiPage{}, err
	}
	if row.OpenWaits, row.MoreWaits, err = s.openWaits(r.Context(), ev); err != nil {
		return "", uiPage{}, err
	}
	p := uiPage{Title: "Event " + ev.ID, Nav: "events", Data: row}
	if r.URL.Query().Get("sent") == "1" {
		p.Notice = "Sent."
	}
	return "event", p, nil
}

func (s *uiServer) eventRow(ctx context.Context, ev store.Event, skips map[string][]string) (uiEventRow, error) {
	runs, err := s.runsOfEvent(ctx, ev.ID)
	if err != nil {
		return uiEventRow{}, err
	}
	row := uiEventRow{ID: ev.ID, Name: ev.Name, ReceivedAt: ev.ReceivedAt, JSON: ev.Envelope, Runs: runs, Skips: skips[ev.ID]}
	row.Why = s.whyNoRun(ev.Name, row.Runs, row.Skips)
	return row, nil
}

// openWaits judges the first uiOpenWaitsShown waits open now for ev's name
// (by run and step) against ev, and counts the others.
func (s *uiServer) openWaits(ctx context.Context, ev store.Event) ([]uiOpenWait, int, error) {
	var waits []store.Wait
	started := map[string]time.Time{}
	steps := map[string]string{}
	err := s.m.Store().View(ctx, func(tx store.Tx) error {
		var err error
		if waits, err = tx.WaitsForEvent(ctx, ev.Name); err != nil {
			return err
		}
		store.SortWaits(waits)
		for _, w := range waits[:min(len(waits), uiOpenWaitsShown)] {
			if strings.HasPrefix(w.StepKey, journal.CancelPrefix) {
				continue
			}
			st, err := tx.GetStep(ctx, w.RunID, w.StepKey)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			started[w.RunID+"\x00"+w.StepKey], steps[w.RunID+"\x00"+w.StepKey] = st.StartedAt, st.ID
		}
		return nil
	})
	if err != nil || len(waits) == 0 {
		return nil, 0, err
	}
	more := max(0, len(waits)-uiOpenWaitsShown)
	waits = waits[:len(waits)-more]
	matches, err := s.m.MatchWaits(ev, waits)
	if err != nil {
		return nil, 0, err
	}
	now := s.m.Now()
	out := make([]uiOpenWait, 0, len(waits))
	for i, w := range waits {
		k := w.RunID + "\x00" + w.StepKey
		watch := strings.HasPrefix(w.StepKey, journal.CancelPrefix)
		ow := uiOpenWait{RunID: w.RunID, Step: steps[k], If: w.If, Expires: w.ExpiresAt}
		m := matches[i]
		// In the order dispatch decides: a wait or Cancel watch past its
		// timeout is resolved by no event (a wait's run records the
		// timeout when it next executes).
		switch {
		case m.Err != nil:
			ow.Why = "It cannot be judged: " + m.Err.Error()
		case watch && now.After(w.ExpiresAt):
			ow.Why = "It expired at " + uiTime(w.ExpiresAt) + ": this Cancel watch no longer cancels its run."
		case now.After(w.ExpiresAt):
			ow.Why = "It timed out at " + uiTime(w.ExpiresAt) + ": no event resolves it; its run records the timeout when it next executes."
		case m.EvalErr != nil:
			ow.Why = "Its If expression failed on this event: " + m.EvalErr.Error()
		case !m.Matches:
			ow.Why = "Its If expression is false for this event."
		case started[k].After(ev.ReceivedAt):
			ow.Why = "It matches, but it began after this event was received: only later events (or its Lookback) resolve it."
		case watch:
			ow.Matches = true
			ow.Why = "It matches: this Cancel watch cancels its run when such an event arrives after the run was created."
		default:
			ow.Matches = true
			ow.Why = "It matches."
		}
		out = append(out, ow)
	}
	return out, more, nil
}

// ListEvents lists the events of st that f selects, on stores whose
// transactions are a store.EventLister.
func ListEvents(ctx context.Context, st store.Store, f store.EventFilter) ([]store.Event, error) {
	var out []store.Event
	err := st.View(ctx, func(tx store.Tx) error {
		l, ok := tx.(store.EventLister)
		if !ok {
			return fmt.Errorf("runtime: ui: the store's transactions (%T) cannot list events (store.EventLister)", tx)
		}
		var err error
		out, err = l.ListEvents(ctx, f)
		return err
	})
	return out, err
}

// runsOfEvent lists the runs whose first event is id.
func (s *uiServer) runsOfEvent(ctx context.Context, id string) ([]httpapi.Run, error) {
	return s.listRuns(ctx, RunFilter{EventID: id, Limit: 20})
}

// uiSkipScan bounds the durable/function.skipped events read to say why
// an event started no run.
const uiSkipScan = 500

// skips maps event IDs to the messages of the latest
// durable/function.skipped events about them.
func (s *uiServer) skips(ctx context.Context) (map[string][]string, error) {
	list, err := s.m.Skips(ctx, uiSkipScan)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, sk := range list {
		_, id := envelopeHeader(sk.Event)
		out[id] = append(out[id], sk.FunctionID+": "+sk.Why)
	}
	return out, nil
}

// whyNoRun says why an event of this name started no run, from what the
// engine records: no function triggers on it, or every trigger has a
// condition. Runs that flow control skipped are listed as runs (status
// skipped, with the reason).
func (s *uiServer) whyNoRun(name string, runs []httpapi.Run, skips []string) string {
	if len(runs) > 0 || len(skips) > 0 {
		return ""
	}
	var triggered, waited bool
	var conds, collected []string
	for _, f := range s.fns {
		waited = waited || slices.Contains(f.CancelOn, name)
		for _, t := range f.Triggers {
			if t.Cron != "" || t.Event != name {
				continue
			}
			triggered = true
			switch {
			case f.Collects:
				collected = append(collected, f.ID)
			case t.If == "":
				return "" // a run was started and deleted since (retention)
			default:
				conds = append(conds, f.ID+": "+t.If)
			}
		}
	}
	switch {
	case !triggered && waited:
		return "No function triggers on " + name + "; it may cancel runs (Cancel) or resume runs waiting for it."
	case !triggered:
		return "No function triggers on " + name + " (it may have resumed runs waiting for it)."
	case len(collected) > 0:
		// Runs are listed by their first event; a batch holds several.
		return "No run started with it; it may be in a batch or debounced run of " + strings.Join(collected, ", ") + " started by another event."
	}
	return "No trigger's condition held (" + strings.Join(conds, "; ") + ")."
}

// eventNames lists the event types this engine knows: those that trigger
// its functions and the catalogued ones.
func (s *uiServer) eventNames() []string {
	seen := map[string]bool{}
	for _, f := range s.fns {
		for _, t := range f.Triggers {
			if t.Cron == "" {
				seen[t.Event] = true
			}
		}
	}
	for name := range s.types {
		seen[name] = true
	}
	return slices.Sorted(maps.Keys(seen))
}
