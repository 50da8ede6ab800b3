package flows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"

	"acme.dev/onboarding/accounts"
)

// TrialEndingReminder mails the owner three days before the trial ends
// and again on the last day.
func (f *Flows) TrialEndingReminder(ctx context.Context, in runtime.Input[accounts.TrialData]) (any, error) {
	t := in.Event.Data
	ends, err := time.Parse(time.RFC3339, t.EndsAt)
	if err != nil {
		return nil, runtime.NonRetriable(fmt.Errorf("ends_at: %w", err))
	}
	vars := map[string]string{"company": t.Company, "ends": ends.Format("January 2"), "seats": fmt.Sprint(t.Seats)}
	if _, err := step.Run(ctx, "process", func(ctx context.Context) (struct{}, error) { // want "stepid(note): .*process"
		return struct{}{}, f.mail.Send(ctx, t.Email, "trial-ending", vars)
	}); err != nil {
		return nil, err
	}
	if err := step.SleepUntil(ctx, "until-last-day", ends.Add(-24*time.Hour)); err != nil {
		return nil, err
	}
	if _, err := step.Run(ctx, "send-last-day", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, f.mail.Send(ctx, t.Email, "trial-ending", vars)
	}); err != nil {
		return nil, err
	}
	_, err = f.db.ExecContext(ctx, `UPDATE users SET trial_reminded_at = now() WHERE id = $1`, t.UserID) // want "sideeffect(error): .*ExecContext.*replay"
	return nil, err
}

// SendInvite mails an invitation and reminds the invitee once after a
// week without an answer.
func (f *Flows) SendInvite(ctx context.Context, in runtime.Input[accounts.InviteData]) (any, error) {
	inv := in.Event.Data
	vars := map[string]string{"inviter": inv.InviterName}
	if _, err := step.Run(ctx, "send-invite", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, f.mail.Send(ctx, inv.Email, "invite", vars)
	}); err != nil {
		return nil, err
	}
	_, err := step.WaitForEvent(ctx, "wait-for-accept", accounts.InviteAccepted, step.WaitOpts{
		Timeout: 7 * 24 * time.Hour,
		If:      "async.data.workspace_id == event.data.workspace_id && async.data.email == event.data.email",
	})
	if err == nil {
		return "accepted", nil
	}
	if !errors.Is(err, step.ErrTimeout) {
		return nil, err
	}
	_, err = step.Run(ctx, "send-reminder", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, f.mail.Send(ctx, inv.Email, "invite", vars)
	})
	return "reminded", err
}
