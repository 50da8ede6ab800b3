package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/durable-go/durable/runtime/internal/quote"
)

// FunctionOpts configures a durable function.
type FunctionOpts struct {
	// ID identifies the function; it must be kebab-case ("charge-customer")
	// and unique among the functions given to one engine. Runs are stored
	// under it, so changing it orphans the runs in flight.
	ID string
	// Name is a human-readable name for logs and the UI; it defaults to ID.
	Name string
	// Retries is how often a failing step (or the function body outside
	// steps) is retried; nil means DefaultRetries.
	Retries *RetryPolicy
	// Timeouts cancel runs that wait too long to start or to finish.
	Timeouts Timeouts
	// OnFailure runs, as a durable function of its own (steps allowed), when
	// a run of this function fails for good.
	OnFailure Handler[FunctionFailedData]

	// Concurrency limits the runs executing a step at once, per key.
	Concurrency []Concurrency
	// Throttle limits how fast runs start; excess runs wait their turn.
	Throttle *Throttle
	// RateLimit drops triggering events over a rate; they start no run.
	RateLimit *RateLimit
	// Debounce starts one run after a quiet period, with the last event.
	Debounce *Debounce
	// BatchEvents gives one run several events.
	BatchEvents *BatchEvents
	// Idempotency is a CEL expression over `event`: a second event with the
	// same value within IdempotencyPeriod starts no run.
	Idempotency string
	// IdempotencyPeriod is how long an idempotency key holds; 0 means 24h.
	IdempotencyPeriod time.Duration
	// Cancel lists the events that cancel a run.
	Cancel []Cancel
	// Priority moves runs ahead in the queue.
	Priority *Priority
	// Singleton allows one run per key at a time.
	Singleton *Singleton
}

// Timeouts bound how long a run may take. A zero field means no bound.
type Timeouts struct {
	// Start cancels a run that has not started executing this long after it
	// was created (a queue that is too deep).
	Start time.Duration
	// Finish cancels a run that has not finished this long after it started
	// executing; sleeps and waits count.
	Finish time.Duration
}

// RetryPolicy says how often and how fast a failing step is retried.
type RetryPolicy struct {
	// Attempts after the first one; 0 means no retry.
	Retries int
	// MinBackoff and MaxBackoff bound the exponential backoff between
	// attempts (with full jitter). Zero values take 1s and 10m.
	MinBackoff, MaxBackoff time.Duration
}

// DefaultRetries is the retry count of a function whose Retries is nil.
const DefaultRetries = 3

// Retries is a retry policy of n retries with the default backoff.
func Retries(n int) *RetryPolicy { return &RetryPolicy{Retries: n} }

// Handler is the body of a durable function. The value it returns is the run's
// output; it must encode to JSON.
type Handler[T any] func(ctx context.Context, in Input[T]) (any, error)

// Input is what a run of a function receives.
type Input[T any] struct {
	// Event is the event that triggered the run.
	Event TypedEvent[T]
	// Events holds every event of the run (one, unless batched).
	Events []TypedEvent[T]
	// RunID identifies the run.
	RunID string
	// Attempt counts the times this run was retried after the function body
	// itself (not a step) returned an error; 0 on the first attempt.
	Attempt int
}

// Function is a durable function: options, triggers and a handler. Create one
// with NewFunction, at package level, and give it to an engine through
// Options.Functions.
type Function struct {
	opts     FunctionOpts
	triggers []Trigger
	// invoke runs the handler on raw event envelopes.
	invoke func(ctx context.Context, events []json.RawMessage, runID string, attempt int) (any, error)
	// onFailure is the derived function that runs OnFailure, or nil.
	onFailure *Function
	// flow is the compiled flow-control options.
	flow *flow
	// err is what was wrong with the definition; engines refuse such functions.
	err error
}

