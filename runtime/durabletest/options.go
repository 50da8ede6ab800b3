package durabletest

import (
	"fmt"
	"time"

	"github.com/durable-go/durable/runtime"
)

// An Option changes how Run runs a function: mocks, events to deliver,
// other functions, clock settings.
type Option func(*config)

type config struct {
	with       []*runtime.Function
	steps      map[string]*stepMock
	invokes    map[string]*invokeMock
	deliveries map[string][]*delivery
	timeouts   []string
	start      time.Time
	limit      time.Duration
	wall       time.Duration
	allowIdle  bool
	// errs are mistakes in the options, reported before anything runs.
	errs []string
}

// DefaultStart is the virtual time at which Run starts, unless StartAt says
// otherwise. A fixed start keeps tests reproducible.
var DefaultStart = time.Date(2026, time.January, 1, 9, 0, 0, 0, time.UTC)

// Defaults of TimeLimit and WallTimeout.
const (
	DefaultTimeLimit   = 10 * 365 * 24 * time.Hour
	DefaultWallTimeout = time.Minute
)

func newConfig(opts []Option) *config {
	c := &config{
		steps:      map[string]*stepMock{},
		invokes:    map[string]*invokeMock{},
		deliveries: map[string][]*delivery{},
		start:      DefaultStart,
		limit:      DefaultTimeLimit,
		wall:       DefaultWallTimeout,
	}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	for _, id := range c.timeouts {
		if len(c.deliveries[id]) > 0 {
			c.errs = append(c.errs, fmt.Sprintf("TimeoutWait(%q) and DeliverEvent for the same step: choose one", id))
		}
	}
	return c
}

func (c *config) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

// With registers more functions with the test's engine: the functions the
// tested function invokes with step.Invoke (unless mocked with MockInvoke),
// and any function that should react to the events it sends. Their runs
// execute for real, with the same mocks, and Result.RunOf reports them.
func With(fns ...*runtime.Function) Option {
	return func(c *config) { c.with = append(c.with, fns...) }
}

type stepMock struct {
	id        string
	failFirst int
	failErr   error
	hasValue  bool
	out       any
	err       error
	fn        func(attempt int) (any, error)
	used      bool
}

func (c *config) stepMock(id string) *stepMock {
	m := c.steps[id]
	if m == nil {
		m = &stepMock{id: id}
		c.steps[id] = m
	}
	return m
}

// MockStep replaces the function of every step.Run with this ID: the step
// returns out (encoded to JSON and decoded into the step's type, as a real
// result would be) or, if err is not nil, fails with err on every attempt,
// so the function's retry policy applies (wrap err with runtime.NonRetriable
// to fail at once). The step's own function never runs.
func MockStep(id string, out any, err error) Option {
	return func(c *config) {
		m := c.stepMock(id)
		if m.hasValue || m.fn != nil {
			c.errorf("MockStep(%q) given twice (or with MockStepFunc)", id)
		}
		m.hasValue, m.out, m.err = true, out, err
	}
}

// MockStepFunc replaces the function of every step.Run with this ID by fn,
// which receives the attempt number (1 for the first attempt).
func MockStepFunc(id string, fn func(attempt int) (any, error)) Option {
	return func(c *config) {
		m := c.stepMock(id)
		if m.hasValue || m.fn != nil {
			c.errorf("MockStepFunc(%q) given twice (or with MockStep)", id)
		}
		if fn == nil {
			c.errorf("MockStepFunc(%q) with a nil function", id)
		}
		m.fn = fn
	}
}

// MockStepFailures makes the first n attempts of every step.Run with this ID
// fail with err (a generic error when err is nil). Later attempts run the
// step's real function, or the MockStep or MockStepFunc given for the same
// ID. Use it to test retries and, with n above the retry count, OnFailure.
func MockStepFailures(id string, n int, err error) Option {
	return func(c *config) {
		if n < 1 {
			c.errorf("MockStepFailures(%q, %d): n must be at least 1", id, n)
		}
		m := c.stepMock(id)
		if m.failFirst > 0 {
			c.errorf("MockStepFailures(%q) given twice", id)
		}
		m.failFirst, m.failErr = n, err
	}
}

