package runtime_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

var errPermanent = errors.New("card declined")

// TestStepRetryPolicy checks the per-step options of step.Run against the
// function's policy: the step's attempts, what stops them, and that a retry
// executes the failing step alone (the step before it ran once).
func TestStepRetryPolicy(t *testing.T) {
	// Wall-clock time: attempts that block until their deadline wait this
	// long; one that returns at once has a minute, so that a loaded
	// machine cannot make it late.
	const timeout, generous = 30 * time.Millisecond, time.Minute
	tests := []struct {
		name        string
		fnRetries   int
		opts        []step.Option
		attempt     func(ctx context.Context, n int) (int, error)
		wantStatus  runtime.RunStatus
		wantRuns    int32
		wantError   string // in the run's error
		needsTimers bool   // attempts have a deadline
	}{
		{
			name: "MaxAttempts above the function's retries", fnRetries: 0,
			opts: []step.Option{step.Retry(step.RetryPolicy{MaxAttempts: 3})},
			attempt: func(_ context.Context, n int) (int, error) {
				if n < 3 {
					return 0, errors.New("flaky")
				}
				return n, nil
			},
			wantStatus: runtime.RunCompleted, wantRuns: 3,
		},
		{
			name: "MaxAttempts 1 does not retry although the function would", fnRetries: 5,
			opts:       []step.Option{step.Retry(step.RetryPolicy{MaxAttempts: 1})},
			attempt:    func(context.Context, int) (int, error) { return 0, errors.New("down") },
			wantStatus: runtime.RunFailed, wantRuns: 1, wantError: `step "call" failed after 1 attempt(s): down`,
		},
		{
			name: "spent attempts fail the run with the step's error", fnRetries: 0,
			opts:       []step.Option{step.Retry(step.RetryPolicy{MaxAttempts: 2})},
			attempt:    func(context.Context, int) (int, error) { return 0, errors.New("down") },
			wantStatus: runtime.RunFailed, wantRuns: 2, wantError: `step "call" failed after 2 attempt(s): down`,
		},
		{
			name: "no options: the function's policy", fnRetries: 2,
			attempt:    func(context.Context, int) (int, error) { return 0, errors.New("down") },
			wantStatus: runtime.RunFailed, wantRuns: 3,
		},
		{
			name: "Retriable false stops at once", fnRetries: 5,
			opts: []step.Option{step.Retry(step.RetryPolicy{Retriable: func(err error) bool { return !errors.Is(err, errPermanent) }})},
			attempt: func(_ context.Context, n int) (int, error) {
				if n == 1 {
					return 0, errors.New("timeout talking to the bank")
				}
				return 0, errPermanent
			},
			wantStatus: runtime.RunFailed, wantRuns: 2, wantError: "card declined",
		},
		{
			name: "NonRetriable wins over Retriable", fnRetries: 5,
			opts:       []step.Option{step.Retry(step.RetryPolicy{Retriable: func(error) bool { return true }})},
			attempt:    func(context.Context, int) (int, error) { return 0, runtime.NonRetriable(errPermanent) },
			wantStatus: runtime.RunFailed, wantRuns: 1,
		},
		{
			name: "a timed-out attempt is retried", fnRetries: 0,
			opts: []step.Option{step.Retry(step.RetryPolicy{MaxAttempts: 2}), step.Timeout(timeout)},
			attempt: func(ctx context.Context, n int) (int, error) {
				if n == 1 {
					<-ctx.Done()
					return 0, ctx.Err()
				}
				return n, nil
			},
			wantStatus: runtime.RunCompleted, wantRuns: 2, needsTimers: true,
		},
		{
			name: "a result after the deadline is not kept", fnRetries: 0,
			opts: []step.Option{step.Timeout(timeout)},
			attempt: func(ctx context.Context, n int) (int, error) {
				<-ctx.Done()
				return n, nil
			},
			wantStatus: runtime.RunFailed, wantRuns: 1, wantError: "attempt timed out after 30ms: context deadline exceeded", needsTimers: true,
		},
		{
			name: "a fast attempt is not timed out", fnRetries: 0,
			opts:       []step.Option{step.Timeout(generous)},
			attempt:    func(_ context.Context, n int) (int, error) { return n, nil },
			wantStatus: runtime.RunCompleted, wantRuns: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, attempts atomic.Int32
			fn := runtime.NewFunction(runtime.FunctionOpts{ID: "per-step", Retries: &runtime.RetryPolicy{Retries: tt.fnRetries, MinBackoff: time.Minute}}, orderCreated.Trigger(),
				func(ctx context.Context, in runtime.Input[order]) (any, error) {
					if _, err := step.Run(ctx, "before", func(context.Context) (int, error) { return int(before.Add(1)), nil }); err != nil {
						return nil, err
					}
					return step.Run(ctx, "call", func(ctx context.Context) (int, error) {
						n := int(attempts.Add(1))
						if tt.needsTimers {
							// A wall-clock deadline: the virtual clock reads January.
							if d, ok := ctx.Deadline(); !ok || time.Until(d) > timeout || time.Until(d) < -time.Second {
								t.Errorf("attempt %d: ctx deadline %v (%v), want at most %v from now", n, d, ok, timeout)
							}
						}
						return tt.attempt(ctx, n)
					}, tt.opts...)
				})
			te := newEngine(t, fn)
			te.send(t, "shop/order.created", order{})
			id := te.onlyRun(t, "per-step")
			info := te.advanceUntil(t, id, 11*time.Second, runtime.RunCompleted, runtime.RunFailed)
			if info.Status != tt.wantStatus || attempts.Load() != tt.wantRuns {
				t.Fatalf("status %s after %d attempts (error %q); want %s after %d", info.Status, attempts.Load(), info.Error, tt.wantStatus, tt.wantRuns)
			}
			if got := info.Steps[1].Attempts; got != int(tt.wantRuns) {
				t.Errorf("StepInfo.Attempts = %d, want %d", got, tt.wantRuns)
			}
			if before.Load() != 1 {
				t.Errorf("the step before ran %d times; a retry must execute the failing step alone", before.Load())
			}
			if !strings.Contains(info.Error, tt.wantError) {
				t.Errorf("run error %q does not contain %q", info.Error, tt.wantError)
			}
		})
	}
}

