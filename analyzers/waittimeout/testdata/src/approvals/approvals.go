// Package approvals waits for a manager's decision on expense reports.
package approvals

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

type Expense struct {
	ID     string
	Amount int64
}

type Decision struct{ Approved bool }

type Notifier interface {
	Remind(ctx context.Context, expenseID string) error
}

var (
	Submitted = runtime.NewEventType[Expense]("expense/report.submitted", "1", nil)
	Decided   = runtime.NewEventType[Decision]("expense/report.decided", "1", nil)
	Audit     = &runtime.Function{}
)

type Flow struct{ notify Notifier }

func (f *Flow) Approve(ctx context.Context, in runtime.Input[Expense]) (any, error) {
	d, err := step.WaitForEvent(ctx, "wait-decision", Decided, step.WaitOpts{Timeout: 48 * time.Hour, If: "async.data.id == event.data.id"})
	if err != nil { // want `every error of step.WaitForEvent "wait-decision" is handled here as if the wait had timed out: .*test errors.Is\(err, step.ErrTimeout\) for the timeout and return other errors`
		// Nobody answered: remind and give up.
		_, _ = step.Run(ctx, "remind", func(ctx context.Context) (bool, error) { return true, f.notify.Remind(ctx, in.Event.Data.ID) })
		return "expired", nil
	}
	if !d.Data.Approved {
		return "rejected", nil
	}
	if _, err := step.Invoke[bool](ctx, "audit", Audit, step.InvokeOpts{Timeout: time.Hour}); err != nil { // want `every error of step.Invoke "audit" is handled here as if the wait had timed out`
		log.Print("audit skipped")
	}

	second, err := step.WaitForEvent(ctx, "wait-second", Decided, step.WaitOpts{Timeout: time.Hour})
	if errors.Is(err, step.ErrTimeout) {
		return "expired", nil
	}
	if err != nil {
		return nil, err
	}
	third, err := step.WaitForEvent(ctx, "wait-third", Decided, step.WaitOpts{Timeout: time.Hour})
	if err != nil {
		return nil, fmt.Errorf("third approval: %w", err) // every error returned: the engine retries
	}
	fourth, err := step.WaitForEvent(ctx, "wait-fourth", Decided, step.WaitOpts{Timeout: time.Hour})
	if err != nil {
		log.Printf("fourth approval: %v", err) // err looked at: not guessed
		return nil, nil
	}
	return []bool{second.Data.Approved, third.Data.Approved, fourth.Data.Approved}, nil
}

// Remind sends a reminder, waits days, then checks: a business delay, not a
// stand-in for the reminder's run.
func (f *Flow) Remind(ctx context.Context, in runtime.Input[Expense]) (any, error) {
	if _, err := step.SendEvent(ctx, "send-reminder", Submitted.New(in.Event.Data)); err != nil {
		return nil, err
	}
	if err := step.Sleep(ctx, "grace-period", 72*time.Hour); err != nil {
		return nil, err
	}
	return step.Run(ctx, "check-decided", func(ctx context.Context) (bool, error) { return false, f.notify.Remind(ctx, in.Event.Data.ID) })
}

var Flows = runtime.NewFunction(runtime.FunctionOpts{ID: "approve-expense"}, Submitted.Trigger(), (&Flow{}).Approve)
