// Package channels delivers notifications: email through SendGrid, SMS
// through Twilio.
package channels

import (
	"context"
	"fmt"

	"github.com/sendgrid/sendgrid-go"
	"github.com/sendgrid/sendgrid-go/helpers/mail"
	"github.com/twilio/twilio-go"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

type Email struct {
	client *sendgrid.Client
	from   *mail.Email
}

func NewEmail(key, from string) *Email {
	return &Email{client: sendgrid.NewSendClient(key), from: mail.NewEmail("Acme", from)}
}

// Send mails one notification; notificationID comes back in SendGrid's
// open and bounce webhooks.
func (e *Email) Send(ctx context.Context, notificationID, to, subject, html string) error {
	msg := mail.NewSingleEmail(e.from, subject, mail.NewEmail("", to), "", html)
	msg.SetCustomArg("notification_id", notificationID)
	resp, err := e.client.SendWithContext(ctx, msg)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("sendgrid: %d", resp.StatusCode)
	}
	return nil
}

type SMS struct {
	client *twilio.RestClient
	from   string
}

func NewSMS(from string) *SMS { return &SMS{client: twilio.NewRestClient(), from: from} }

func (s *SMS) Send(ctx context.Context, to, body string) (string, error) {
	params := &openapi.CreateMessageParams{}
	params.SetTo(to).SetFrom(s.from).SetBody(body)
	msg, err := s.client.Api.CreateMessage(params)
	if err != nil {
		return "", err
	}
	return *msg.Sid, nil
}
