// Package mail sends the shop's transactional email through SendGrid.
package mail

import (
	"context"
	"fmt"

	"github.com/sendgrid/sendgrid-go"
	"github.com/sendgrid/sendgrid-go/helpers/mail"
)

type SendGrid struct {
	client *sendgrid.Client
	from   *mail.Email
}

func NewSendGrid(key, from string) *SendGrid {
	return &SendGrid{client: sendgrid.NewSendClient(key), from: mail.NewEmail("Acme Shop", from)}
}

func (s *SendGrid) SendReceipt(ctx context.Context, to, orderID string, amountCents int64, currency string) error {
	body := fmt.Sprintf("<p>Thanks for your order %s: %d.%02d %s.</p>", orderID, amountCents/100, amountCents%100, currency)
	msg := mail.NewSingleEmail(s.from, "Your receipt", mail.NewEmail("", to), "", body)
	msg.SetCustomArg("order_id", orderID)
	resp, err := s.client.SendWithContext(ctx, msg)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("sendgrid: status %d: %s", resp.StatusCode, resp.Body)
	}
	return nil
}
