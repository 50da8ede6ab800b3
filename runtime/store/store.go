// Package store defines what the engine needs from a database. It is the only
// place that knows the shape of the data; the sqlite package implements it
// (embedded, the default) and the storetest package is the conformance suite
// every implementation must pass.
//
// The engine composes its operations inside Update, so that what must happen
// together (commit a step and the events it sends and the runs they start)
// commits in one transaction. Implementations may run several Updates in
// one database transaction (group commit), each isolated by a savepoint.
package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"
)

// Store is a database of events, runs, steps and waits.
type Store interface {
	// Update runs fn in a read-write transaction. If fn returns an error,
	// nothing it did is kept and Update returns that error. fn must only use
	// tx and must not block on anything but tx: implementations may run
	// several fns one after another in one transaction. For the same reason
	// fn may be called more than once (when another fn of its group fails,
	// the group is run again): besides tx, it may only set its results.
	Update(ctx context.Context, fn func(tx Tx) error) error
	// View runs fn with a read-only view of the data.
	View(ctx context.Context, fn func(tx Tx) error) error
	// Close releases the store. Updates after Close fail with ErrClosed.
	Close() error
}

// Tx is what Update and View give fn. Times are stored with nanosecond
// precision; zero times are stored as NULL and read back as zero.
type Tx interface {
	// InsertEvent stores ev unless an event with its ID exists; it reports
	// whether it stored it.
	InsertEvent(ctx context.Context, ev Event) (bool, error)
	GetEvent(ctx context.Context, id string) (Event, error)
	// EventsByName returns up to p.Limit events named p.Name received at
	// or after p.ReceivedFrom, oldest first (by receipt, then ID); with
	// p.AfterID set, only those after the event (p.ReceivedFrom, p.AfterID),
	// so that the last event of a page is the cursor of the next. Waits
	// with a lookback read it through an index on (name, received_at, id).
	EventsByName(ctx context.Context, p EventsByNameParams) ([]Event, error)

	InsertRun(ctx context.Context, r Run) error
	GetRun(ctx context.Context, id string) (Run, error)
	ListRuns(ctx context.Context, f RunFilter) ([]Run, error)
	// UpdateRun applies u to run id if cond holds and reports whether it did.
	// A run whose status changes from running gives back its concurrency
	// slots (and the oldest run blocked on each key is requeued).
	UpdateRun(ctx context.Context, id string, cond RunCond, u RunUpdate) (bool, error)
	// ClaimRuns leases up to limit runs that are queued, sleeping or waiting
	// and available at or before now, oldest first: they become running,
	// owned by owner until leaseUntil. A run with Limits takes a slot of each
	// of its keys; a run for which a key has no free slot becomes blocked on
	// that key instead. When a slot frees up, the oldest run blocked on its
	// key is requeued holding it, so runs of a key start in order.
	ClaimRuns(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]Run, error)
	// TakeSlots takes a slot of each key of limits for run runID if every
	// key has one free, and nothing otherwise; it reports which. Used to
	// start a new run at once: a run inserted as running holds the slots
	// taken for it this way (InsertRun takes none).
	TakeSlots(ctx context.Context, runID string, limits []Limit) (bool, error)
	// RenewLeases extends every lease owner holds on a running run.
	RenewLeases(ctx context.Context, owner string, leaseUntil time.Time) (int, error)
	// ReleaseExpired requeues running runs whose lease ended before now,
	// counting an interruption for each,
	// except those of exceptOwner (a process never expires its own leases:
	// it is alive, and a virtual clock may jump past them).
	ReleaseExpired(ctx context.Context, now time.Time, exceptOwner string) (int, error)
	// OwnsRun reports whether run id is running under a lease of owner; the
	// engine checks it in every commit so that a run cancelled or taken over
	// in the meantime commits nothing more.
	OwnsRun(ctx context.Context, id, owner string) (bool, error)
	// NextAvailable is the earliest available_at of a claimable run.
	NextAvailable(ctx context.Context) (time.Time, bool, error)

	// PutStep inserts or replaces the step (RunID, Key).
	PutStep(ctx context.Context, s Step) error
	// PutOwnedStep is PutStep if run s.RunID is running under a lease of
	// owner (as OwnsRun), and nothing otherwise; it reports which.
	PutOwnedStep(ctx context.Context, s Step, owner string) (bool, error)
	GetStep(ctx context.Context, runID, key string) (Step, error)
	// ListSteps returns a run's steps in the order they were first recorded.
	ListSteps(ctx context.Context, runID string) ([]Step, error)

	InsertWait(ctx context.Context, w Wait) error
	// DeleteWait deletes one wait and reports whether it existed; whoever
	// deletes a wait owns its resolution.
	DeleteWait(ctx context.Context, runID, stepKey string) (bool, error)
	DeleteRunWaits(ctx context.Context, runID string) error
	WaitsForEvent(ctx context.Context, name string) ([]Wait, error)
	// MatchWaits returns the waits for event p.EventName that the event may
	// complete: those without a MatchPath, and those whose MatchKey is
	// p.KeyOf(MatchPath). It finds keyed waits through an index on
	// (event name, path, key): an event reads only the waits of its key.
	MatchWaits(ctx context.Context, p MatchWaitsParams) ([]Wait, error)
	WaitsForChild(ctx context.Context, childRunID string) ([]Wait, error)

	// GetState and PutState keep small values that must outlive a process
	// (cron cursors, flow-control windows).
	GetState(ctx context.Context, key string) ([]byte, error)
	PutState(ctx context.Context, key string, value []byte) error
	// PutExpiringState is PutState for a value that means nothing after
	// p.ExpiresAt (an idempotency key, a rate window): DeleteExpiredState
	// may delete it then. PutState clears the expiry.
	PutExpiringState(ctx context.Context, p PutStateParams) error

	// Retention. Each deletes at most its params' Limit rows, oldest
	// first, so that a caller bounds how long one transaction holds the
	// writer; it reports how many it deleted.

	// DeleteFinishedRuns deletes runs in one of p.Statuses (terminal ones)
	// that ended before p.EndedBefore, with their steps and waits.
	DeleteFinishedRuns(ctx context.Context, p DeleteRunsParams) (int, error)
	// DeleteEvents deletes events received before p.ReceivedBefore that
	// no live run may hold: none received at or after the creation of the
	// oldest run that is not over (a run's events arrive at its creation
	// or later; a rerun's are older, but it holds copies of them in its
	// Events). A deleted event's ID may be sent again.
	DeleteEvents(ctx context.Context, p DeleteEventsParams) (int, error)
	// DeleteExpiredState deletes state whose expiry is before p.Now.
	DeleteExpiredState(ctx context.Context, p DeleteStateParams) (int, error)

	// Pausing a function. While a function is paused, ClaimRuns claims
	// none of its runs that never started (StartedAt zero): each it finds
	// due becomes StatusPaused instead, giving back any slot it holds.
	// Runs that started go on. The pause is state in the store: every
	// process sharing it sees it.

	// PauseFunction pauses p.FunctionID since p.At and reports whether it
	// was not paused already (a second pause keeps the first's time).
	PauseFunction(ctx context.Context, p PauseParams) (bool, error)
	// ResumeFunction ends the pause of p.FunctionID. With p.Skip, the
	// runs created since the pause began that never started (held, or not
	// due yet, or not claimed yet) become skipped, ending at p.At with
	// p.Reason as their error, and give back their slots. The other runs
	// the pause held (StatusPaused) become queued again, due when they
	// were. Resuming a function that is not paused changes nothing.
	ResumeFunction(ctx context.Context, p ResumeParams) (ResumeResult, error)
	// ListPaused returns the paused functions, by function ID.
	ListPaused(ctx context.Context) ([]PausedFunction, error)
	// InsertStartedRun inserts p.Run, a run started at once by its engine
	// (running, leased, StartedAt set), unless its function is paused:
	// then it inserts the run queued and never started instead (no lease,
	// no StartedAt, Deadline p.HeldDeadline), for a claim to hold, and
	// gives back the slots taken for it (TakeSlots). It reports whether
	// it inserted p.Run as given. One statement where the store can: the
	// check costs no round trip of its own.
	InsertStartedRun(ctx context.Context, p StartRunParams) (bool, error)
}

