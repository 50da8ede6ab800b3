package durabletest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
)

// Result is what a run did: its status, output or error, and its journal
// of steps, with the other runs of the test (invoked functions, OnFailure
// handlers, functions triggered by sent events) reachable through RunOf.
//
// The Assert methods report a failure with t.Errorf, naming the run, the
// step, what was expected and what happened, and return whether the
// assertion held.
type Result struct {
	info   runtime.RunInfo
	found  bool
	fnID   string
	shared *shared
}

type shared struct {
	runs        []runtime.RunInfo // oldest first
	sent        []SentEvent
	invocations []Invocation
	delivered   []Delivery
	start, end  time.Time
}

// SentEvent is an event a step.SendEvent sent.
type SentEvent struct {
	// RunID and StepID name the run and the step that sent it.
	RunID  string
	StepID string
	Name   string
	// Data is the event's data as JSON.
	Data json.RawMessage
	ID   string
	TS   int64
	V    string
	// Envelope is the whole event; runtime.DecodeEvent decodes it.
	Envelope json.RawMessage
}

// Invocation is a step.Invoke that MockInvoke answered.
type Invocation struct {
	RunID, StepID, FunctionID string
	// Data is the data the invoked function would have received, as JSON.
	Data json.RawMessage
}

// Delivery is an event given with DeliverEvent or DeliverNonMatchingEvent,
// as it was sent to a waiting run.
type Delivery struct {
	RunID, StepID string
	Event         runtime.Event
	// Matched reports whether the event resolved the wait.
	Matched bool
}

// Info returns the run with its steps, as Engine.Run reports it.
func (r *Result) Info() runtime.RunInfo { return r.info }

// Found reports whether the run exists; RunOf returns a Result that does
// not when the function has no run, and its assertions fail.
func (r *Result) Found() bool { return r.found }

// ID is the run's ID.
func (r *Result) ID() string { return r.info.ID }

// Status is the run's final status: runtime.RunCompleted, RunFailed or
// RunCancelled, or the status it had when the test gave up on it.
func (r *Result) Status() runtime.RunStatus { return r.info.Status }

// Output is the run's output as JSON (nil unless it completed). Output[T]
// decodes it.
func (r *Result) Output() json.RawMessage { return r.info.Output }

// Err is the run's error: nil for a completed run, the recorded error
// otherwise.
func (r *Result) Err() error {
	switch {
	case !r.found:
		return fmt.Errorf("function %q has no run", r.fnID)
	case r.info.Status == runtime.RunCompleted:
		return nil
	case r.info.Error != "":
		return errors.New(r.info.Error)
	}
	return fmt.Errorf("run %s is %s", r.info.ID, r.info.Status)
}

// Steps are the run's steps in the order the function first reached them.
func (r *Result) Steps() []runtime.StepInfo { return r.info.Steps }

// Step returns the first step with this ID.
func (r *Result) Step(id string) (runtime.StepInfo, bool) {
	for _, s := range r.info.Steps {
		if s.ID == id {
			return s, true
		}
	}
	return runtime.StepInfo{}, false
}

// Runs lists every run of the test, oldest first: the tested run, the runs
// of invoked functions and OnFailure handlers, and runs started by events.
func (r *Result) Runs() []runtime.RunInfo { return append([]runtime.RunInfo(nil), r.shared.runs...) }

// RunOf returns the first run of the function with this ID, such as an
// invoked function given to With, or one triggered by a sent event.
func (r *Result) RunOf(functionID string) *Result {
	for _, info := range r.shared.runs {
		if info.FunctionID == functionID {
			return &Result{info: info, found: true, fnID: functionID, shared: r.shared}
		}
	}
	return &Result{fnID: functionID, shared: r.shared}
}

// OnFailure returns the run of the function's OnFailure handler.
func (r *Result) OnFailure() *Result { return r.RunOf(r.fnID + "/on-failure") }

// Sent returns the events sent by step.SendEvent in every run of the test,
// in the order they were sent.
func (r *Result) Sent() []SentEvent { return append([]SentEvent(nil), r.shared.sent...) }

// Invocations returns the step.Invoke calls MockInvoke answered, in order.
func (r *Result) Invocations() []Invocation {
	return append([]Invocation(nil), r.shared.invocations...)
}

// Deliveries returns the events sent to waiting runs, in order.
func (r *Result) Deliveries() []Delivery { return append([]Delivery(nil), r.shared.delivered...) }

// Elapsed is how far virtual time moved during the test.
func (r *Result) Elapsed() time.Duration { return r.shared.end.Sub(r.shared.start) }

// Output decodes the run's output into T; it fails the test (t.Fatalf) if
// the run did not complete or the output does not decode.
func Output[T any](t testing.TB, r *Result) T {
	t.Helper()
	var v T
	if !r.found || r.info.Status != runtime.RunCompleted {
		t.Fatalf("durabletest.Output: %s", r.describe())
		return v
	}
	if err := json.Unmarshal(r.info.Output, &v); err != nil {
		t.Fatalf("durabletest.Output: output of %q, %s, does not decode into %T: %v", r.fnID, abbrev(string(r.info.Output)), v, err)
	}
	return v
}

