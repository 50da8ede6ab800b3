// Package stamp formats time stamps for records.
package stamp

import "time"

// Now is the current time as a record stamp.
func Now() string { return time.Now().UTC().Format(time.RFC3339) }