var functionID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)*$`)

// NewFunction defines a durable function triggered by trigger (use Triggers
// to give several). It never fails: a mistake in the definition is kept and
// reported by New, naming the function, so that functions can be declared as
// package-level variables.
func NewFunction[T any](opts FunctionOpts, trigger Trigger, handler Handler[T]) *Function {
	f := &Function{opts: opts, triggers: trigger.flatten()}
	f.invoke = func(ctx context.Context, raw []json.RawMessage, runID string, attempt int) (any, error) {
		in := Input[T]{RunID: runID, Attempt: attempt}
		for i, r := range raw {
			ev, err := DecodeEvent[T](r)
			if err != nil {
				return nil, NonRetriable(fmt.Errorf("function %q: event %d: %w", opts.ID, i, err))
			}
			in.Events = append(in.Events, ev)
		}
		if len(in.Events) > 0 {
			in.Event = in.Events[0]
		}
		return handler(ctx, in)
	}
	f.err = f.validate(handler == nil)
	if opts.OnFailure != nil && f.err == nil {
		f.onFailure = NewFunction(FunctionOpts{
			ID:      opts.ID + "/on-failure",
			Name:    f.Name() + " (on failure)",
			Retries: opts.Retries,
		}, EventTrigger(FunctionFailedEvent, fmt.Sprintf("event.data.function_id == %q", opts.ID)), opts.OnFailure)
	}
	return f
}

func (f *Function) validate(nilHandler bool) error {
	var errs []error
	switch {
	case f.opts.ID == "":
		errs = append(errs, errors.New("ID is required"))
	case !functionID.MatchString(f.opts.ID):
		errs = append(errs, fmt.Errorf("ID %s is not kebab-case (lowercase letters, digits and single dashes)", quote.Excerpt(f.opts.ID, 0)))
	}
	if nilHandler {
		errs = append(errs, errors.New("handler is nil"))
	}
	if len(f.triggers) == 0 {
		errs = append(errs, errors.New("no trigger"))
	}
	if r := f.opts.Retries; r != nil {
		if r.Retries < 0 {
			errs = append(errs, fmt.Errorf("Retries.Retries is %d; it must be 0 or more", r.Retries))
		}
		if r.MinBackoff < 0 || r.MaxBackoff < 0 || (r.MaxBackoff > 0 && r.MinBackoff > r.MaxBackoff) {
			errs = append(errs, fmt.Errorf("Retries backoff [%v, %v] is not a valid range", r.MinBackoff, r.MaxBackoff))
		}
	}
	if f.opts.Timeouts.Start < 0 {
		errs = append(errs, fmt.Errorf("Timeouts.Start is negative (%v)", f.opts.Timeouts.Start))
	}
	if f.opts.Timeouts.Finish < 0 {
		errs = append(errs, fmt.Errorf("Timeouts.Finish is negative (%v)", f.opts.Timeouts.Finish))
	}
	for i := range f.triggers {
		if err := f.triggers[i].compile(); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, f.compileFlow()...)
	if len(errs) == 0 {
		return nil
	}
	id := f.opts.ID
	if id == "" {
		id = "(no ID)"
	}
	return fmt.Errorf("function %s: %w", quote.Excerpt(id, 0), errors.Join(errs...))
}

// ID is the function's ID.
func (f *Function) ID() string { return f.opts.ID }

// Name is the function's display name.
func (f *Function) Name() string {
	if f.opts.Name != "" {
		return f.opts.Name
	}
	return f.opts.ID
}

// Opts returns the options the function was defined with.
func (f *Function) Opts() FunctionOpts { return f.opts }

// Triggers returns the function's triggers.
func (f *Function) Triggers() []Trigger { return append([]Trigger(nil), f.triggers...) }

// Err reports what is wrong with the function's definition, or nil.
func (f *Function) Err() error { return f.err }

func (f *Function) retryPolicy() RetryPolicy {
	p := RetryPolicy{Retries: DefaultRetries}
	if f.opts.Retries != nil {
		p = *f.opts.Retries
	}
	if p.MinBackoff == 0 {
		p.MinBackoff = time.Second
	}
	if p.MaxBackoff == 0 {
		p.MaxBackoff = 10 * time.Minute
	}
	if p.MaxBackoff < p.MinBackoff {
		p.MaxBackoff = p.MinBackoff
	}
	return p
}