// StartRunParams is a run to insert started, unless its function is paused.
type StartRunParams struct {
	Run Run
	// HeldDeadline is the run's Deadline if it is inserted queued instead.
	HeldDeadline time.Time
}

// PauseParams pauses a function.
type PauseParams struct {
	FunctionID string
	At         time.Time
}

// ResumeParams ends a function's pause.
type ResumeParams struct {
	FunctionID string
	// Skip skips the runs the pause held instead of starting them.
	Skip bool
	// At and Reason are the end and the error of the runs skipped.
	At     time.Time
	Reason string
}

// ResumeResult says what ResumeFunction did.
type ResumeResult struct {
	// WasPaused says the function was paused.
	WasPaused bool
	// Queued lists the held runs it queued again, Skipped the runs it
	// skipped.
	Queued  []string
	Skipped []string
}

// PausedFunction is a paused function and when its pause began.
type PausedFunction struct {
	FunctionID string
	Since      time.Time
}

// PutStateParams is a state value with an expiry.
type PutStateParams struct {
	Key       string
	Value     []byte
	ExpiresAt time.Time
}

// EventsByNameParams selects a page of the events of one name.
type EventsByNameParams struct {
	Name         string
	ReceivedFrom time.Time
	AfterID      string
	Limit        int
}

// DeleteRunsParams selects finished runs to delete.
type DeleteRunsParams struct {
	Statuses    []Status
	EndedBefore time.Time
	Limit       int
}

