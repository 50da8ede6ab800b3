// Package functions holds the notification workflows.
package functions

import (
	"log"
	"time"

	"github.com/inngest/inngestgo"
	"github.com/slack-go/slack"

	"acme.dev/notify/channels"
	"acme.dev/notify/prefs"
)

type Notifier struct {
	client inngestgo.Client
	prefs  prefs.Store
	email  *channels.Email
	sms    *channels.SMS
	slack  *slack.Client
}

func New(client inngestgo.Client, p prefs.Store, e *channels.Email, s *channels.SMS, sc *slack.Client) *Notifier {
	return &Notifier{client: client, prefs: p, email: e, sms: s, slack: sc}
}

// Register creates every notification function; a definition that fails
// stops the service.
func (n *Notifier) Register() {
	register := func(id string, trigger inngestgo.Trigger, h inngestgo.SDKFunction[Notification]) {
		if _, err := inngestgo.CreateFunction(n.client, inngestgo.FunctionOpts{
			ID:          id,
			Idempotency: inngestgo.StrPtr("event.data.notification_id"),
			Throttle:    &inngestgo.ConfigThrottle{Limit: 50, Period: time.Minute},
		}, trigger, h); err != nil {
			log.Fatalf("function %s: %v", id, err)
		}
	}
	register("send-email", inngestgo.EventTrigger(EventEmailRequested, nil), n.SendEmail)
	register("render-digest", inngestgo.EventTrigger(EventDigestRequested, nil), n.RenderDigest)

	if _, err := inngestgo.CreateFunction(n.client, inngestgo.FunctionOpts{ // want "idempotency: .*CreateMessage" not "runtime\\."
		ID:        "send-sms",
		RateLimit: &inngestgo.ConfigRateLimit{Limit: 1, Period: time.Minute, Key: inngestgo.StrPtr("event.data.user_id")},
	}, inngestgo.EventTrigger(EventSMSRequested, nil), n.SendSMS); err != nil {
		log.Fatalf("send-sms: %v", err)
	}

	crons := func(id, cron string, h inngestgo.SDKFunction[Cron]) {
		if _, err := inngestgo.CreateFunction(n.client, inngestgo.FunctionOpts{ID: id}, inngestgo.CronTrigger(cron), h); err != nil {
			log.Fatalf("function %s: %v", id, err)
		}
	}
	crons("daily-digest", "TZ=America/New_York 0 7 * * *", n.DailyDigest)
	inngestgo.CreateFunction(n.client, inngestgo.FunctionOpts{ID: "purge-bounced"}, inngestgo.CronTrigger("30 * * * *"), n.PurgeBounced) // want "swallowerr: .*CreateFunction" not "runtime\\." // silent: idempotency (disabling addresses is not irreversible, and a cron gets no duplicate events)

	if _, err := inngestgo.CreateFunction(n.client, inngestgo.FunctionOpts{ // want "idempotency: .*PostMessageContext" not "runtime\\."
		ID:       "alert-on-failure",
		Throttle: &inngestgo.ConfigThrottle{Limit: 20, Period: time.Minute},
	}, inngestgo.EventTrigger("inngest/function.failed", nil), n.AlertOnFailure); err != nil {
		log.Fatalf("alert-on-failure: %v", err)
	}
}
