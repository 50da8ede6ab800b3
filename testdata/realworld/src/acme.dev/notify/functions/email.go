package functions

import (
	"context"
	"errors"
	"time"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"

	"acme.dev/notify/prefs"
)

// SendEmail mails a notification and, for those that ask for it, falls
// back to SMS when the email is not opened within two days.
func (n *Notifier) SendEmail(ctx context.Context, input inngestgo.Input[Notification]) (any, error) {
	d := input.Event.Data
	p, err := step.Run(ctx, "load-preferences", func(ctx context.Context) (prefs.Prefs, error) { // silent: stepid (same ID in another function registered through the same helper)
		return n.prefs.Get(ctx, d.UserID)
	})
	if err != nil {
		return nil, err
	}
	if !p.EmailOn {
		return "email disabled", nil
	}
	if _, err := step.Run(ctx, "send-email", func(ctx context.Context) (bool, error) {
		return true, n.email.Send(ctx, d.NotificationID, p.Email, d.Subject, d.Body)
	}); err != nil {
		return nil, err
	}
	if !d.Fallback || !p.SMS {
		return "sent", nil
	}

	_, err = step.WaitForEvent[Opened](ctx, "wait-for-open", step.WaitForEventOpts{
		Event:   EventEmailOpened,
		If:      inngestgo.StrPtr("async.data.notification_id == event.data.notification_id"), // silent: exprcheck (Opened declares only the fields this code reads, not the event's schema)
		Timeout: 48 * time.Hour,
	})
	if errors.Is(err, step.ErrEventNotReceived) {
		_, err := step.Send(ctx, "fall-back-to-sms", inngestgo.Event{
			ID:   inngestgo.StrPtr("sms-" + d.NotificationID),
			Name: EventSMSRequested,
			Data: map[string]any{"notification_id": d.NotificationID, "user_id": d.UserID, "body": d.Subject},
		})
		return "fell back to sms", err
	}
	return "opened", err
}

// SendSMS texts a notification and waits for the carrier's receipt.
func (n *Notifier) SendSMS(ctx context.Context, input inngestgo.Input[Notification]) (any, error) {
	d := input.Event.Data
	p, err := step.Run(ctx, "load-preferences", func(ctx context.Context) (prefs.Prefs, error) {
		return n.prefs.Get(ctx, d.UserID)
	})
	if err != nil {
		return nil, err
	}
	sid, err := step.Run(ctx, "send-sms", func(ctx context.Context) (string, error) {
		return n.sms.Send(ctx, p.Phone, d.Body)
	})
	if err != nil {
		return nil, err
	}
	receipt, err := step.WaitForEvent[inngestgo.GenericEvent[map[string]any]](ctx, "wait-for-delivery", step.WaitForEventOpts{
		Event:   EventSMSDelivered,
		If:      inngestgo.StrPtr("event.data.notification_id == event.data.notification_id"), // want "exprcheck: .*async" not "runtime\\."
		Timeout: time.Hour,
	})
	if err != nil { // want "waittimeout: .*ErrEventNotReceived" not "ErrTimeout|runtime\\."
		// No receipt within the hour: the carrier dropped it.
		return map[string]string{"sid": sid, "status": "undelivered"}, nil
	}
	if segments, ok := receipt.Data["segments"].(int); ok && segments > 1 { // want "stepresult: .*float64" not "runtime\\."
		return map[string]string{"sid": sid, "status": "delivered", "billing": "multi-segment"}, nil
	}
	return map[string]string{"sid": sid, "status": "delivered"}, nil
}
