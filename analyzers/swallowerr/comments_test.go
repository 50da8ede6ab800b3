package swallowerr

import "testing"

func TestCommentKinds(t *testing.T) {
	tests := []struct {
		text              string
		reason, directive bool
	}{
		{"// best effort: the grace period is advisory", true, false},
		{"// A lost rating is not worth failing an answer the user already has.", true, false},
		{"// The summary is optional.", true, false},
		{"// ignore errors: analytics only", true, false},
		{"// errors here are retried by the nightly job", true, false},
		{"// Charge the card.", false, false},
		{"// Reload the order.", false, false},
		{"// overrides the default", false, false},
		{"//durable:ignore swallowerr best effort", true, true},
		{"// want `the error of step.Run`", true, true},
		{"// silent: swallowerr (best effort)", true, true},
	}
	for _, tt := range tests {
		if got := reason.MatchString(tt.text); got != tt.reason {
			t.Errorf("reason(%q) = %v, want %v", tt.text, got, tt.reason)
		}
		if got := directive.MatchString(tt.text); got != tt.directive {
			t.Errorf("directive(%q) = %v, want %v", tt.text, got, tt.directive)
		}
	}
}
