package functions

import "github.com/inngest/inngestgo"

const (
	EventEmailRequested  = "notify/email.requested"
	EventSMSRequested    = "notify/sms.requested"
	EventDigestRequested = "notify/digest.requested"
	EventEmailOpened     = "notify/email.opened"
	EventSMSDelivered    = "notify/sms.delivered"
)

type NotificationData struct {
	NotificationID string `json:"notification_id"`
	UserID         string `json:"user_id"`
	Subject        string `json:"subject"`
	Body           string `json:"body"`
	Fallback       bool   `json:"fallback_to_sms"`
}

type (
	Notification = inngestgo.GenericEvent[NotificationData]
	Cron         = inngestgo.GenericEvent[map[string]any]
	// Opened is the part of SendGrid's open webhook, relayed as
	// notify/email.opened, that this service reads.
	Opened = inngestgo.GenericEvent[struct {
		OpenedAt int64 `json:"opened_at"`
	}]
	FailedRun = inngestgo.GenericEvent[struct {
		FunctionID string         `json:"function_id"`
		RunID      string         `json:"run_id"`
		Error      map[string]any `json:"error"`
	}]
)
