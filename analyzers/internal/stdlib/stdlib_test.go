package stdlib

import "testing"

func TestPath(t *testing.T) {
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"net/http", true},
		{"fmt", true},
		{"database/sql", true},
		{"crypto/rand", true},
		{"github.com/stripe/stripe-go/v82", false},
		{"acme.dev/shop/orders", false},
		{"mailer", false}, // a GOPATH-style fixture, not the standard library
		{"example/net", false},
		{"", false},
	} {
		if got := Path(tc.path); got != tc.want {
			t.Errorf("Path(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}