// DeleteEventsParams selects events to delete.
type DeleteEventsParams struct {
	ReceivedBefore time.Time
	Limit          int
}

// DeleteStateParams selects expired state to delete.
type DeleteStateParams struct {
	Now   time.Time
	Limit int
}

// JournalClaimer is implemented by the Tx of stores that can claim runs
// together with their journals in one transaction, so that a claimed run
// that resumes (woken from a sleep or a wait, or retried) starts without
// reading its steps in a transaction of its own. The engine uses it when
// the Tx has it, and ClaimRuns then ListSteps otherwise.
type JournalClaimer interface {
	// ClaimRunsWithJournals is ClaimRuns(p.Owner, p.Now, p.LeaseUntil,
	// p.Limit), each run returned with its journal.
	ClaimRunsWithJournals(ctx context.Context, p ClaimParams) ([]ClaimedRun, error)
}

// EventMatcher is implemented by the Tx of stores that can store an event
// and find the waits it may complete in one round trip. The engine uses it
// when no function that the event starts can insert waits for it (a
// cancellation on the event that started the run): then the waits are the
// same before and after the event's runs are admitted.
type EventMatcher interface {
	// InsertEventMatchWaits is InsertEvent(ev) and, if that stored ev,
	// MatchWaits(p); it reports whether it stored ev, and no waits if not.
	InsertEventMatchWaits(ctx context.Context, ev Event, p MatchWaitsParams) (inserted bool, waits []Wait, err error)
}

// ClaimParams is a claim of due runs (see ClaimRuns).
type ClaimParams struct {
	Owner      string
	Now        time.Time
	LeaseUntil time.Time
	Limit      int
}

// ClaimedRun is a run a claim leased, with its journal.
type ClaimedRun struct {
	Run Run
	// Steps are the run's steps as ListSteps returns them (not nil, even
	// when it has none), or nil when the claim did not read them: a run
	// that never started and is no rerun from a step has none
	// (FreshJournal), and the engine reads the others' itself.
	Steps []Step
}

// RunClaimer is implemented by stores that claim runs in fewer round
// trips outside a transaction of the caller's than in one (PostgreSQL: one
// statement in its own implicit transaction, where a transaction costs a
// BEGIN and a COMMIT more). The engine claims through it when the store
// has it, and through Update otherwise.
type RunClaimer interface {
	// ClaimRunBatch claims the runs a transaction's ClaimRuns would (in
	// another order, perhaps) and commits the claim, returning the runs
	// with their journals where it read them. With an error it still
	// returns the runs it claimed: they are leased to p.Owner.
	ClaimRunBatch(ctx context.Context, p ClaimParams) ([]ClaimedRun, error)
}

// FreshJournal reports whether r has an empty journal without reading it:
// it never started and is no rerun from a step (which keeps the steps
// before it).
func FreshJournal(r Run) bool { return r.StartedAt.IsZero() && r.RerunFromStep == "" }

