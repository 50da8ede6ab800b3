// Package quote quotes input for error messages and logs: bounded, escaped
// and cut on character boundaries, so that a hostile input (a megabyte
// event name, terminal escapes in an ID) cannot make an error message as
// large as itself or rewrite the reader's terminal.
package quote

import (
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// ExcerptBytes bounds the text an error message quotes from an input.
const ExcerptBytes = 64

// Excerpt quotes s for an error message: all of it when short, otherwise
// at most ExcerptBytes around byte offset at, with the offset and the total
// length. Quoting escapes control characters.
func Excerpt(s string, at int) string {
	if len(s) <= ExcerptBytes {
		return strconv.Quote(s)
	}
	at = max(0, min(at, len(s)))
	start := max(0, at-ExcerptBytes/2)
	end := min(len(s), start+ExcerptBytes)
	start = max(0, end-ExcerptBytes)
	// Cut on character boundaries.
	for start > 0 && !utf8.RuneStart(s[start]) {
		start--
	}
	for end < len(s) && !utf8.RuneStart(s[end]) {
		end++
	}
	q := strconv.Quote(s[start:end])
	if start > 0 {
		q = "…" + q
	}
	if end < len(s) {
		q += "…"
	}
	return fmt.Sprintf("%s (bytes %d-%d of %d)", q, start, end, len(s))
}

// Inline returns s as it is when it is short and printable, and its
// excerpt (quoted, escaped, bounded) otherwise: for text that is usually
// plain, such as a JSON pointer, but comes from the input.
func Inline(s string) string {
	if _, bad := Unprintable(s); bad || len(s) > 2*ExcerptBytes {
		return Excerpt(s, 0)
	}
	return s
}

// Unprintable returns the byte offset of the first character of s that is
// not printable (control characters, which carry terminal escapes and line
// breaks into logs, and invalid UTF-8).
func Unprintable(s string) (int, bool) {
	for i, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return i, true
		}
	}
	return 0, false
}

// Clip cuts s to at most n bytes, on a character boundary, marking the cut.
// Unlike Excerpt it does not quote: for text that is already a message.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