type invokeMock struct {
	id   string
	out  any
	err  error
	used bool
}

// MockInvoke makes every step.Invoke of fn return out (or fail with err)
// without starting a run of fn. fn need not be given to With.
func MockInvoke(fn *runtime.Function, out any, err error) Option {
	return func(c *config) {
		if fn == nil {
			c.errorf("MockInvoke with a nil function")
			return
		}
		if _, dup := c.invokes[fn.ID()]; dup {
			c.errorf("MockInvoke(%q) given twice", fn.ID())
		}
		c.invokes[fn.ID()] = &invokeMock{id: fn.ID(), out: out, err: err}
	}
}

type delivery struct {
	stepID    string
	event     runtime.Event
	wantMatch bool
	// after is how long the run waits before the event arrives.
	after time.Duration
	done  bool
}

// DeliverEvent sends ev through the engine once the run waits at the
// step.WaitForEvent with this ID (each DeliverEvent for the same ID serves
// one wait, in order). The engine matches it against the wait exactly as in
// production (event name and If expression): if it does not resolve the wait,
// the test fails with the wait's If and the event, and the wait goes on (it
// times out, unless a later delivery resolves it).
func DeliverEvent(stepID string, ev runtime.Event) Option {
	return func(c *config) {
		c.deliveries[stepID] = append(c.deliveries[stepID], &delivery{stepID: stepID, event: ev, wantMatch: true})
	}
}

// DeliverEventAfter is DeliverEvent with the event arriving once the run has
// waited d of virtual time. If d reaches the wait's timeout, the wait times
// out first and the test fails, since the event was never delivered.
func DeliverEventAfter(stepID string, d time.Duration, ev runtime.Event) Option {
	return func(c *config) {
		if d < 0 {
			c.errorf("DeliverEventAfter(%q, %v): the delay must not be negative", stepID, d)
		}
		c.deliveries[stepID] = append(c.deliveries[stepID], &delivery{stepID: stepID, event: ev, wantMatch: true, after: d})
	}
}

// DeliverNonMatchingEvent sends ev through the engine once the run waits at
// the step with this ID, and fails the test if ev resolves the wait: it tests
// that the wait's If expression rejects ev. The wait goes on.
func DeliverNonMatchingEvent(stepID string, ev runtime.Event) Option {
	return func(c *config) {
		c.deliveries[stepID] = append(c.deliveries[stepID], &delivery{stepID: stepID, event: ev, wantMatch: false})
	}
}

// TimeoutWait states that the step.WaitForEvent with this ID receives no
// event and times out (virtual time skips to its timeout). That is also what
// happens to a wait with no DeliverEvent; TimeoutWait adds the check: the
// test fails if the wait was never reached or did not time out.
func TimeoutWait(stepID string) Option {
	return func(c *config) { c.timeouts = append(c.timeouts, stepID) }
}

// StartAt sets the virtual time at which the run starts (DefaultStart
// otherwise).
func StartAt(t time.Time) Option {
	return func(c *config) {
		if t.IsZero() {
			c.errorf("StartAt with a zero time")
		}
		c.start = t
	}
}

// TimeLimit bounds how far virtual time may move (DefaultTimeLimit, ten
// years, otherwise). A run still sleeping or waiting past it fails the test.
func TimeLimit(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.errorf("TimeLimit(%v): must be positive", d)
		}
		c.limit = d
	}
}

// WallTimeout bounds the real time Run may take (DefaultWallTimeout
// otherwise); it only guards against a step that never returns or a function
// that never stops starting work.
func WallTimeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.errorf("WallTimeout(%v): must be positive", d)
		}
		c.wall = d
	}
}

// AllowUnused turns off the check that every MockStep, MockStepFailures,
// MockStepFunc, MockInvoke and DeliverEvent was used. The check catches
// misspelt step IDs; turn it off for options shared by table-driven cases
// that take different paths.
func AllowUnused() Option {
	return func(c *config) { c.allowIdle = true }
}
