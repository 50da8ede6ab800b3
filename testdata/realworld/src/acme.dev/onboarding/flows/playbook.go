package flows

import (
	"context"
	"fmt"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"

	"acme.dev/onboarding/accounts"
)

// RunPlaybook runs the customer-success playbook of the user's plan: emails,
// waits and tasks for the account manager, in order.
func (f *Flows) RunPlaybook(ctx context.Context, in runtime.Input[accounts.PlaybookData]) (any, error) {
	u := in.Event.Data
	pb, err := step.Run(ctx, "load-playbook", func(ctx context.Context) (accounts.Playbook, error) { // want "parallel: .*load-email"
		return f.accounts.Playbook(ctx, u.Plan)
	})
	if err != nil {
		return nil, err
	}
	email, err := step.Run(ctx, "load-email", func(ctx context.Context) (string, error) {
		return f.lookupEmail(ctx, u.UserID)
	})
	if err != nil {
		return nil, err
	}
	for _, action := range pb.Actions {
		switch action.Type {
		case accounts.ActionWait:
			if err := step.Sleep(ctx, string(action.Type), time.Duration(action.DelayHours)*time.Hour); err != nil { // want "stepid: .*loop" // silent: steploop (ordered actions separated by sleeps cannot be batched or fanned out)
				return nil, err
			}
		case accounts.ActionEmail:
			if _, err := step.Run(ctx, string(action.Type), func(ctx context.Context) (struct{}, error) { // want "stepid: .*loop"
				return struct{}{}, f.mail.Send(ctx, email, action.Template, nil)
			}); err != nil {
				return nil, err
			}
		case accounts.ActionTask:
			if _, err := step.Run(ctx, fmt.Sprintf("task-%s", action.Template), func(ctx context.Context) (struct{}, error) { // want "stepid: .*loop"
				return struct{}{}, f.accounts.CreateTask(ctx, u.UserID, action.Template)
			}); err != nil {
				return nil, err
			}
		}
	}
	return len(pb.Actions), nil
}

func (f *Flows) lookupEmail(ctx context.Context, userID string) (string, error) {
	var email string
	err := f.db.QueryRowContext(ctx, `SELECT email FROM users WHERE id = $1`, userID).Scan(&email)
	return email, err
}
