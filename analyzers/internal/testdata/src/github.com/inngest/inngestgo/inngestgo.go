// Package inngestgo is a test stub with the shapes of the Inngest Go SDK
// (github.com/inngest/inngestgo) that the analyzers look at.
package inngestgo

import (
	"context"
	"net/http"
	"time"
)

type ClientOpts struct {
	AppID string
}

type Client interface {
	Serve() http.Handler
	Send(ctx context.Context, evt any) (string, error)
}

type client struct{}

func (client) Serve() http.Handler                               { return nil }
func (client) Send(ctx context.Context, evt any) (string, error) { return "", nil }

func NewClient(opts ClientOpts) (Client, error) { return client{}, nil }

type FunctionOpts struct {
	ID          string
	Name        string
	Retries     *int
	Idempotency *string
	Timeouts    *Timeouts
	Concurrency []ConfigStepConcurrency
	Throttle    *ConfigThrottle
	RateLimit   *ConfigRateLimit
	Debounce    *ConfigDebounce
	BatchEvents *ConfigBatchEvents
	Cancel      []ConfigCancel
	Priority    *ConfigPriority
	Singleton   *ConfigSingleton
}

type ConfigStepConcurrency struct {
	Limit int
	Key   *string
	Scope string
}

type ConfigThrottle struct {
	Limit  uint
	Period time.Duration
	Burst  uint
	Key    *string
}

type ConfigRateLimit struct {
	Limit  uint
	Period time.Duration
	Key    *string
}

type ConfigDebounce struct {
	Key     string
	Period  time.Duration
	Timeout *time.Duration
}

type ConfigBatchEvents struct {
	MaxSize int
	Timeout time.Duration
	Key     *string
}

type ConfigCancel struct {
	Event   string
	If      *string
	Timeout *time.Duration
}

type ConfigPriority struct{ Run *string }

type ConfigSingleton struct {
	Key  *string
	Mode string
}

// Event is an event sent with Client.Send or step.Send.
type Event struct {
	ID   *string        `json:"id,omitempty"`
	Name string         `json:"name"`
	Data map[string]any `json:"data"`
	TS   int64          `json:"ts,omitempty"`
}

// GenericEvent is an event whose data has the type DATA.
type GenericEvent[DATA any] struct {
	ID   *string `json:"id,omitempty"`
	Name string  `json:"name"`
	Data DATA    `json:"data"`
	TS   int64   `json:"ts,omitempty"`
}

type Timeouts struct {
	Start  *time.Duration
	Finish *time.Duration
}

type Triggerable interface{ trigger() }

type Trigger struct{ Event, Cron string }

func (Trigger) trigger() {}

type MultipleTriggers []Trigger

func (MultipleTriggers) trigger() {}

func EventTrigger(name string, expression *string) Trigger { return Trigger{Event: name} }
func CronTrigger(cron string) Trigger                      { return Trigger{Cron: cron} }

type SDKFunction[T any] func(ctx context.Context, input Input[T]) (any, error)

type Input[T any] struct {
	Event    T
	Events   []T
	InputCtx InputCtx
}

type InputCtx struct {
	FunctionID string
	RunID      string
	StepID     string
	Attempt    int
}

type ServableFunction interface {
	ID() string
	Name() string
}

type servable struct{ opts FunctionOpts }

func (s servable) ID() string   { return s.opts.ID }
func (s servable) Name() string { return s.opts.Name }

func CreateFunction[T any](c Client, fc FunctionOpts, trigger Triggerable, f SDKFunction[T]) (ServableFunction, error) {
	return servable{opts: fc}, nil
}

func StrPtr(s string) *string { return &s }

func Ptr[T any](v T) *T { return &v }