// Notifier is implemented by stores that several processes share: Wakeups
// receives a value (coalesced, at most one pending) when any process
// commits a transaction that made a run claimable or changed when one
// becomes due. It is a hint: the engine still polls, less often.
type Notifier interface {
	Wakeups() <-chan struct{}
}

// ConcurrentWriters is implemented by stores whose Update transactions run
// side by side rather than one after another (PostgreSQL): the engine then
// does no read of its own before an Update to keep work out of a single
// writer, as each such read costs round trips and saves nothing.
type ConcurrentWriters interface {
	ConcurrentWriters()
}

// ErrNotFound is returned for a missing event, run, step or state key.
var ErrNotFound = errors.New("not found")

// ErrClosed is returned by a closed store.
var ErrClosed = errors.New("store is closed")

// Event is a stored event.
type Event struct {
	ID   string
	Name string
	// TS is the event's timestamp in milliseconds since the Unix epoch.
	TS         int64
	Envelope   json.RawMessage
	ReceivedAt time.Time
}

// Status is the state of a run.
type Status string

const (
	StatusQueued    Status = "queued"
	StatusRunning   Status = "running"
	StatusSleeping  Status = "sleeping"
	StatusWaiting   Status = "waiting"
	StatusCompleted Status = "completed"
	StatusFailed    Status = "failed"
	StatusCancelled Status = "cancelled"
	// StatusBlocked: due, but over a concurrency limit; requeued when a slot
	// of its key frees up.
	StatusBlocked Status = "blocked"
	// StatusSkipped: flow control (idempotency, rate limit, singleton)
	// decided not to run it; Error says why.
	StatusSkipped Status = "skipped"
	// StatusPaused: due, never started, and held by a pause of its
	// function (see PauseFunction) until the function resumes.
	StatusPaused Status = "paused"
)

// Terminal reports whether a run in this status is over.
func (s Status) Terminal() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCancelled || s == StatusSkipped
}

// Limit is one concurrency limit a run is subject to: at most Limit running
// runs hold a slot of Key at once.
type Limit struct {
	Key   string `json:"key"`
	Limit int    `json:"limit"`
}

// Run is one execution of a function.
type Run struct {
	ID         string
	FunctionID string
	Status     Status
	// Events is the JSON array of the envelopes of the run's events.
	Events      json.RawMessage
	Attempt     int
	CreatedAt   time.Time
	StartedAt   time.Time
	EndedAt     time.Time
	AvailableAt time.Time
	LeaseOwner  string
	LeaseUntil  time.Time
	Output      json.RawMessage
	Error       string
	// ParentRunID and ParentStepKey name the step.Invoke that started the run.
	ParentRunID   string
	ParentStepKey string
	// Deadline is when the run is cancelled if not finished (Timeouts).
	Deadline time.Time
	// Limits are the concurrency limits the run is subject to.
	Limits []Limit
	// BlockedOn is the concurrency key a blocked run waits for.
	BlockedOn string
	// Interrupted counts the times the run was requeued from a process that
	// died while running it (ReleaseExpired, or a store reopened after a
	// crash), since the engine last recorded those lost attempts.
	Interrupted int
	// RerunOf is the run this one reruns, RerunFromStep the key of the
	// step it reran from ("": from the start). The steps of RerunOf
	// recorded before that step are copied into this run's journal.
	RerunOf       string
	RerunFromStep string
	// RerunBy is the latest rerun of this run.
	RerunBy string
}

// FirstEventID returns the ID of the first envelope of a run's Events (a
// JSON array of envelopes), or "" when it has none; stores index runs by
// it for RunFilter.EventID.
func FirstEventID(events json.RawMessage) string {
	dec := json.NewDecoder(bytes.NewReader(events))
	// Only the first element is decoded: a batch's array may be long.
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') || !dec.More() {
		return ""
	}
	var first struct {
		ID string `json:"id"`
	}
	if dec.Decode(&first) != nil {
		return ""
	}
	return first.ID
}

// RunCond restricts UpdateRun. Empty fields do not restrict.
type RunCond struct {
	Owner    string
	Statuses []Status
	// NotRerun: the run has no RerunBy (nobody reran it yet).
	NotRerun bool
}

