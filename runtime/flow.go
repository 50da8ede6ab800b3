package runtime

import (
	"fmt"
	"time"

	"github.com/durable-go/durable/runtime/internal/expr"
)

// Concurrency limits how many runs execute at once. Only a run executing a
// step holds a slot: sleeping and waiting runs do not. Runs over the limit
// queue, oldest first.
type Concurrency struct {
	// Limit is the most runs of one key executing at once; it must be positive.
	Limit int
	// Key is a CEL expression over `event` that partitions the limit
	// ("event.data.customer_id"); empty means one limit for all runs.
	Key string
	// Scope says whose runs share the limit: this function's (the default)
	// or every function's with the same Key (ScopeGlobal, which needs a Key).
	Scope Scope
}

// Scope of a concurrency limit.
type Scope string

const (
	ScopeFunction Scope = "function"
	ScopeGlobal   Scope = "global"
)

// Throttle limits how fast runs start: at most Limit runs per Period per
// key, plus Burst more at once. Runs over the limit wait for their turn;
// none is dropped.
type Throttle struct {
	Limit  int
	Period time.Duration
	Burst  int
	// Key partitions the throttle (CEL over `event`); empty means one for all.
	Key string
}

// RateLimit drops triggering events over Limit per Period per key: they
// start no run (the skip is recorded with its reason).
type RateLimit struct {
	Limit  int
	Period time.Duration
	Key    string
}

// Debounce delays a run until Period has passed without another matching
// event; the run receives the last event. Timeout caps the delay from the
// first event.
type Debounce struct {
	Period  time.Duration
	Key     string
	Timeout time.Duration
}

// BatchEvents gives one run up to MaxSize events (Input.Events). A batch
// starts when it is full or Timeout after its first event.
type BatchEvents struct {
	MaxSize int
	Timeout time.Duration
	Key     string
}

// Cancel cancels runs when a matching event arrives: waiting and sleeping
// runs at once, a running run at its next step boundary.
type Cancel struct {
	// Event is the name of the cancelling event.
	Event string
	// If is a CEL expression with the run's event as `event` and the
	// cancelling one as `async`: "async.data.order_id == event.data.order_id".
	If string
	// Timeout bounds how long after the run's creation the cancellation can
	// happen; zero means for the run's whole life.
	Timeout time.Duration
}

// Priority moves runs ahead in the queue.
type Priority struct {
	// Run is a CEL expression over `event` giving seconds of head start
	// (negative: delay), clamped to ±600.
	Run string
}

// Singleton allows one run per key at a time.
type Singleton struct {
	Key  string
	Mode SingletonMode
}

// SingletonMode says what a new run does when one of its key is in progress.
type SingletonMode string

const (
	// SingletonSkip skips the new run (the skip is recorded).
	SingletonSkip SingletonMode = "skip"
	// SingletonCancel cancels the run in progress and starts the new one.
	SingletonCancel SingletonMode = "cancel"
)

// DefaultIdempotencyPeriod is how long an idempotency key blocks new runs.
const DefaultIdempotencyPeriod = 24 * time.Hour

// maxPriority bounds Priority.Run, in seconds.
const maxPriority = 600

// flow holds a function's compiled flow-control options.
type flow struct {
	concurrency []compiledLimit
	throttle    *Throttle
	throttleKey *expr.Key
	rateLimit   *RateLimit
	rateKey     *expr.Key
	debounce    *Debounce
	debounceKey *expr.Key
	batch       *BatchEvents
	batchKey    *expr.Key
	idempotency *expr.Key
	idemPeriod  time.Duration
	cancels     []Cancel
	priority    *expr.Key
	singleton   *Singleton
	singleKey   *expr.Key
}

// controls says whether the flow has an option set. A function with none
// admits its runs without state to read or write (admitFree).
func (fl *flow) controls() bool {
	return fl != nil && (len(fl.concurrency) > 0 || fl.throttle != nil || fl.rateLimit != nil || fl.debounce != nil ||
		fl.batch != nil || fl.idempotency != nil || len(fl.cancels) > 0 || fl.priority != nil || fl.singleton != nil)
}

type compiledLimit struct {
	Concurrency
	key *expr.Key
}

