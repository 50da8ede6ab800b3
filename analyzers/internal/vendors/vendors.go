// Package vendors knows the calls of common vendor SDKs that reach people
// or money (payments, email, SMS, push notifications, chat messages) and
// the SDKs of rate-limited services (those, plus LLM and code-hosting
// APIs), by their real import paths. idempotency reserves its errors for
// the first kind; concurrency advises limits for the second.
package vendors

import (
	"go/types"
	"regexp"
	"strings"
)

// Category is what a vendor call does.
type Category string

const (
	Payment Category = "payment"
	Email   Category = "email"
	SMS     Category = "SMS"
	Push    Category = "push notification"
	Chat    Category = "chat message"
)

// Call is a classified vendor call.
type Call struct {
	Category Category
	// Vendor is a short display name ("Stripe", "SendGrid").
	Vendor string
}

type rule struct {
	// path is the import path with major-version elements removed
	// (github.com/stripe/stripe-go/charge); a rule matches that package only.
	path string
	// recv is the receiver type's name, "" for package-level functions.
	recv   string
	names  []string
	cat    Category
	vendor string
}

var rules = []rule{
	// Payments.
	{"github.com/stripe/stripe-go/charge", "", []string{"New", "Capture"}, Payment, "Stripe"},
	{"github.com/stripe/stripe-go/charge", "Client", []string{"New", "Capture"}, Payment, "Stripe"},
	{"github.com/stripe/stripe-go/paymentintent", "", []string{"New", "Confirm", "Capture"}, Payment, "Stripe"},
	{"github.com/stripe/stripe-go/paymentintent", "Client", []string{"New", "Confirm", "Capture"}, Payment, "Stripe"},
	{"github.com/stripe/stripe-go/refund", "", []string{"New"}, Payment, "Stripe"},
	{"github.com/stripe/stripe-go/refund", "Client", []string{"New"}, Payment, "Stripe"},
	{"github.com/stripe/stripe-go/payout", "", []string{"New"}, Payment, "Stripe"},
	{"github.com/stripe/stripe-go/payout", "Client", []string{"New"}, Payment, "Stripe"},
	{"github.com/stripe/stripe-go/transfer", "", []string{"New"}, Payment, "Stripe"},
	{"github.com/stripe/stripe-go/transfer", "Client", []string{"New"}, Payment, "Stripe"},
	{"github.com/stripe/stripe-go/invoice", "", []string{"Pay"}, Payment, "Stripe"},
	{"github.com/stripe/stripe-go/invoice", "Client", []string{"Pay"}, Payment, "Stripe"},
	{"github.com/stripe/stripe-go", "V1ChargeService", []string{"Create", "Capture"}, Payment, "Stripe"},
	{"github.com/stripe/stripe-go", "V1PaymentIntentService", []string{"Create", "Confirm", "Capture"}, Payment, "Stripe"},
	{"github.com/stripe/stripe-go", "V1RefundService", []string{"Create"}, Payment, "Stripe"},
	{"github.com/stripe/stripe-go", "V1PayoutService", []string{"Create"}, Payment, "Stripe"},
	{"github.com/stripe/stripe-go", "V1TransferService", []string{"Create"}, Payment, "Stripe"},
	{"github.com/stripe/stripe-go", "V1InvoiceService", []string{"Pay"}, Payment, "Stripe"},
	{"github.com/plutov/paypal", "Client", []string{"CaptureOrder", "CreatePayout", "RefundCapture", "AuthorizeOrder"}, Payment, "PayPal"},
	// Email.
	{"net/smtp", "", []string{"SendMail"}, Email, "SMTP"},
	{"github.com/sendgrid/sendgrid-go", "Client", []string{"Send", "SendWithContext"}, Email, "SendGrid"},
	{"github.com/mailgun/mailgun-go", "MailgunImpl", []string{"Send"}, Email, "Mailgun"},
	{"github.com/mailgun/mailgun-go", "Mailgun", []string{"Send"}, Email, "Mailgun"},
	{"github.com/resend/resend-go", "EmailsSvcImpl", []string{"Send", "SendWithContext", "SendWithOptions"}, Email, "Resend"},
	{"github.com/resend/resend-go", "EmailsSvc", []string{"Send", "SendWithContext", "SendWithOptions"}, Email, "Resend"},
	{"github.com/resend/resend-go", "BatchSvcImpl", []string{"Send", "SendWithContext"}, Email, "Resend"},
	{"github.com/keighl/postmark", "Client", []string{"SendEmail", "SendTemplatedEmail", "SendEmailBatch"}, Email, "Postmark"},
	{"github.com/mrz1836/postmark", "Client", []string{"SendEmail", "SendTemplatedEmail", "SendEmailBatch"}, Email, "Postmark"},
	{"github.com/mailjet/mailjet-apiv3-go", "Client", []string{"SendMailV31"}, Email, "Mailjet"},
	{"github.com/aws/aws-sdk-go-v2/service/ses", "Client", []string{"SendEmail", "SendRawEmail", "SendTemplatedEmail", "SendBulkTemplatedEmail"}, Email, "Amazon SES"},
	{"github.com/aws/aws-sdk-go-v2/service/sesv2", "Client", []string{"SendEmail", "SendBulkEmail"}, Email, "Amazon SES"},
	{"gopkg.in/gomail.v2", "Dialer", []string{"DialAndSend"}, Email, "gomail"},
	{"github.com/go-mail/mail", "Dialer", []string{"DialAndSend"}, Email, "go-mail"},
	{"github.com/wneessen/go-mail", "Client", []string{"DialAndSend", "DialAndSendWithContext", "Send"}, Email, "go-mail"},
	// SMS and calls.
	{"github.com/twilio/twilio-go/rest/api", "ApiService", []string{"CreateMessage", "CreateCall"}, SMS, "Twilio"},
	{"github.com/vonage/vonage-go-sdk", "SMSClient", []string{"Send"}, SMS, "Vonage"},
	{"github.com/aws/aws-sdk-go-v2/service/sns", "Client", []string{"Publish", "PublishBatch"}, SMS, "Amazon SNS"},
	// Push notifications.
	{"firebase.google.com/go/messaging", "Client", []string{"Send", "SendAll", "SendMulticast", "SendEach", "SendEachForMulticast"}, Push, "Firebase Cloud Messaging"},
	{"github.com/appleboy/go-fcm", "Client", []string{"Send", "SendWithContext", "SendMulticast"}, Push, "Firebase Cloud Messaging"},
	{"github.com/sideshow/apns2", "Client", []string{"Push", "PushWithContext"}, Push, "APNs"},
	{"github.com/oliveroneill/exponent-server-sdk-golang/sdk", "PushClient", []string{"Publish", "PublishMultiple"}, Push, "Expo"},
	// Chat messages.
	{"github.com/slack-go/slack", "Client", []string{"PostMessage", "PostMessageContext", "SendMessage", "SendMessageContext",
		"PostEphemeral", "PostEphemeralContext", "ScheduleMessage", "ScheduleMessageContext", "UploadFile", "UploadFileContext",
		"UploadFileV2", "UploadFileV2Context"}, Chat, "Slack"},
	{"github.com/slack-go/slack", "", []string{"PostWebhook", "PostWebhookContext", "PostWebhookCustomHTTP", "PostWebhookCustomHTTPContext"}, Chat, "Slack"},
	{"github.com/bwmarrin/discordgo", "Session", []string{"ChannelMessageSend", "ChannelMessageSendComplex", "ChannelMessageSendEmbed",
		"ChannelMessageSendEmbeds", "ChannelMessageSendReply", "WebhookExecute", "FollowupMessageCreate"}, Chat, "Discord"},
	{"github.com/go-telegram-bot-api/telegram-bot-api", "BotAPI", []string{"Send", "SendMediaGroup"}, Chat, "Telegram"},
	{"github.com/go-telegram/bot", "Bot", []string{"SendMessage", "SendPhoto", "SendDocument", "SendMediaGroup"}, Chat, "Telegram"},
	{"gopkg.in/telebot.v3", "Bot", []string{"Send", "Reply", "SendAlbum"}, Chat, "Telegram"},
	{"go.mau.fi/whatsmeow", "Client", []string{"SendMessage"}, Chat, "WhatsApp"},
}

