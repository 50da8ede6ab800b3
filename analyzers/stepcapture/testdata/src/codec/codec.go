// Package codec is a library used by step callbacks of other packages.
package codec

import "strings"

type Order struct {
	ID     string
	Status string
}

// Apply copies a status update into dst: it writes through dst.
func Apply(update string, dst *Order) { // want Apply:`writesParams\(\[1\]\)`
	dst.Status = strings.TrimSpace(update)
}

// Normalize writes through its argument by way of Apply.
func Normalize(o *Order) { // want Normalize:`writesParams\(\[0\]\)`
	Apply(o.Status, o)
}

// Describe only reads.
func Describe(o *Order) string { return o.ID + ":" + o.Status }
