// Package idempotency defines an Analyzer that reports durable functions
// that move money or reach people with no idempotency key, and steps that
// send events through a client.
//
// # Analyzer idempotency
//
// idempotency: report payments, emails, SMS, push and chat messages in functions with no idempotency key, and client sends inside steps
//
// It reports three things.
//
// A durable function (runtime.NewFunction or inngestgo.CreateFunction)
// whose options set no Idempotency key while its body, inside or outside
// steps, makes a call that is not idempotent and that people see or pay
// for (an error):
//
//   - payments: Stripe charges, payment intents (create, confirm,
//     capture), refunds, payouts, transfers and invoice payments
//     (github.com/stripe/stripe-go/..., every major version), PayPal
//     captures, payouts and refunds;
//   - email: net/smtp.SendMail, SendGrid (github.com/sendgrid/sendgrid-go),
//     Mailgun, Resend, Postmark, Mailjet, Amazon SES, gomail and go-mail;
//   - SMS and calls: Twilio (github.com/twilio/twilio-go), Vonage, Amazon SNS;
//   - push notifications: Firebase Cloud Messaging, APNs (sideshow/apns2), Expo;
//   - chat messages: Slack (github.com/slack-go/slack), Discord, Telegram, WhatsApp;
//   - any function listed with the -calls flag (comma-separated
//     "import/path.Func" or "import/path.Type.Method"): your own payment
//     service's client, or "net/http.Client.Do" to count every HTTP call.
//
// Functions triggered only by cron schedules are not reported: a cron
// starts one run per tick, and there is no duplicate event to dedupe.
// Calls that are safe to repeat are not reported: reads, LLM, embedding
// and translation requests, search-index upserts and deletes by document
// ID, SQL writes (an INSERT ... ON CONFLICT DO NOTHING keyed on the event
// ID is the usual way to make them idempotent), and plain HTTP requests. A
// call does not count either when the function making it passes a key: an
// "Idempotency-Key" header, an IdempotencyKey field or SetIdempotencyKey
// (Stripe style). Calls are followed through helpers in any package and
// through interfaces whose implementations the program declares
// (repo.Save reaching the SQL implementation), and the message shows the
// chain.
//
// A call, inside a step's callback, that sends events through a client
// (the engine's Engine.Send, inngestgo's Client.Send, SendMany or
// inngestgo.Send), directly or through helpers, when the events carry no
// ID (an error): a retried step sends them again and every consumer runs
// twice.
//
// A function with no Idempotency key whose step IDs name an irreversible
// action, when the step calls your own code rather than a known vendor SDK
// (advice, category "advice"); the message names the step. An ID names
// one when its first word is such a verb (charge, pay, payout, refund,
// transfer, withdraw, disburse, bill, email, mail, sms, text, notify:
// "charge-card", "transfer-funds"), when a generic verb (create, capture,
// issue, process, make, execute, initiate, submit, confirm) is followed by
// a money noun (charge, payment, payout, refund, transfer, withdrawal:
// "capture-payment"), or when "send" is followed by what reaches a person
// (email, mail, SMS, text, notification, receipt, invoice, message,
// reminder, push: "sendEmail", "send-receipt"). "record-payout" or
// "disable-email" do not.
//
// # Why it matters
//
// Events are delivered at least once: a producer retries a send after a
// timeout, a webhook fires twice. Without an idempotency key each delivery
// starts a run, and each run charges the card or sends the email again.
// Steps are also at-least-once: a crash or an error after the call and
// before the commit runs it again, so a step that sends events through a
// client sends them twice, while step.SendEvent (step.Send in the Inngest
// SDK) is recorded once per run.
//
// # How to fix
//
// Set the function's Idempotency expression (CEL over the event), or pass a
// key derived from the event to the call:
//
//	// Before
//	runtime.FunctionOpts{ID: "charge-customer"}
//	inngestgo.FunctionOpts{ID: "charge-customer"}
//
//	// After
//	runtime.FunctionOpts{ID: "charge-customer", Idempotency: "event.data.order_id"}
//	inngestgo.FunctionOpts{ID: "charge-customer", Idempotency: inngestgo.StrPtr("event.data.order_id")}
//
// Send events from a function with step.SendEvent (step.Send), or give each
// event an ID derived from the run (runtime.Event{ID: ...},
// inngestgo.Event{ID: inngestgo.StrPtr(...)}): the engine drops an event
// whose ID it has already seen.
package idempotency
