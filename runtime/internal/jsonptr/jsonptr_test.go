package jsonptr

import "testing"

func TestJoin(t *testing.T) {
	tests := []struct {
		tokens []string
		want   string
	}{
		{nil, ""},
		{[]string{"data", "items", "0"}, "/data/items/0"},
		{[]string{"a/b", "m~n"}, "/a~1b/m~0n"},
		{[]string{"~1"}, "/~01"}, // ~ first, so that the / of ~1 is not read back
		{[]string{""}, "/"},
	}
	for _, tt := range tests {
		if got := Join(tt.tokens); got != tt.want {
			t.Errorf("Join(%q) = %q, want %q", tt.tokens, got, tt.want)
		}
	}
}