// StepOutput decodes the output of the first step with this ID into T; it
// fails the test (t.Fatalf) if there is no such completed step.
func StepOutput[T any](t testing.TB, r *Result, id string) T {
	t.Helper()
	var v T
	s, ok := r.completedStep(t, "durabletest.StepOutput", id)
	if !ok {
		t.FailNow()
		return v
	}
	if err := json.Unmarshal(s.Output, &v); err != nil {
		t.Fatalf("durabletest.StepOutput: output of step %q, %s, does not decode into %T: %v", id, abbrev(string(s.Output)), v, err)
	}
	return v
}

// AssertCompleted checks that the run completed.
func (r *Result) AssertCompleted(t testing.TB) bool {
	t.Helper()
	if r.found && r.info.Status == runtime.RunCompleted {
		return true
	}
	t.Errorf("durabletest: want the run to complete; %s", r.describe())
	return false
}

// AssertFailed checks that the run failed with an error containing
// contains (any error when contains is empty).
func (r *Result) AssertFailed(t testing.TB, contains string) bool {
	t.Helper()
	if r.found && r.info.Status == runtime.RunFailed && strings.Contains(r.info.Error, contains) {
		return true
	}
	want := "want the run to fail"
	if contains != "" {
		want += fmt.Sprintf(" with an error containing %q", contains)
	}
	t.Errorf("durabletest: %s; %s", want, r.describe())
	return false
}

// AssertOutput checks that the run completed with an output equal to want
// once both are encoded to JSON (so a struct, a map or a json.RawMessage
// with the same fields all match).
func (r *Result) AssertOutput(t testing.TB, want any) bool {
	t.Helper()
	if !r.found || r.info.Status != runtime.RunCompleted {
		t.Errorf("durabletest: want the run to complete with output %s; %s", jsonOf(want), r.describe())
		return false
	}
	if ok, w := jsonEqual(r.info.Output, want); !ok {
		t.Errorf("durabletest: output of %q:\n   got: %s\n  want: %s", r.fnID, abbrev(string(r.info.Output)), w)
		return false
	}
	return true
}

// AssertSteps checks the IDs of the steps the run reached, in order.
func (r *Result) AssertSteps(t testing.TB, ids ...string) bool {
	t.Helper()
	got := make([]string, len(r.info.Steps))
	for i, s := range r.info.Steps {
		got[i] = s.ID
	}
	if r.found && slicesEqual(got, ids) {
		return true
	}
	t.Errorf("durabletest: steps of %q:\n   got: %s\n  want: %s\n%s", r.fnID, quoteAll(got), quoteAll(ids), r.describe())
	return false
}

// AssertStep checks that the first step with this ID completed with an
// output equal to want once both are encoded to JSON.
func (r *Result) AssertStep(t testing.TB, id string, want any) bool {
	t.Helper()
	s, ok := r.completedStep(t, "durabletest", id)
	if !ok {
		return false
	}
	if ok, w := jsonEqual(s.Output, want); !ok {
		t.Errorf("durabletest: step %q of %q:\n   got: %s\n  want: %s", id, r.fnID, abbrev(string(s.Output)), w)
		return false
	}
	return true
}

// AssertStepFailed checks that the first step with this ID failed for good
// (retries spent, a non-retriable error, or a wait that timed out), with an
// error containing contains (any error when contains is empty).
func (r *Result) AssertStepFailed(t testing.TB, id string, contains string) bool {
	t.Helper()
	s, ok := r.step(t, "durabletest", id)
	if !ok {
		return false
	}
	if s.Status == runtime.StepFailed && strings.Contains(s.Error, contains) {
		return true
	}
	want := fmt.Sprintf("want step %q to fail", id)
	if contains != "" {
		want += fmt.Sprintf(" with an error containing %q", contains)
	}
	t.Errorf("durabletest: %s; it is %s\n%s", want, describeStep(s), r.describe())
	return false
}

// AssertStepAttempts checks how many times the function of the first
// step.Run with this ID ran (mocked attempts count).
func (r *Result) AssertStepAttempts(t testing.TB, id string, attempts int) bool {
	t.Helper()
	s, ok := r.step(t, "durabletest", id)
	if !ok {
		return false
	}
	if s.Attempts == attempts {
		return true
	}
	t.Errorf("durabletest: step %q of %q ran %d time(s), want %d; it is %s", id, r.fnID, s.Attempts, attempts, describeStep(s))
	return false
}

// AssertSent checks that some step sent an event named name whose data
// equals data once both are encoded to JSON; a nil data matches any.
func (r *Result) AssertSent(t testing.TB, name string, data any) bool {
	t.Helper()
	var same []string
	for _, e := range r.shared.sent {
		if e.Name != name {
			continue
		}
		if data == nil {
			return true
		}
		ok, _ := jsonEqual(e.Data, data)
		if ok {
			return true
		}
		same = append(same, fmt.Sprintf("%s (step %q)", abbrev(string(e.Data)), e.StepID))
	}
	if len(same) > 0 {
		t.Errorf("durabletest: want an event %q with data %s; the events %q sent had:\n  %s", name, jsonOf(data), name, strings.Join(same, "\n  "))
		return false
	}
	t.Errorf("durabletest: want an event %q to be sent; sent: %s", name, r.sentNames())
	return false
}

