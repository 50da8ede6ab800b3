package cron

import (
	"context"
	"os"

	"cronlib"

	"github.com/durable-go/durable/runtime"
)

func handler(ctx context.Context, in runtime.Input[runtime.CronData]) (any, error) { return nil, nil }

// Positive cases.

var BadField = runtime.NewFunction(runtime.FunctionOpts{ID: "bad-field"},
	runtime.CronTrigger("0 25 * * *"), // want `cron "0 25 \* \* \*": does not parse: .*end of range \(25\) above maximum \(23\)`
	handler)

var BadZone = runtime.NewFunction(runtime.FunctionOpts{ID: "bad-zone"},
	runtime.CronTrigger("TZ=Paris 0 9 * * 1-5"), // want `cron "TZ=Paris 0 9 \* \* 1-5": unknown time zone "Paris": use an IANA name`
	handler)

var ZoneOnly = runtime.NewFunction(runtime.FunctionOpts{ID: "zone-only"},
	runtime.CronTrigger("TZ=Europe/Paris"), // want `a schedule must follow the time zone`
	handler)

var FourFields = runtime.NewFunction(runtime.FunctionOpts{ID: "four-fields"},
	runtime.Triggers(
		runtime.EventTrigger("shop/order.created", ""),
		runtime.CronTrigger("0 9 * *"), // want `does not parse: expected exactly 5 fields, found 4`
	),
	handler)

var TooOften = runtime.NewFunction(runtime.FunctionOpts{ID: "too-often"},
	runtime.CronTrigger("@every 10s"), // want `fires every 10s, more often than the floor of 1m0s \(-min-interval\)`
	handler)

// Cross-package constants.
var Shared = runtime.NewFunction(runtime.FunctionOpts{ID: "shared"},
	runtime.Triggers(
		runtime.CronTrigger(cronlib.BadHour), // want `cron "0 25 \* \* \*": does not parse`
		runtime.CronTrigger(cronlib.BadZone), // want `unknown time zone "Europe/Pariss"`
	),
	handler)

type Schedules struct{}

// Method building a trigger.
func (Schedules) Weekly() runtime.Trigger {
	return runtime.CronTrigger("0 9 * * MON-FRY") // want `does not parse`
}

// Generic helper.
func Named[T any](spec string) runtime.Trigger { return runtime.CronTrigger(spec) }

func Generic() runtime.Trigger {
	return Named[int]("not a cron") // spec is not constant in Named: not checked
}

func GenericBad[T any]() runtime.Trigger {
	return runtime.CronTrigger("61 * * * *") // want `does not parse`
}

// Negative cases.

var Daily = runtime.NewFunction(runtime.FunctionOpts{ID: "daily"},
	runtime.CronTrigger("TZ=Europe/Paris 0 9 * * 1-5"), handler)

var Tz = runtime.NewFunction(runtime.FunctionOpts{ID: "tz"},
	runtime.CronTrigger("CRON_TZ=America/New_York 30 2 1 * *"), handler)

var EveryMinute = runtime.NewFunction(runtime.FunctionOpts{ID: "every-minute"},
	runtime.CronTrigger("* * * * *"), handler)

var Descriptor = runtime.NewFunction(runtime.FunctionOpts{ID: "descriptor"},
	runtime.Triggers(runtime.CronTrigger("@daily"), runtime.CronTrigger("@every 1h30m")), handler)

var FromShared = runtime.NewFunction(runtime.FunctionOpts{ID: "from-shared"},
	runtime.CronTrigger(cronlib.Nightly), handler)

var FromEnv = runtime.NewFunction(runtime.FunctionOpts{ID: "from-env"},
	runtime.CronTrigger(os.Getenv("SCHEDULE")), handler) // not constant: checked at start-up by the engine

func (Schedules) Monthly() runtime.Trigger { return runtime.CronTrigger("0 0 1 * *") }

var Ignored = runtime.NewFunction(runtime.FunctionOpts{ID: "ignored"},
	runtime.CronTrigger("@every 15s"), //durable:ignore cronspec a heartbeat for the demo only
	handler)