// RunUpdate lists what UpdateRun changes; nil fields are left alone.
type RunUpdate struct {
	Status      *Status
	Attempt     *int
	StartedAt   *time.Time
	EndedAt     *time.Time
	AvailableAt *time.Time
	// ClearLease drops the lease (owner and expiry).
	ClearLease bool
	Output     json.RawMessage
	Error      *string
	Deadline   *time.Time
	// Events replaces the run's events (debounce, batches).
	Events json.RawMessage
	// Interrupted sets the count of interruptions not yet recorded.
	Interrupted *int
	// RerunBy records the latest rerun of the run.
	RerunBy *string
}

// RunFilter selects runs for ListRuns, newest first: by CreatedAt, then
// by ID, descending. Empty fields do not restrict.
type RunFilter struct {
	FunctionID string
	Statuses   []Status
	Limit      int
	// CreatedFrom <= CreatedAt < CreatedBefore.
	CreatedFrom   time.Time
	CreatedBefore time.Time
	// EventID selects the runs whose first event has this ID.
	EventID string
	// ParentRunID selects the runs that run started with step.Invoke.
	ParentRunID string
	// NotRerun selects the runs that have no RerunBy.
	NotRerun bool
	// After continues a listing: only the runs after this position in
	// the order are listed.
	After *RunPos
}

// RunPos is a run's position in ListRuns' order.
type RunPos struct {
	CreatedAt time.Time
	ID        string
}

// StepStatus is the state of a step.
type StepStatus string

const (
	StepCompleted StepStatus = "completed"
	StepFailed    StepStatus = "failed"
	// StepRetrying: an attempt failed and another is due at WakeAt.
	StepRetrying StepStatus = "retrying"
	// StepSleeping: a sleep until WakeAt.
	StepSleeping StepStatus = "sleeping"
	// StepWaiting: a wait for an event or an invoked run, until WakeAt.
	StepWaiting StepStatus = "waiting"
	// StepStarted: an attempt of the step's function began (it is counted
	// in Attempts) and its outcome is not recorded yet. The engine records
	// it before the function of a step of a parallel branch runs, so that
	// an attempt cut short by a crash is counted; the next execution runs
	// the step again. Stores keep it like any other status: PutStep and
	// PutOwnedStep later replace it with the outcome, and the step keeps
	// its place in ListSteps.
	StepStarted StepStatus = "started"
)

// Step is one entry of a run's journal.
type Step struct {
	RunID string
	// Key identifies the step in its run: scope, ID and occurrence.
	Key string
	// ID is the ID the function gave the step.
	ID string
	// Scope is "" for top-level steps and names the branch of step.Parallel.
	Scope string
	// Pos is the step's position within its scope.
	Pos      int
	Kind     string
	Status   StepStatus
	Output   json.RawMessage
	Error    string
	Attempts int
	WakeAt   time.Time
	// StartedAt is when the step was first reached, UpdatedAt when it last changed.
	StartedAt time.Time
	UpdatedAt time.Time
}

// Wait is a run waiting for an event or for an invoked run.
type Wait struct {
	RunID   string
	StepKey string
	// EventName and If select the awaited event; Trigger is the waiting run's
	// triggering envelope, `event` in If.
	EventName string
	If        string
	Trigger   json.RawMessage
	// ChildRunID is set for invokes.
	ChildRunID string
	ExpiresAt  time.Time
	// MatchPath and MatchKey are set when If has the shape
	// `async.<path> == event.<path>`: MatchPath is the awaited event's
	// path ("data.order_id"), MatchKey the canonical JSON of the value
	// it must have there, taken from Trigger when the wait was created.
	MatchPath string
	MatchKey  string
}

// SortWaits orders waits by run and step key, the order stores return
// them in.
func SortWaits(ws []Wait) {
	slices.SortFunc(ws, func(a, b Wait) int {
		return cmp.Or(cmp.Compare(a.RunID, b.RunID), cmp.Compare(a.StepKey, b.StepKey))
	})
}

// MatchWaitsParams selects the waits an event may complete.
type MatchWaitsParams struct {
	EventName string
	// KeyOf returns the canonical JSON of the event's value at path, and
	// false when it has none there (then no wait keyed on path matches).
	KeyOf func(path string) (string, bool)
}
