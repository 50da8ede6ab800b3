package runtime_test

import (
	"context"
	"strings"
	"testing"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

type signup struct {
	Email   string  `json:"email"`
	Secret  string  `json:"password" durable:"sensitive"`
	Profile profile `json:"profile"`
	Cards   []card  `json:"cards"`
}

type profile struct {
	Name string `json:"name"`
	SSN  string `json:"ssn" durable:"sensitive"`
}

type card struct {
	Number string `json:"number" durable:"sensitive"`
	Brand  string `json:"brand"`
}

// A hand-written event type with no schema still encrypts the fields its Go
// type tags `durable:"sensitive"`.
func TestSensitiveStructTagsAreEncrypted(t *testing.T) {
	signedUp := runtime.NewEventType[signup]("auth/user.signed-up", "1", nil)
	if !strings.Contains(string(signedUp.Schema()), `"x-sensitive":true`) {
		t.Fatalf("schema = %s", signedUp.Schema())
	}
	seen := make(chan signup, 1)
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "welcome"}, signedUp.Trigger(),
		func(ctx context.Context, in runtime.Input[signup]) (any, error) {
			seen <- in.Event.Data
			return step.Run(ctx, "greet", func(ctx context.Context) (string, error) { return "hi " + in.Event.Data.Profile.Name, nil })
		})
	te := newEngineOpts(t, runtime.Options{
		Functions: []*runtime.Function{fn}, Events: []runtime.EventDescriptor{signedUp},
		EncryptionKey: []byte("0123456789abcdef0123456789abcdef"),
	})
	data := signup{Email: "ada@example.com", Secret: "hunter2-secret", Profile: profile{Name: "Ada", SSN: "078-05-1120"},
		Cards: []card{{Number: "4242424242424242", Brand: "visa"}}}
	if _, err := te.Send(context.Background(), signedUp.New(data)); err != nil {
		t.Fatal(err)
	}
	te.await(t, te.onlyRun(t, "welcome"), runtime.RunCompleted)
	if got := <-seen; got.Secret != data.Secret || got.Profile.SSN != data.Profile.SSN || got.Cards[0].Number != data.Cards[0].Number {
		t.Errorf("the function saw %+v, want plaintext %+v", got, data)
	}
	stored := storedText(t, te.path)
	for _, secret := range []string{data.Secret, data.Profile.SSN, data.Cards[0].Number} {
		if strings.Contains(stored, secret) {
			t.Errorf("the store holds %q in clear", secret)
		}
	}
	if !strings.Contains(stored, "ada@example.com") {
		t.Errorf("fields not tagged sensitive should stay readable")
	}
}

func TestNoSensitiveTagsNoSchema(t *testing.T) {
	if s := runtime.NewEventType[order]("shop/order.created", "1", nil).Schema(); s != nil {
		t.Errorf("schema = %s, want none", s)
	}
}
