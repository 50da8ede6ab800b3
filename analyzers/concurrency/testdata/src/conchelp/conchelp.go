// Package conchelp wraps a mailer; callers in other packages inherit its fact.
package conchelp

import (
	"context"

	"github.com/sendgrid/sendgrid-go"
)

var client = sendgrid.NewSendClient("key")

func SendReceipt(ctx context.Context, to string) error { // want SendReceipt:`rateLimited\(sendgrid.Client.SendWithContext\)`
	_, err := client.SendWithContext(ctx, to)
	return err
}

// NewMailer builds a client: no call to the service.
func NewMailer() *sendgrid.Client { return sendgrid.NewSendClient("key") }
