package functions

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"os"
	"time"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
	"github.com/slack-go/slack"

	"acme.dev/notify/prefs"
)

// DailyDigest asks for one digest per subscriber.
func (n *Notifier) DailyDigest(ctx context.Context, input inngestgo.Input[Cron]) (any, error) {
	users, err := step.Run(ctx, "load-subscribers", func(ctx context.Context) ([]string, error) { // silent: stepid (same ID in another function registered through the same helper)
		return n.prefs.DigestSubscribers(ctx)
	})
	if err != nil {
		return nil, err
	}
	day := time.Unix(input.Event.TS/1000, 0).UTC().Format(time.DateOnly)
	_, err = step.Run(ctx, "request-digests", func(ctx context.Context) (int, error) {
		for _, u := range users {
			if _, err := n.client.Send(ctx, inngestgo.Event{ // want "idempotency: .*step\\.Send" not "runtime\\.|SendEvent"
				Name: EventDigestRequested,
				Data: map[string]any{"notification_id": "digest-" + day + "-" + u, "user_id": u},
			}); err != nil {
				return 0, err
			}
		}
		return len(users), nil
	})
	return len(users), err
}

type digestTemplate struct {
	Subject string `json:"subject"`
	HTML    string `json:"html"`
}

// RenderDigest renders one user's digest and mails it, unless the user
// unsubscribes during the quiet hour before sending.
func (n *Notifier) RenderDigest(ctx context.Context, input inngestgo.Input[Notification]) (any, error) {
	d := input.Event.Data
	p, err := step.Run(ctx, "load-preferences", func(ctx context.Context) (prefs.Prefs, error) { // silent: stepid (same ID in another function registered through the same helper)
		return n.prefs.Get(ctx, d.UserID)
	})
	if err != nil {
		return nil, err
	}
	raw, err := step.Run(ctx, "load-template", func(ctx context.Context) ([]byte, error) {
		return os.ReadFile("templates/digest.json")
	})
	if err != nil {
		return nil, err
	}
	var tpl digestTemplate
	json.Unmarshal(raw, &tpl) // want "swallowerr: .*Unmarshal" not "runtime\\."

	_, err = step.WaitForEvent[inngestgo.GenericEvent[map[string]any]](ctx, "quiet-hour", step.WaitForEventOpts{
		Event:   "notify/digest.unsubscribed",
		If:      inngestgo.StrPtr(fmt.Sprintf(`async.data.user_id == "%s"`, d.UserID)), // want "exprcheck: .*async\\.data\\.\\w+ == event\\.data\\." not "runtime\\."
		Timeout: time.Hour,
	})
	if err == nil {
		return "unsubscribed", nil
	}
	if err != step.ErrEventNotReceived {
		return nil, err
	}

	html, err := step.Run(ctx, "render", func(ctx context.Context) (string, error) {
		var b bytes.Buffer
		t, err := template.New("digest").Parse(tpl.HTML)
		if err != nil {
			return "", err
		}
		err = t.Execute(&b, p)
		return b.String(), err
	})
	if err != nil {
		return nil, err
	}
	if _, err := step.Run(ctx, "send-digest", func(ctx context.Context) (bool, error) {
		return true, n.email.Send(ctx, d.NotificationID, p.Email, tpl.Subject, html)
	}); err != nil {
		return nil, err
	}
	n.client.Send(ctx, inngestgo.Event{Name: "notify/digest.sent", Data: map[string]any{"user_id": d.UserID}}) // want "sideeffect: .*Send" not "runtime\\." "swallowerr: .*Send" not "runtime\\."
	return "sent", nil
}

// PurgeBounced stops emailing addresses that bounced.
func (n *Notifier) PurgeBounced(ctx context.Context, input inngestgo.Input[Cron]) (any, error) {
	users, err := step.Run(ctx, "load-bounced", func(ctx context.Context) ([]string, error) {
		return n.prefs.Bounced(ctx)
	})
	if err != nil {
		return nil, err
	}
	_, err = step.Run(ctx, "disable-email", func(ctx context.Context) (int, error) {
		for _, u := range users {
			if err := n.prefs.DisableEmail(ctx, u); err != nil {
				return 0, err
			}
			// The CRM listens for this; the ID dedupes a retried step's sends.
			if _, err := n.client.Send(ctx, inngestgo.Event{ // silent: idempotency (every event sent carries an ID)
				ID:   inngestgo.StrPtr(fmt.Sprintf("email-disabled-%d-%s", input.Event.TS, u)),
				Name: "notify/email.disabled",
				Data: map[string]any{"user_id": u},
			}); err != nil {
				return 0, err
			}
		}
		return len(users), nil
	})
	return len(users), err
}

// AlertOnFailure posts runs that failed for good to the on-call channel.
func (n *Notifier) AlertOnFailure(ctx context.Context, input inngestgo.Input[FailedRun]) (any, error) {
	f := input.Event.Data
	return step.Run(ctx, "post-alert", func(ctx context.Context) (string, error) {
		_, ts, err := n.slack.PostMessageContext(ctx, "#notify-oncall",
			slack.MsgOptionText(fmt.Sprintf("%s run %s failed: %v", f.FunctionID, f.RunID, f.Error["message"]), false))
		return ts, err
	})
}
