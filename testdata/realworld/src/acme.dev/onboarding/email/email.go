// Package email renders and sends the onboarding emails through SendGrid.
package email

import (
	"context"
	"fmt"

	"github.com/sendgrid/sendgrid-go"
	"github.com/sendgrid/sendgrid-go/helpers/mail"
)

type Sender struct {
	client *sendgrid.Client
	from   *mail.Email
}

func NewSender(key string) *Sender {
	return &Sender{client: sendgrid.NewSendClient(key), from: mail.NewEmail("Acme", "hello@acme.dev")}
}

func (s *Sender) Send(ctx context.Context, to, template string, vars map[string]string) error {
	msg := mail.NewSingleEmail(s.from, subjects[template], mail.NewEmail("", to), "", render(template, vars))
	resp, err := s.client.SendWithContext(ctx, msg)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("sendgrid %s: status %d", template, resp.StatusCode)
	}
	return nil
}

var subjects = map[string]string{
	"welcome":      "Welcome to Acme",
	"nudge":        "Your workspace is waiting",
	"trial-ending": "Your trial ends soon",
	"invite":       "You have been invited to Acme",
}

func render(template string, vars map[string]string) string {
	out := "<p>" + subjects[template] + "</p>"
	for k, v := range vars {
		out += fmt.Sprintf("<p>%s: %s</p>", k, v)
	}
	return out
}
