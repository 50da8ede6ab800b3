// Package runtime is a test stub with the shapes of
// github.com/durable-go/durable/runtime that the analyzers look at.
package runtime

import (
	"context"
	"time"
)

type FunctionOpts struct {
	ID          string
	Name        string
	Retries     *RetryPolicy
	Timeouts    Timeouts
	Idempotency string
	OnFailure   Handler[FunctionFailedData]
	Concurrency []Concurrency
	Throttle    *Throttle
	RateLimit   *RateLimit
	Debounce    *Debounce
	BatchEvents *BatchEvents
	Cancel      []Cancel
	Priority    *Priority
	Singleton   *Singleton
}

type Concurrency struct {
	Limit int
	Key   string
	Scope Scope
}

type Scope string

const (
	ScopeFunction Scope = "function"
	ScopeGlobal   Scope = "global"
)

type Throttle struct {
	Limit  int
	Period time.Duration
	Burst  int
	Key    string
}

type RateLimit struct {
	Limit  int
	Period time.Duration
	Key    string
}

type Debounce struct {
	Period  time.Duration
	Key     string
	Timeout time.Duration
}

type BatchEvents struct {
	MaxSize int
	Timeout time.Duration
	Key     string
}

type Cancel struct {
	Event   string
	If      string
	Timeout time.Duration
}

type Priority struct{ Run string }

type Singleton struct {
	Key  string
	Mode SingletonMode
}

type SingletonMode string

const (
	SingletonSkip   SingletonMode = "skip"
	SingletonCancel SingletonMode = "cancel"
)

type Timeouts struct{ Start, Finish time.Duration }

type RetryPolicy struct {
	Retries                int
	MinBackoff, MaxBackoff time.Duration
}

func Retries(n int) *RetryPolicy { return &RetryPolicy{Retries: n} }

type Handler[T any] func(ctx context.Context, in Input[T]) (any, error)

type Input[T any] struct {
	Event   TypedEvent[T]
	Events  []TypedEvent[T]
	RunID   string
	Attempt int
}

type Function struct{ opts FunctionOpts }

func (f *Function) ID() string { return f.opts.ID }

func NewFunction[T any](opts FunctionOpts, trigger Trigger, handler Handler[T]) *Function {
	return &Function{opts: opts}
}

type Trigger struct{ event, ifSrc, cron string }

func EventTrigger(name, ifExpr string) Trigger { return Trigger{event: name, ifSrc: ifExpr} }
func CronTrigger(spec string) Trigger          { return Trigger{cron: spec} }
func Triggers(ts ...Trigger) Trigger           { return Trigger{} }

type Event struct {
	Name string `json:"name"`
	Data any    `json:"data"`
	ID   string `json:"id,omitempty"`
	TS   int64  `json:"ts,omitempty"`
	V    string `json:"v,omitempty"`
}

type TypedEvent[T any] struct {
	Name string `json:"name"`
	Data T      `json:"data"`
	ID   string `json:"id"`
	TS   int64  `json:"ts"`
	V    string `json:"v,omitempty"`
}

type EventType[T any] struct{ name string }

func NewEventType[T any](name, version string, schema []byte) EventType[T] {
	return EventType[T]{name: name}
}
func (t EventType[T]) Name() string             { return t.name }
func (t EventType[T]) New(data T) Event         { return Event{Name: t.name, Data: data} }
func (t EventType[T]) Trigger() Trigger         { return EventTrigger(t.name, "") }
func (t EventType[T]) TriggerIf(string) Trigger { return EventTrigger(t.name, "") }

type FunctionFailedData struct {
	FunctionID string `json:"function_id"`
	RunID      string `json:"run_id"`
	Error      string `json:"error"`
}

const (
	FunctionFailedEvent  = "durable/function.failed"
	FunctionInvokedEvent = "durable/function.invoked"
	CronEvent            = "durable/cron"
)

var FunctionFailed = NewEventType[FunctionFailedData](FunctionFailedEvent, "", nil)

func NonRetriable(err error) error { return err }

type Options struct {
	Functions []*Function
}

type Engine struct{}

func New(opts Options) (*Engine, error)                                    { return &Engine{}, nil }
func (e *Engine) Start(ctx context.Context) error                          { return nil }
func (e *Engine) Stop(ctx context.Context) error                           { return nil }
func (e *Engine) Send(ctx context.Context, evs ...Event) ([]string, error) { return nil, nil }

type RunStatus string

const (
	RunQueued    RunStatus = "queued"
	RunRunning   RunStatus = "running"
	RunCompleted RunStatus = "completed"
	RunFailed    RunStatus = "failed"
)

type RunInfo struct {
	ID     string
	Status RunStatus
}

func (e *Engine) Run(ctx context.Context, runID string) (RunInfo, error) { return RunInfo{}, nil }

// CronData is the data of a run started by a cron trigger.
type CronData struct {
	Cron string `json:"cron"`
	At   string `json:"at"`
}