// AssertNotSent checks that no step sent an event named name.
func (r *Result) AssertNotSent(t testing.TB, name string) bool {
	t.Helper()
	for _, e := range r.shared.sent {
		if e.Name == name {
			t.Errorf("durabletest: want no event %q; step %q of run %s sent %s", name, e.StepID, e.RunID, abbrev(string(e.Envelope)))
			return false
		}
	}
	return true
}

func (r *Result) sentNames() string {
	if len(r.shared.sent) == 0 {
		return "none"
	}
	names := make([]string, len(r.shared.sent))
	for i, e := range r.shared.sent {
		names[i] = fmt.Sprintf("%q (step %q)", e.Name, e.StepID)
	}
	return strings.Join(names, ", ")
}

func (r *Result) step(t testing.TB, who, id string) (runtime.StepInfo, bool) {
	t.Helper()
	if !r.found {
		t.Errorf("%s: step %q: %s", who, id, r.describe())
		return runtime.StepInfo{}, false
	}
	s, ok := r.Step(id)
	if !ok {
		t.Errorf("%s: the run of %q never reached step %q; steps reached: %s", who, r.fnID, id, r.stepIDs())
	}
	return s, ok
}

func (r *Result) completedStep(t testing.TB, who, id string) (runtime.StepInfo, bool) {
	t.Helper()
	s, ok := r.step(t, who, id)
	if !ok {
		return s, false
	}
	if s.Status != runtime.StepCompleted {
		t.Errorf("%s: want step %q of %q to complete; it is %s", who, id, r.fnID, describeStep(s))
		return s, false
	}
	return s, true
}

// findStep returns the first step with this ID and kind in any run.
func (r *Result) findStep(id, kind string) (runtime.StepInfo, bool) {
	for _, run := range r.shared.runs {
		for _, s := range run.Steps {
			if s.ID == id && s.Kind == kind {
				return s, true
			}
		}
	}
	return runtime.StepInfo{}, false
}

// stepIDs lists the IDs of the steps of every run.
func (r *Result) stepIDs() string {
	var ids []string
	for _, run := range r.shared.runs {
		for _, s := range run.Steps {
			id := fmt.Sprintf("%q", s.ID)
			if run.FunctionID != r.fnID {
				id += fmt.Sprintf(" (in %q)", run.FunctionID)
			}
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}

// describe summarises the run for failure messages.
func (r *Result) describe() string {
	if !r.found {
		var fns []string
		for _, run := range r.shared.runs {
			fns = append(fns, fmt.Sprintf("%q", run.FunctionID))
		}
		return fmt.Sprintf("function %q has no run (runs of: %s)", r.fnID, strings.Join(fns, ", "))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the run of %q is %s", r.fnID, r.info.Status)
	if r.info.Error != "" {
		fmt.Fprintf(&b, ": %s", r.info.Error)
	}
	if len(r.info.Output) > 0 {
		fmt.Fprintf(&b, " with output %s", abbrev(string(r.info.Output)))
	}
	if len(r.info.Steps) == 0 {
		b.WriteString("; it reached no step")
		return b.String()
	}
	b.WriteString("; steps:")
	for i, s := range r.info.Steps {
		fmt.Fprintf(&b, "\n  %d. %q (%s) %s", i+1, s.ID, s.Kind, describeStep(s))
	}
	return b.String()
}

func describeStep(s runtime.StepInfo) string {
	var b strings.Builder
	b.WriteString(string(s.Status))
	if s.Attempts > 1 || s.Status == runtime.StepFailed && s.Attempts > 0 {
		fmt.Fprintf(&b, " after %d attempts", s.Attempts)
	}
	if s.Error != "" {
		fmt.Fprintf(&b, ": %s", firstLine(s.Error))
	}
	if len(s.Output) > 0 && s.Status == runtime.StepCompleted {
		fmt.Fprintf(&b, " -> %s", abbrev(string(s.Output)))
	}
	return b.String()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

func abbrev(s string) string {
	const max = 300
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v (not JSON: %v)", v, err)
	}
	return abbrev(string(b))
}

// jsonEqual compares a recorded JSON value with want encoded to JSON. It
// returns the encoding of want for messages.
func jsonEqual(got json.RawMessage, want any) (bool, string) {
	w, err := json.Marshal(want)
	if err != nil {
		return false, fmt.Sprintf("%#v (cannot be encoded as JSON: %v)", want, err)
	}
	var g, wv any
	if err := json.Unmarshal(w, &wv); err != nil {
		return false, string(w)
	}
	if len(bytes.TrimSpace(got)) == 0 {
		got = json.RawMessage("null")
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return false, string(w)
	}
	return reflect.DeepEqual(g, wv), abbrev(string(w))
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func quoteAll(ids []string) string {
	if len(ids) == 0 {
		return "(none)"
	}
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = fmt.Sprintf("%q", id)
	}
	return strings.Join(q, ", ")
}
