// Package idemhelp is an application's integrations package: vendor
// clients wrapped behind small services, as production code writes them.
package idemhelp

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/smtp"

	"github.com/sashabaranov/go-openai"
	"github.com/sendgrid/sendgrid-go"
	"github.com/slack-go/slack"
	stripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/charge"
	"github.com/stripe/stripe-go/v76/refund"
	"github.com/twilio/twilio-go"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// Payments wraps Stripe.
type Payments struct{}

// Charge charges with no idempotency key.
func (Payments) Charge(ctx context.Context, customer string, amount int64) (string, error) { // want Charge:`nonIdempotent\(charge.New\)`
	c, err := charge.New(&stripe.ChargeParams{Amount: stripe.Int64(amount)})
	if err != nil {
		return "", fmt.Errorf("charging %s: %w", customer, err)
	}
	return c.ID, nil
}

// ChargeKeyed charges with a Stripe idempotency key.
func (Payments) ChargeKeyed(ctx context.Context, orderID string, amount int64) (string, error) { // want ChargeKeyed:`passesKey\(stripe.Params.SetIdempotencyKey → idempotency key\)`
	p := &stripe.ChargeParams{Amount: stripe.Int64(amount)}
	p.SetIdempotencyKey("charge-" + orderID)
	c, err := charge.New(p)
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

// Refund refunds a charge.
func (Payments) Refund(ctx context.Context, chargeID string) error { // want Refund:`nonIdempotent\(refund.New\)`
	_, err := refund.New(&stripe.RefundParams{Charge: stripe.String(chargeID)})
	return err
}

// Mailer sends transactional email through SendGrid.
type Mailer struct{ c *sendgrid.Client }

func NewMailer(key string) *Mailer { return &Mailer{c: sendgrid.NewSendClient(key)} }

func (m *Mailer) SendReceipt(ctx context.Context, to string) error { // want SendReceipt:`nonIdempotent\(sendgrid.Client.SendWithContext\)`
	_, err := m.c.SendWithContext(ctx, map[string]string{"to": to, "template": "receipt"})
	return err
}

// Welcome sends an email over SMTP.
func Welcome(to string) error { // want Welcome:`nonIdempotent\(smtp.SendMail\)`
	return smtp.SendMail("localhost:25", nil, "shop@example.com", []string{to}, nil)
}

// Text sends an SMS; building the parameters is not the call.
func Text(to, body string) error { // want Text:`nonIdempotent\(openapi.ApiService.CreateMessage\)`
	params := (&openapi.CreateMessageParams{}).SetTo(to).SetBody(body)
	_, err := twilio.NewRestClient().Api.CreateMessage(params)
	return err
}

// Post posts to a Slack channel; looking a user up is a read.
func Post(ctx context.Context, api *slack.Client, channel, text string) error { // want Post:`nonIdempotent\(slack.Client.PostMessageContext\)`
	if _, err := api.GetUserInfoContext(ctx, "U1"); err != nil {
		return err
	}
	_, _, err := api.PostMessageContext(ctx, channel, slack.MsgOptionText(text, false))
	return err
}

// Summarize asks an LLM: a retry costs tokens but reaches nobody.
func Summarize(ctx context.Context, ai *openai.Client, text string) (string, error) {
	resp, err := ai.CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: "gpt-4o-mini"})
	return resp.ID, err
}

// IndexDocument upserts a search document by its ID: idempotent.
func IndexDocument(ctx context.Context, id string, doc []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, "https://search.internal/docs/"+id, bytes.NewReader(doc))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// DeleteDocument deletes a search document by its ID: idempotent.
func DeleteDocument(ctx context.Context, id string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, "https://search.internal/docs/"+id, nil)
	if err != nil {
		return err
	}
	_, err = http.DefaultClient.Do(req)
	return err
}

// Embed posts text to an embedding service.
func Embed(ctx context.Context, text string) error {
	_, err := http.Post("https://embeddings.internal/v1/embed", "text/plain", bytes.NewReader([]byte(text)))
	return err
}

// OrderRepo is the SQL implementation of the order repository.
type OrderRepo struct{ db *sql.DB }

// Record inserts the event once: keyed on the event ID.
func (r *OrderRepo) Record(ctx context.Context, eventID, orderID string) error {
	_, err := r.db.ExecContext(ctx, "INSERT INTO processed (event_id, order_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", eventID, orderID)
	return err
}

// MarkPaid updates a row.
func (r *OrderRepo) MarkPaid(ctx context.Context, orderID string) error {
	_, err := r.db.ExecContext(ctx, "UPDATE orders SET paid = true WHERE id = $1", orderID)
	return err
}

// Notifier is how workflows reach customers; SMSNotifier implements it.
type Notifier interface {
	Notify(ctx context.Context, to, msg string) error
}

type SMSNotifier struct{}

func (SMSNotifier) Notify(ctx context.Context, to, msg string) error { // want Notify:`nonIdempotent\(idemhelp.Text → openapi.ApiService.CreateMessage\)`
	return Text(to, msg)
}