var byKey = map[string]Call{}

func init() {
	for _, r := range rules {
		for _, n := range r.names {
			k := r.path + "."
			if r.recv != "" {
				k += r.recv + "."
			}
			byKey[k+n] = Call{Category: r.cat, Vendor: r.vendor}
		}
	}
}

// versionElem matches a major-version path element: /v76, /v2010.
var versionElem = regexp.MustCompile(`/v[0-9]+(/|$)`)

// NormalizePath removes the major-version elements of an import path, so
// that one rule covers every major version of an SDK.
func NormalizePath(path string) string {
	for {
		p := versionElem.ReplaceAllString(path, "$1")
		p = strings.TrimSuffix(p, "/")
		if p == path {
			return p
		}
		path = p
	}
}

// key is "path.Func" or "path.Type.Method", with a normalised path.
func key(fn *types.Func) string {
	m := MemberName(fn)
	if m == "" {
		return ""
	}
	return NormalizePath(fn.Pkg().Path()) + "." + m
}

// MemberName is fn's name within its package: "Func" or "Type.Method"
// (the receiver's pointer dropped), or "" for a method of an unnamed type
// or a function of no package.
func MemberName(fn *types.Func) string {
	if fn == nil || fn.Pkg() == nil {
		return ""
	}
	name := fn.Name()
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil {
		t := sig.Recv().Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		n, ok := types.Unalias(t).(*types.Named)
		if !ok {
			return ""
		}
		name = n.Obj().Name() + "." + name
	}
	return name
}

