// Package jsonptr writes JSON pointers (RFC 6901), by which errors and
// the sealing of sensitive fields name a place in an event envelope.
package jsonptr

import "strings"

var escaper = strings.NewReplacer("~", "~0", "/", "~1")

// Escape escapes one reference token: ~ as ~0, / as ~1.
func Escape(tok string) string { return escaper.Replace(tok) }

// Join writes the pointer of the reference tokens, each escaped: "" for
// none, else "/" before each.
func Join(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(Escape(t))
	}
	return b.String()
}
