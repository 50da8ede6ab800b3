package sens

import (
	"context"

	"senstypes"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

// Positive cases.

type SignupData struct {
	Email    string `json:"email"`
	Password string `json:"password"` // want `field SignupData.Password \(password\) of event data looks sensitive and is not marked: .*tag it .durable:"sensitive". or keep it out of the event`
	APIKey   string `json:"api_key"`  // want `field SignupData.APIKey \(api_key\)`
	Profile  Profile
}

type Profile struct {
	SSN         string `json:"ssn"` // want `field Profile.SSN \(Profile.ssn\)`
	IBAN        string // want `field Profile.IBAN \(Profile.IBAN\)`
	AccessToken string `json:"access_token"` // want `field Profile.AccessToken`
}

var Signup = runtime.NewEventType[SignupData]("app/user.signed-up", "1", nil)

// Cross-package type: reported where it becomes event data.
var Paid = runtime.NewEventType[senstypes.Card]("app/card.added", "1", nil) // want `event data field Card.Number \(card_number, declared at senstypes.go:\d+\) looks sensitive and is not marked`

// Data of an event literal, in a method.
type Sender struct{}

type resetData struct {
	UserID     string `json:"user_id"`
	ResetToken string `json:"reset_token"` // want `field resetData.ResetToken \(reset_token\)`
}

func (Sender) Send(ctx context.Context) error {
	_, err := step.SendEvent(ctx, "send-reset", runtime.Event{Name: "app/password.reset-requested", Data: resetData{}})
	return err
}

// A generic payload: its type argument is walked.
type Envelope[T any] struct {
	Payload T      `json:"payload"`
	Secret  string `json:"secret"` // want `field Envelope.Secret \(secret\)`
}

type Inner struct {
	CreditCard string `json:"credit_card"` // want `field Inner.CreditCard \(payload.credit_card\)`
}

var Wrapped = runtime.NewFunction(runtime.FunctionOpts{ID: "wrapped"}, runtime.EventTrigger("app/thing.wrapped", ""),
	func(ctx context.Context, in runtime.Input[Envelope[Inner]]) (any, error) { return nil, nil })

// Negative cases.

type SafeData struct { // want SafeData:`marked\(Secret\)`
	Email        string `json:"email"`
	PasswordHash string `json:"password_hash"`
	CardLast4    string `json:"card_last4"`
	TokenCount   int    `json:"token_count"`
	// Sensitive: encrypted at rest, redacted in logs and UI.
	Secret   string `json:"secret"`
	Password string `json:"password" durable:"sensitive"`
	Tokens   []string
	Login    senstypes.Login // Password is marked by a comment in its package
	internal string
}

var Safe = runtime.NewEventType[SafeData]("app/user.updated", "1", nil)

// Not event data: a plain config struct.
type Config struct {
	DBPassword string
}

var _ = Config{}

type IgnoredData struct {
	Token string `json:"token"` //durable:ignore sensitive a one-time public share token, meant to be visible
}

var Ignored = runtime.NewEventType[IgnoredData]("app/share.created", "1", nil)
