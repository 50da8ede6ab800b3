// Package flows holds the onboarding workflows.
package flows

import (
	"database/sql"
	"time"

	"github.com/durable-go/durable/runtime"

	"acme.dev/onboarding/accounts"
	"acme.dev/onboarding/email"
)

type Flows struct {
	accounts accounts.Repository
	crm      accounts.CRM
	mail     *email.Sender
	db       *sql.DB
}

func New(repo accounts.Repository, crm accounts.CRM, mail *email.Sender, db *sql.DB) *Flows {
	return &Flows{accounts: repo, crm: crm, mail: mail, db: db}
}

var emailLimit = &runtime.Throttle{Limit: 100, Period: time.Minute}

func (f *Flows) Functions() []*runtime.Function {
	return []*runtime.Function{
		runtime.NewFunction(runtime.FunctionOpts{
			ID:          "signup-flow",
			Idempotency: "event.data.user_id",
			Throttle:    emailLimit,
			Cancel: []runtime.Cancel{{ // silent: exprcheck, eventname (a constant condition on an event another service sends)
				Event: "accounts/user.deleted",
				If:    "async.data.user_id == event.data.user_id",
			}},
		}, accounts.SignupCompleted.Trigger(), f.Signup),
		runtime.NewFunction(runtime.FunctionOpts{
			ID:          "run-playbook",
			Idempotency: "event.data.user_id + '-' + event.data.plan",
			Throttle:    emailLimit,
		}, accounts.PlaybookStarted.Trigger(), f.RunPlaybook),
		runtime.NewFunction(runtime.FunctionOpts{ // want "idempotency: .*Send"
			ID:       "trial-ending-reminder",
			Throttle: emailLimit,
		}, accounts.TrialEnding.Trigger(), f.TrialEndingReminder),
		runtime.NewFunction(runtime.FunctionOpts{
			ID:          "send-invite",
			Idempotency: "event.data.workspace_id + ':' + event.data.email",
			Throttle:    emailLimit,
		}, accounts.TeamInvited.Trigger(), f.SendInvite),
	}
}
