package runtime

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/durable-go/durable/runtime/internal/cronspec"
	"github.com/durable-go/durable/runtime/internal/expr"
	"github.com/durable-go/durable/runtime/internal/quote"
)

// Trigger says what starts runs of a function: an event (optionally
// filtered by a CEL expression) or a cron schedule. Triggers combines several.
type Trigger struct {
	event string
	ifSrc string
	cron  string
	many  []Trigger

	ifProg   *expr.Bool
	schedule Schedule
}

// EventTrigger starts a run for every event named name for which the CEL
// expression ifExpr holds (an empty ifExpr always holds). The event is in
// scope as `event`, as in `event.data.amount > 100`.
func EventTrigger(name, ifExpr string) Trigger { return Trigger{event: name, ifSrc: ifExpr} }

// CronTrigger starts a run on a schedule: a standard 5-field cron spec
// ("0 9 * * 1-5"), or a descriptor such as "@hourly", optionally prefixed by
// a time zone: "TZ=Europe/Paris 0 9 * * *". Without a zone, UTC is used.
func CronTrigger(spec string) Trigger { return Trigger{cron: spec} }

// Triggers combines triggers: the function runs when any of them fires.
func Triggers(ts ...Trigger) Trigger { return Trigger{many: ts} }

// Event is the event name of an event trigger, or "".
func (t Trigger) Event() string { return t.event }

// If is the filter expression of an event trigger, or "".
func (t Trigger) If() string { return t.ifSrc }

// Cron is the spec of a cron trigger, or "".
func (t Trigger) Cron() string { return t.cron }

func (t Trigger) flatten() []Trigger {
	if t.many == nil {
		if t.event == "" && t.cron == "" {
			return nil
		}
		return []Trigger{t}
	}
	var out []Trigger
	for _, m := range t.many {
		out = append(out, m.flatten()...)
	}
	return out
}

func (t *Trigger) compile() error {
	switch {
	case t.cron != "":
		s, err := ParseCron(t.cron)
		if err != nil {
			return err
		}
		t.schedule = s
	case strings.TrimSpace(t.event) == "":
		return errors.New("event trigger with an empty event name")
	}
	if at, bad := quote.Unprintable(t.event); bad {
		// No event with such a name is accepted (see limits.checkEvent).
		return fmt.Errorf("trigger %s: the event name has a control or invalid character at byte %d", quote.Excerpt(t.event, at), at)
	}
	switch {
	case t.cron != "":
	case t.ifSrc != "":
		p, err := expr.Compile(t.ifSrc, false, defaultLimits.eval)
		if err != nil {
			return fmt.Errorf("trigger %s: If expression: %w", quote.Excerpt(t.event, 0), err)
		}
		t.ifProg = p
	}
	return nil
}

// Schedule is a parsed cron spec.
type Schedule interface {
	// Next returns the first activation time after t.
	Next(t time.Time) time.Time
}

// ParseCron parses a cron spec as CronTrigger accepts it.
func ParseCron(spec string) (Schedule, error) { return cronspec.Parse(spec) }
