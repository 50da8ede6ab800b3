package quote

import (
	"strings"
	"testing"
)

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("a", 100) + "XYZ" + strings.Repeat("b", 100)
	tests := []struct {
		name string
		s    string
		at   int
		want string
	}{
		{name: "short, whole", s: "event.data.x > 1", want: `"event.data.x > 1"`},
		{name: "control characters escaped", s: "a\x00b\nc\x1b[2J", want: `"a\x00b\nc\x1b[2J"`},
		{name: "exactly the bound", s: strings.Repeat("x", ExcerptBytes), want: `"` + strings.Repeat("x", ExcerptBytes) + `"`},
		{name: "long, at the start", s: long, at: 0, want: `"` + strings.Repeat("a", 64) + `"… (bytes 0-64 of 203)`},
		{name: "long, around a position", s: long, at: 101,
			want: `…"` + strings.Repeat("a", 31) + "XYZ" + strings.Repeat("b", 30) + `"… (bytes 69-133 of 203)`},
		{name: "long, at the end", s: long, at: 203, want: `…"` + strings.Repeat("b", 64) + `" (bytes 139-203 of 203)`},
		{name: "position past the end", s: long, at: 10_000, want: `…"` + strings.Repeat("b", 64) + `" (bytes 139-203 of 203)`},
		{name: "negative position", s: long, at: -5, want: `"` + strings.Repeat("a", 64) + `"… (bytes 0-64 of 203)`},
		{name: "cut on a character boundary", s: strings.Repeat("é", 40), at: 0, want: `"` + strings.Repeat("é", 32) + `"… (bytes 0-64 of 80)`},
		{name: "cut inside a character moves to its start", s: "a" + strings.Repeat("é", 40), at: 0, want: `"a` + strings.Repeat("é", 32) + `"… (bytes 0-65 of 81)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Excerpt(tt.s, tt.at); got != tt.want {
				t.Errorf("Excerpt(%.20q…, %d)\n got %s\nwant %s", tt.s, tt.at, got, tt.want)
			}
		})
	}
	// However large the input, the excerpt is bounded.
	huge := strings.Repeat("\x00", 1<<20)
	if got := Excerpt(huge, 1<<19); len(got) > 8*ExcerptBytes {
		t.Errorf("excerpt of 1 MiB is %d bytes", len(got))
	}
}

func TestUnprintable(t *testing.T) {
	tests := []struct {
		s    string
		at   int
		want bool
	}{
		{s: "shop/order.created"},
		{s: "shop/commande créée 🛒"},
		{s: "a\tb", at: 1, want: true},
		{s: "ab\x7f", at: 2, want: true},
		{s: "é\u202e", at: 2, want: true}, // right-to-left override
		{s: "x\xff", at: 1, want: true},
		{s: "\u00a0nbsp", at: 0, want: true}, // only the ASCII space is a printable space
	}
	for _, tt := range tests {
		at, bad := Unprintable(tt.s)
		if bad != tt.want || (bad && at != tt.at) {
			t.Errorf("Unprintable(%q) = %d, %v; want %d, %v", tt.s, at, bad, tt.at, tt.want)
		}
	}
}

func TestInline(t *testing.T) {
	long := strings.Repeat("k", 200)
	tests := []struct{ s, want string }{
		{"/data/items/0/quantity", "/data/items/0/quantity"},
		{"/data/a\nb", `"/data/a\nb"`},
		{"/data/" + long, `"/data/` + strings.Repeat("k", 58) + `"… (bytes 0-64 of 206)`},
	}
	for _, tt := range tests {
		if got := Inline(tt.s); got != tt.want {
			t.Errorf("Inline(%.30q) = %s, want %s", tt.s, got, tt.want)
		}
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{s: "undeclared reference", n: 40, want: "undeclared reference"},
		{s: "undeclared reference", n: 10, want: "undeclared…"},
		{s: "aéb", n: 2, want: "a…"}, // é is bytes 1-2: the cut moves to its start
		{s: "aéb", n: 3, want: "aé…"},
		{s: "éé", n: 0, want: "…"},
	}
	for _, tt := range tests {
		if got := Clip(tt.s, tt.n); got != tt.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
