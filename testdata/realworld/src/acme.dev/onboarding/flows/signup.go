package flows

import (
	"context"
	"errors"
	"expvar"
	"log"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"

	"acme.dev/onboarding/accounts"
)

var activations = expvar.NewInt("onboarding_activations")

// Signup creates the workspace, welcomes the user and nudges them if they
// have not activated it within three days.
func (f *Flows) Signup(ctx context.Context, in runtime.Input[accounts.SignupData]) (any, error) {
	u := in.Event.Data
	ws, err := step.Run(ctx, "create-workspace", func(ctx context.Context) (accounts.Workspace, error) {
		return f.accounts.CreateWorkspace(ctx, u.UserID, u.Company)
	})
	if err != nil {
		return nil, err
	}
	if err := f.accounts.SetStage(ctx, u.UserID, "workspace-created"); err != nil { // want "sideeffect(note): .*SetStage"
		return nil, err
	}

	var seats int
	planName, err := step.Run(ctx, "load-plan", func(ctx context.Context) (string, error) {
		plan, err := f.accounts.Plan(ctx, u.UserID)
		seats = plan.Seats // want "stepcapture: .*seats"
		return plan.Name, err
	})
	if err != nil {
		return nil, err
	}

	if _, err := step.Run(ctx, "send-welcome", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, f.mail.Send(ctx, u.Email, "welcome", map[string]string{"name": u.Name, "workspace": ws.Name, "plan": planName})
	}); err != nil {
		return nil, err
	}

	_, err = step.WaitForEvent(ctx, "wait-for-activation", accounts.WorkspaceActivated, step.WaitOpts{
		Timeout: 72 * time.Hour,
		If:      "async.data.user_id == event.data.user_id",
	})
	if errors.Is(err, step.ErrTimeout) {
		_, err := step.Run(ctx, "send-nudge", func(ctx context.Context) (struct{}, error) {
			return struct{}{}, f.mail.Send(ctx, u.Email, "nudge", map[string]string{"name": u.Name})
		})
		return "nudged", err
	}
	if err != nil {
		return nil, err
	}

	// Sales can backfill the CRM from the admin page: a CRM outage must not
	// hold up onboarding.
	if _, err := step.Run(ctx, "sync-crm", func(ctx context.Context) (struct{}, error) { // silent: swallowerr (deliberate fallback: logged, and the comment says why)
		return struct{}{}, f.crm.UpsertContact(ctx, u.Email, u.Company, "activated")
	}); err != nil {
		log.Printf("onboarding: crm sync for %s: %v", u.UserID, err) // silent: sideeffect (standard logging outside steps: off by default)
	}
	_, _ = step.Run(ctx, "count-activation", func(ctx context.Context) (bool, error) { // silent: swallowerr (the callback cannot fail)
		activations.Add(1)
		return true, nil
	})
	log.Printf("onboarding: %s activated workspace %s", u.UserID, ws.ID) // silent: sideeffect (standard logging outside steps: off by default)
	return map[string]any{"workspace": ws.ID, "seats": seats}, nil
}