func (f *Function) compileFlow() []error {
	o := f.opts
	fl := &flow{idemPeriod: o.IdempotencyPeriod}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	key := func(field, src string) *expr.Key {
		if src == "" {
			return nil
		}
		k, err := expr.CompileKey(field, src, defaultLimits.eval)
		if err != nil {
			errs = append(errs, err)
		}
		return k
	}
	for i, c := range o.Concurrency {
		field := fmt.Sprintf("Concurrency[%d]", i)
		if c.Limit <= 0 {
			bad("%s.Limit is %d; it must be positive", field, c.Limit)
		}
		switch c.Scope {
		case "", ScopeFunction:
			c.Scope = ScopeFunction
		case ScopeGlobal:
			if c.Key == "" {
				bad("%s: a global limit needs a Key (it is shared by every function using the same key)", field)
			}
		default:
			bad("%s.Scope is %q; want %q or %q", field, c.Scope, ScopeFunction, ScopeGlobal)
		}
		fl.concurrency = append(fl.concurrency, compiledLimit{Concurrency: c, key: key(field+".Key", c.Key)})
	}
	if t := o.Throttle; t != nil {
		if t.Limit <= 0 {
			bad("Throttle.Limit is %d; it must be positive", t.Limit)
		}
		if t.Period <= 0 {
			bad("Throttle.Period is %v; it must be positive", t.Period)
		}
		if t.Burst < 0 {
			bad("Throttle.Burst is %d; it must be 0 or more", t.Burst)
		}
		fl.throttle, fl.throttleKey = t, key("Throttle.Key", t.Key)
	}
	if r := o.RateLimit; r != nil {
		if r.Limit <= 0 {
			bad("RateLimit.Limit is %d; it must be positive", r.Limit)
		}
		if r.Period <= 0 {
			bad("RateLimit.Period is %v; it must be positive", r.Period)
		}
		fl.rateLimit, fl.rateKey = r, key("RateLimit.Key", r.Key)
	}
	if d := o.Debounce; d != nil {
		if d.Period <= 0 {
			bad("Debounce.Period is %v; it must be positive", d.Period)
		}
		if d.Timeout < 0 || (d.Timeout > 0 && d.Timeout < d.Period) {
			bad("Debounce.Timeout is %v; it must be 0 (none) or at least Period (%v)", d.Timeout, d.Period)
		}
		fl.debounce, fl.debounceKey = d, key("Debounce.Key", d.Key)
	}
	if b := o.BatchEvents; b != nil {
		if b.MaxSize < 1 {
			bad("BatchEvents.MaxSize is %d; it must be at least 1", b.MaxSize)
		}
		if b.Timeout <= 0 {
			bad("BatchEvents.Timeout is %v; it must be positive", b.Timeout)
		}
		fl.batch, fl.batchKey = b, key("BatchEvents.Key", b.Key)
	}
	if o.Debounce != nil && o.BatchEvents != nil {
		bad("Debounce and BatchEvents cannot be combined")
	}
	fl.idempotency = key("Idempotency", o.Idempotency)
	if o.IdempotencyPeriod < 0 {
		bad("IdempotencyPeriod is %v; it must be 0 (the default, %v) or positive", o.IdempotencyPeriod, DefaultIdempotencyPeriod)
	}
	if fl.idemPeriod == 0 {
		fl.idemPeriod = DefaultIdempotencyPeriod
	}
	for i, c := range o.Cancel {
		field := fmt.Sprintf("Cancel[%d]", i)
		if c.Event == "" {
			bad("%s.Event is required", field)
		}
		if c.Timeout < 0 {
			bad("%s.Timeout is %v; it must be 0 (none) or positive", field, c.Timeout)
		}
		if c.If != "" {
			if _, err := expr.Cached(c.If, true, defaultLimits.eval); err != nil {
				bad("%s.If: %v", field, err)
			}
		}
		fl.cancels = append(fl.cancels, c)
	}
	if p := o.Priority; p != nil {
		if p.Run == "" {
			bad("Priority.Run is empty")
		}
		fl.priority = key("Priority.Run", p.Run)
	}
	if s := o.Singleton; s != nil {
		switch s.Mode {
		case SingletonSkip, SingletonCancel:
		case "":
			bad("Singleton.Mode is empty; want %q or %q", SingletonSkip, SingletonCancel)
		default:
			bad("Singleton.Mode is %q; want %q or %q", s.Mode, SingletonSkip, SingletonCancel)
		}
		fl.singleton, fl.singleKey = s, key("Singleton.Key", s.Key)
	}
	f.flow = fl
	return errs
}
