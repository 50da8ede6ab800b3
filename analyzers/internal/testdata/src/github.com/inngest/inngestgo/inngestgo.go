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
