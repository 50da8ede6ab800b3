package sensitive_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/internal/testutil"
	"github.com/durable-go/durable/analyzers/sensitive"
)

func TestSensitive(t *testing.T) {
	testutil.Run(t, sensitive.Analyzer, "sens", "senstypes", "sensing", "senscat")
}

func TestSuspicious(t *testing.T) {
	for name, want := range map[string]bool{
		"password": true, "Password": true, "user_password": true, "newPassword": true, "passwd": true,
		"client_secret": true, "APIKey": true, "api_key": true, "apiKey": true, "access_token": true,
		"ssn": true, "SSN": true, "cvv": true, "IBAN": true, "card_number": true, "CardNumber": true,
		"creditCard": true, "private_key": true, "social_security_number": true,
		"email": false, "password_hash": false, "card_last4": false, "CardLast4": false, "token_count": false,
		"tokens": false, "secretary": false, "keyboard": false, "card": false, "token_expires_at": false,
	} {
		if got := sensitive.Suspicious(name); got != want {
			t.Errorf("Suspicious(%q) = %v, want %v", name, got, want)
		}
	}
}
