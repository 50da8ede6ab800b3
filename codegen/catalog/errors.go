package catalog

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/durable-go/durable/internal/yamlpos"
)

// Pos, Error and ErrorList are the positioned errors of the catalog: every
// problem names file:line:col.
type (
	Pos       = yamlpos.Pos
	Error     = yamlpos.Error
	ErrorList = yamlpos.ErrorList
)

// maxExcerpt is the most bytes of a value that a message quotes.
const maxExcerpt = 64

// excerpt quotes s for a message, cut to its first maxExcerpt bytes: the
// position names the place, and a message must not echo a huge value.
func excerpt(s string) string {
	if len(s) <= maxExcerpt {
		return strconv.Quote(s)
	}
	cut := maxExcerpt
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + fmt.Sprintf("… (%d bytes)", len(s))
}
