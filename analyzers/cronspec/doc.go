// Package cronspec defines an Analyzer that reports cron schedules that do
// not parse, time zones that do not exist, and schedules that fire more
// often than a configurable floor.
//
// # Analyzer cronspec
//
// cronspec: report cron specs and TZ= zones that do not parse, and schedules that fire too often
//
// cronspec checks the constant spec given to runtime.CronTrigger and to
// inngestgo.CronTrigger (or an inngestgo.Trigger{Cron: ...} literal),
// wherever the call is: in a definition, a helper, a method or a package
// of triggers. It reports:
//
//   - a spec that does not parse as the engine parses it: five fields
//     (minute hour day-of-month month day-of-week) or a descriptor
//     (@hourly, @daily, @every 10m...), optionally preceded by TZ=<zone>
//     or CRON_TZ=<zone>;
//   - a TZ= zone that is not in the IANA database ("TZ=Paris",
//     "TZ=Europe/Pariss"), or a TZ= prefix with no schedule after it;
//   - a schedule whose shortest interval between two firings is below
//     -min-interval (default 1m, the resolution of a cron expression, so
//     that only @every specs below a minute are reported out of the box;
//     raise it to, say, 5m to keep high-frequency schedules out of a
//     module).
//
// # Why it matters in production
//
// The engine parses cron specs when the function is registered: a typo
// stops the engine from starting, in production, at deploy time, not in
// review. A schedule that fires every few seconds starts a run (and its
// journal rows) every few seconds, forever.
//
// # How to fix
//
// Fix the spec; name zones by their IANA name (Region/City); schedule
// polling work no more often than the floor, or drive it by events.
//
// Before:
//
//	runtime.CronTrigger("TZ=Paris 0 9 * * 1-5")
//	runtime.CronTrigger("0 25 * * *")
//	runtime.CronTrigger("@every 5s")
//
// After:
//
//	runtime.CronTrigger("TZ=Europe/Paris 0 9 * * 1-5")
//	runtime.CronTrigger("0 1 * * *")
//	runtime.CronTrigger("@every 5m")
package cronspec
