package httpapi

import (
	"encoding/json"
	"time"
)

// Error is the body of every error response. Code is stable (scripts may
// branch on it); Message is for people.
type Error struct {
	// Status repeats the HTTP status code (as Inngest's responses do).
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"error"`
	// Problems lists what is wrong with an ingest body, at most
	// MaxProblems of them; ProblemsTotal counts them all.
	Problems      []Problem `json:"problems,omitempty"`
	ProblemsTotal int       `json:"problems_total,omitempty"`
}

// MaxProblems bounds the problems an error response lists.
const MaxProblems = 100

// Error codes.
const (
	CodeInvalidJSON       = "invalid_json"        // the body is not JSON (see the problem's offset)
	CodeInvalidEvents     = "invalid_events"      // events break the envelope's rules, a limit or their schema
	CodeInvalidRequest    = "invalid_request"     // a query parameter or body field is wrong
	CodeBodyTooLarge      = "body_too_large"      // over HTTPOptions.MaxBodyBytes
	CodeTooManyEvents     = "too_many_events"     // over HTTPOptions.MaxBatchEvents
	CodeBodyTimeout       = "body_timeout"        // the body arrived too slowly
	CodeInvalidEventKey   = "invalid_event_key"   // unknown key in /e/{key}
	CodeInvalidSignature  = "invalid_signature"   // webhook signature missing, stale or wrong
	CodeUnauthorized      = "unauthorized"        // missing or wrong management token
	CodeForbidden         = "forbidden"           // dev mode without keys, from a non-loopback address
	CodeRateLimited       = "rate_limited"        // over HTTPOptions.RateLimit; see Retry-After
	CodeNotFound          = "not_found"           // no such route, run, event or function
	CodeMethodNotAllowed  = "method_not_allowed"  // see the Allow header
	CodeConflict          = "conflict"            // the operation does not apply to the resource's state
	CodeNotConfigured     = "http_not_configured" // the engine was given no Options.HTTP
	CodeUnavailable       = "unavailable"         // the store or the engine is not ready
	CodeInternal          = "internal"            // anything else; the server logs it
	CodeUnsupportedMedia  = "unsupported_media_type"
	CodeNotAcceptableBody = "invalid_body" // a management request body that is not the expected JSON
)

// Problem is one thing wrong with an ingest body.
type Problem struct {
	// Index is the position of the event in the batch (0 for a single
	// event), absent for a problem of the body as a whole.
	Index *int `json:"index,omitempty"`
	// Pointer is the JSON pointer (RFC 6901) of the offending value in the
	// request body, such as /3/data/amount.
	Pointer string `json:"pointer,omitempty"`
	// Offset is the byte offset of a JSON syntax error, with its line and
	// column (from 1).
	Offset *int64 `json:"offset,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	// Message says what is wrong.
	Message string `json:"message"`
}

// SendResponse answers POST /e/{key}: the IDs of the events, in the order
// sent (an event sent with an ID already stored keeps it, and starts
// nothing again).
type SendResponse struct {
	IDs    []string `json:"ids"`
	Status int      `json:"status"`
}

// Function describes a registered function.
type Function struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Triggers []Trigger `json:"triggers"`
	Paused   bool      `json:"paused"`
	// PausedSince is when the pause began.
	PausedSince *time.Time `json:"paused_since,omitempty"`
}

// Trigger is an event trigger (Event, If) or a cron schedule (Cron).
type Trigger struct {
	Event string `json:"event,omitempty"`
	If    string `json:"if,omitempty"`
	Cron  string `json:"cron,omitempty"`
}

// FunctionList answers GET /api/v1/functions.
type FunctionList struct {
	Functions []Function `json:"functions"`
}

// Event is a stored event.
type Event struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	TS         int64           `json:"ts"`
	ReceivedAt time.Time       `json:"received_at"`
	Envelope   json.RawMessage `json:"envelope"`
}

// Run describes a run; Steps is set only by GET /api/v1/runs/{id}.
type Run struct {
	ID         string            `json:"id"`
	FunctionID string            `json:"function_id"`
	Status     string            `json:"status"`
	Attempt    int               `json:"attempt"`
	Events     []json.RawMessage `json:"events"`
	Output     json.RawMessage   `json:"output,omitempty"`
	Error      string            `json:"error,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	StartedAt  *time.Time        `json:"started_at,omitempty"`
	EndedAt    *time.Time        `json:"ended_at,omitempty"`
	// Lineage: the run that invoked this one, the runs it invoked (in
	// GET /api/v1/runs/{id} only), the run it reruns and from which step,
	// and its latest rerun.
	ParentRunID   string   `json:"parent_run_id,omitempty"`
	Invoked       []string `json:"invoked,omitempty"`
	RerunOf       string   `json:"rerun_of,omitempty"`
	RerunFromStep string   `json:"rerun_from_step,omitempty"`
	RerunBy       string   `json:"rerun_by,omitempty"`
	Steps         []Step   `json:"steps,omitempty"`
}

// Step is one step of a run's journal.
type Step struct {
	ID        string          `json:"id"`
	Key       string          `json:"key"`
	Kind      string          `json:"kind"`
	Status    string          `json:"status"`
	Output    json.RawMessage `json:"output,omitempty"`
	Error     string          `json:"error,omitempty"`
	Attempts  int             `json:"attempts"`
	StartedAt time.Time       `json:"started_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	WakeAt    *time.Time      `json:"wake_at,omitempty"`
}

// RunList answers GET /api/v1/runs. NextCursor, when set, is the cursor
// of the next page.
type RunList struct {
	Runs       []Run  `json:"runs"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// RerunRequest is the body of POST /api/v1/runs/{id}/rerun (optional).
type RerunRequest struct {
	// FromStep is the step to rerun from (its ID, or its key for a later
	// occurrence); the steps before it keep their recorded results.
	FromStep string `json:"from_step,omitempty"`
}

// RerunResponse answers POST /api/v1/runs/{id}/rerun.
type RerunResponse struct {
	RunID string `json:"run_id"`
}

// BulkRequest is the body of POST /api/v1/runs/cancel and
// /api/v1/runs/rerun: the runs to act on. At least one field is required.
type BulkRequest struct {
	FunctionID string   `json:"function_id,omitempty"`
	Statuses   []string `json:"statuses,omitempty"`
	// Since <= created_at < Until.
	Since *time.Time `json:"since,omitempty"`
	Until *time.Time `json:"until,omitempty"`
	// If is a CEL expression over `event`, the run's first event.
	If string `json:"if,omitempty"`
}

// BulkResponse says how many runs a bulk operation touched.
type BulkResponse struct {
	Count int `json:"count"`
}

// ResumeRequest is the body of POST /api/v1/functions/{id}/resume
// (optional).
type ResumeRequest struct {
	// SkipHeld skips the runs of the events that arrived during the pause
	// instead of starting them.
	SkipHeld bool `json:"skip_held,omitempty"`
}

// PauseResponse answers pause and resume: the function's state, and for
// resume how many held runs were started or skipped.
type PauseResponse struct {
	Function Function `json:"function"`
	Held     int      `json:"held,omitempty"`
}

// Health answers /healthz and /readyz.
type Health struct {
	Status string `json:"status"`
	// Reason says why the engine is not ready.
	Reason string `json:"reason,omitempty"`
}
