package vendors

import (
	"go/token"
	"go/types"
	"testing"
)

func TestNormalizePath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"github.com/stripe/stripe-go/v82/charge", "github.com/stripe/stripe-go/charge"},
		{"github.com/stripe/stripe-go/v76", "github.com/stripe/stripe-go"},
		{"github.com/twilio/twilio-go/rest/api/v2010", "github.com/twilio/twilio-go/rest/api"},
		{"firebase.google.com/go/v4/messaging", "firebase.google.com/go/messaging"},
		{"github.com/slack-go/slack", "github.com/slack-go/slack"},
		{"github.com/vonage/vonage-go-sdk", "github.com/vonage/vonage-go-sdk"},
	} {
		if got := NormalizePath(tc.in); got != tc.want {
			t.Errorf("NormalizePath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// method builds a method name on a named type recv of package path.
func method(path, recv, name string) *types.Func {
	pkg := types.NewPackage(path, "p")
	tn := types.NewTypeName(token.NoPos, pkg, recv, nil)
	named := types.NewNamed(tn, types.NewStruct(nil, nil), nil)
	sig := types.NewSignatureType(types.NewVar(token.NoPos, pkg, "c", types.NewPointer(named)), nil, nil, nil, nil, false)
	return types.NewFunc(token.NoPos, pkg, name, sig)
}

func function(path, name string) *types.Func {
	pkg := types.NewPackage(path, "p")
	return types.NewFunc(token.NoPos, pkg, name, types.NewSignatureType(nil, nil, nil, nil, nil, false))
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   *types.Func
		want Category // "" when not classified
	}{
		{"stripe charge, any major version", function("github.com/stripe/stripe-go/v82/charge", "New"), Payment},
		{"stripe charge client", method("github.com/stripe/stripe-go/v76/charge", "Client", "New"), Payment},
		{"stripe v82 service", method("github.com/stripe/stripe-go/v82", "V1RefundService", "Create"), Payment},
		{"stripe helper", function("github.com/stripe/stripe-go/v82", "String"), ""},
		{"stripe charge read", function("github.com/stripe/stripe-go/v82/charge", "Get"), ""},
		{"sendgrid send", method("github.com/sendgrid/sendgrid-go", "Client", "Send"), Email},
		{"smtp", function("net/smtp", "SendMail"), Email},
		{"twilio message", method("github.com/twilio/twilio-go/rest/api/v2010", "ApiService", "CreateMessage"), SMS},
		{"twilio read", method("github.com/twilio/twilio-go/rest/api/v2010", "ApiService", "FetchMessage"), ""},
		{"slack post", method("github.com/slack-go/slack", "Client", "PostMessageContext"), Chat},
		{"slack read", method("github.com/slack-go/slack", "Client", "GetUserInfoContext"), ""},
		{"fcm", method("firebase.google.com/go/v4/messaging", "Client", "Send"), Push},
		{"openai is rate-limited, not irreversible", method("github.com/sashabaranov/go-openai", "Client", "CreateChatCompletion"), ""},
		{"same name elsewhere", method("acme.dev/mail", "Client", "Send"), ""},
	} {
		c, ok := Classify(tc.fn)
		if ok != (tc.want != "") || c.Category != tc.want {
			t.Errorf("%s: Classify = %q, %v; want %q", tc.name, c.Category, ok, tc.want)
		}
	}
}

func TestRateLimitedPackage(t *testing.T) {
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"github.com/sashabaranov/go-openai", true},
		{"github.com/openai/openai-go/v2", true},
		{"github.com/stripe/stripe-go/v82/paymentintent", true},
		{"github.com/aws/aws-sdk-go-v2/service/sesv2", true},
		{"github.com/aws/aws-sdk-go-v2/service/s3", false},
		{"github.com/sendgrid/sendgrid-go-extra", false},
		{"net/http", false},
	} {
		if got := RateLimitedPackage(tc.path); got != tc.want {
			t.Errorf("RateLimitedPackage(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}
