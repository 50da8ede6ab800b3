// Package cronspec parses the schedules of cron triggers: a standard
// 5-field spec or a descriptor (@hourly, @every 1h30m), optionally after a
// time zone (TZ= or CRON_TZ=); UTC without one.
package cronspec

import (
	"fmt"
	"strings"
	"time"

	"github.com/durable-go/durable/runtime/internal/quote"
	"github.com/robfig/cron/v3"
)

// Schedule is a parsed spec (runtime.Schedule).
type Schedule interface {
	// Next returns the first activation time after t.
	Next(t time.Time) time.Time
}

// Parse parses spec. Errors quote an excerpt of it.
func Parse(spec string) (Schedule, error) {
	s := strings.TrimSpace(spec)
	if strings.HasPrefix(s, "CRON_TZ=") {
		s = "TZ=" + strings.TrimPrefix(s, "CRON_TZ=")
	}
	if strings.HasPrefix(s, "TZ=") {
		zone, _, ok := strings.Cut(strings.TrimPrefix(s, "TZ="), " ")
		if !ok {
			return nil, fmt.Errorf("cron %s: a schedule must follow the time zone", quote.Excerpt(spec, 0))
		}
		// Local would make the schedule depend on the zone of each
		// machine that runs an engine (the cronspec analyzer refuses it
		// too); "" is UTC to LoadLocation, which the spec did not say.
		if _, err := time.LoadLocation(zone); err != nil || zone == "" || zone == "Local" {
			return nil, fmt.Errorf("cron %s: unknown time zone %s: use an IANA name such as Europe/Paris or UTC", quote.Excerpt(spec, 0), quote.Excerpt(zone, 0))
		}
	} else {
		s = "TZ=UTC " + s
	}
	sched, err := cron.ParseStandard(s)
	if err != nil {
		return nil, fmt.Errorf("cron %s: %w", quote.Excerpt(spec, 0), err)
	}
	return sched, nil
}