// TestStepBackoffOnEngineClock follows a step's retries on the virtual
// clock: each delay is in [d/2, d] for d = InitialBackoff·Multiplier^(n-1)
// capped at MaxBackoff, and the attempt runs when the clock reaches it.
func TestStepBackoffOnEngineClock(t *testing.T) {
	tests := []struct {
		name   string
		policy step.RetryPolicy
		want   []time.Duration // the delay d after each failed attempt but the last
	}{
		{"multiplied and capped", step.RetryPolicy{MaxAttempts: 4, InitialBackoff: time.Minute, Multiplier: 3, MaxBackoff: 5 * time.Minute},
			[]time.Duration{time.Minute, 3 * time.Minute, 5 * time.Minute}},
		{"the step's cap below the function's initial backoff (1s)", step.RetryPolicy{MaxAttempts: 3, MaxBackoff: 100 * time.Millisecond},
			[]time.Duration{100 * time.Millisecond, 100 * time.Millisecond}},
		{"the function's backoff, doubling from 1s", step.RetryPolicy{MaxAttempts: 3},
			[]time.Duration{time.Second, 2 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var attempts atomic.Int32
			fn := runtime.NewFunction(runtime.FunctionOpts{ID: "backoff", Retries: runtime.Retries(0)}, orderCreated.Trigger(),
				func(ctx context.Context, in runtime.Input[order]) (any, error) {
					return step.Run(ctx, "call", func(context.Context) (int, error) {
						attempts.Add(1)
						return 0, errors.New("down")
					}, step.Retry(tt.policy))
				})
			te := newEngine(t, fn)
			te.send(t, "shop/order.created", order{})
			id := te.onlyRun(t, "backoff")
			for i, want := range tt.want {
				var info runtime.RunInfo
				for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(2 * time.Millisecond) {
					info = te.await(t, id, runtime.RunQueued)
					if len(info.Steps) == 1 && info.Steps[0].Attempts == i+1 {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("retry %d: steps %+v", i+1, info.Steps)
					}
				}
				st := info.Steps[0]
				if delay := st.WakeAt.Sub(st.UpdatedAt); delay < want/2 || delay > want {
					t.Errorf("delay after attempt %d = %v, want in [%v, %v]", i+1, delay, want/2, want)
				}
				te.clock.Set(st.WakeAt.Add(-time.Millisecond))
				time.Sleep(30 * time.Millisecond)
				if n := attempts.Load(); n != int32(i+1) {
					t.Fatalf("attempt %d ran before its backoff ended (%d attempts)", i+2, n)
				}
				te.clock.Set(st.WakeAt)
			}
			info := te.await(t, id, runtime.RunFailed)
			if n := len(tt.want) + 1; attempts.Load() != int32(n) || info.Steps[0].Attempts != n {
				t.Errorf("attempts %d (recorded %d), want %d", attempts.Load(), info.Steps[0].Attempts, n)
			}
		})
	}
}

func TestStepOptionErrorsNameStepAndField(t *testing.T) {
	tests := []struct {
		opt  step.Option
		want string
	}{
		{step.Retry(step.RetryPolicy{MaxAttempts: -1}), `step "call": RetryPolicy.MaxAttempts is -1`},
		{step.Retry(step.RetryPolicy{Multiplier: 0.5}), `step "call": RetryPolicy.Multiplier is 0.5`},
		{step.Retry(step.RetryPolicy{InitialBackoff: time.Hour, MaxBackoff: time.Minute}), `step "call": RetryPolicy backoff [1h0m0s, 1m0s] is not a valid range`},
		{step.Timeout(-time.Second), `step "call": Timeout is -1s`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			var ran atomic.Bool
			fn := runtime.NewFunction(runtime.FunctionOpts{ID: "bad-options"}, orderCreated.Trigger(),
				func(ctx context.Context, in runtime.Input[order]) (any, error) {
					return step.Run(ctx, "call", func(context.Context) (int, error) { ran.Store(true); return 1, nil }, tt.opt)
				})
			te := newEngine(t, fn)
			te.send(t, "shop/order.created", order{})
			info := te.await(t, te.onlyRun(t, "bad-options"), runtime.RunFailed, runtime.RunCompleted)
			if info.Status != runtime.RunFailed || !strings.Contains(info.Error, tt.want) || ran.Load() {
				t.Errorf("status %s, error %q, step ran %v; want failed naming %q", info.Status, info.Error, ran.Load(), tt.want)
			}
		})
	}
}