// Classify reports whether calling fn moves money or reaches a person
// through a vendor SDK, and what kind of call it is.
func Classify(fn *types.Func) (Call, bool) {
	c, ok := byKey[key(fn)]
	return c, ok
}

// rateLimited are the import paths (normalised, prefixes) of the SDKs of
// services with per-account quotas: every vendor of Classify, and APIs
// whose calls are not irreversible but are rate-limited (LLMs, code hosting).
var rateLimited = []string{
	"net/smtp",
	"github.com/stripe/stripe-go",
	"github.com/plutov/paypal",
	"github.com/sendgrid/sendgrid-go",
	"github.com/mailgun/mailgun-go",
	"github.com/mailjet/mailjet-apiv3-go",
	"github.com/keighl/postmark",
	"github.com/mrz1836/postmark",
	"github.com/resend/resend-go",
	"github.com/twilio/twilio-go",
	"github.com/vonage/vonage-go-sdk",
	"github.com/aws/aws-sdk-go-v2/service/ses",
	"github.com/aws/aws-sdk-go-v2/service/sesv2",
	"github.com/aws/aws-sdk-go-v2/service/sns",
	"firebase.google.com/go/messaging",
	"github.com/appleboy/go-fcm",
	"github.com/slack-go/slack",
	"github.com/bwmarrin/discordgo",
	"github.com/google/go-github",
	"github.com/sashabaranov/go-openai",
	"github.com/openai/openai-go",
	"github.com/anthropics/anthropic-sdk-go",
	"google.golang.org/genai",
	"github.com/google/generative-ai-go",
}

// Known reports whether path is a package of a vendor SDK this package
// knows (of Classify or RateLimitedPackage).
func Known(path string) bool {
	if RateLimitedPackage(path) {
		return true
	}
	norm := NormalizePath(path)
	for _, r := range rules {
		if r.path == norm {
			return true
		}
	}
	return false
}

// RateLimitedPackage reports whether path is (in) the SDK of a rate-limited
// service, whatever its major version.
func RateLimitedPackage(path string) bool {
	return Under(path, rateLimited)
}

// Under reports whether path, or its version-free form, is one of the
// prefixes or a package below one.
func Under(path string, prefixes []string) bool {
	norm := NormalizePath(path)
	for _, p := range prefixes {
		for _, q := range []string{path, norm} {
			if q == p || strings.HasPrefix(q, p+"/") {
				return true
			}
		}
	}
	return false
}
