// Package cronlib holds schedules shared across packages.
package cronlib

import "github.com/durable-go/durable/runtime"

const (
	Nightly  = "TZ=Europe/Paris 0 2 * * *"
	BadHour  = "0 25 * * *"
	BadZone  = "TZ=Europe/Pariss 0 2 * * *"
	Frequent = "*/5 * * * *"
)

// Every5 fires every five minutes: fine by default, too often with -min-interval 10m.
func Every5() runtime.Trigger {
	return runtime.CronTrigger(Frequent) // want `cron "\*/5 \* \* \* \*": fires every 5m0s \(00:05 then 00:10\), more often than the floor of 10m0s`
}

// Hourly is fine with any floor up to an hour.
func Hourly() runtime.Trigger { return runtime.CronTrigger("@hourly") }
