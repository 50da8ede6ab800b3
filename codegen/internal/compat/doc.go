// Package compat compares two versions of an event catalog for `durable
// generate --check --against <revision or file>`: it reports the changes to
// each event's data that break the producers or the consumers of the
// previous version, and requires a new v for them.
//
// A change breaks producers when an event valid under the previous schema
// is refused by the new one, and consumers when code written for the
// previous type misreads or fails on an event the new schema accepts:
//
//   - field removed (both); field made required or added as required
//     (producers); field no longer required (consumers: they rely on it);
//   - type changed (both), narrowed from number to integer (producers),
//     widened from integer to number (consumers decode an int64); a
//     free-form object given fields (producers: other properties are now
//     refused), an object with fields made free-form (consumers);
//   - enum added or an enum value removed, format added or changed, minimum
//     raised or maximum lowered (producers);
//   - default changed or removed (consumers: events of the previous version
//     that omit the field meant the old default).
//
// Compatible changes are listed too: optional field added, enum value
// added, enum, format or a bound removed, bound widened, default added,
// sensitive set or cleared, event added. Descriptions are not compared.
// A field without a minimum or maximum has the range of its Go type (int64,
// float64), which its schema states: writing that range out changes nothing.
// Named types compare by the JSON they accept, not by name (renaming a type
// with the same fields is compatible); a named type's changes are reported
// once per event, at the first field that uses it.
//
// A breaking change passes when the event's v differs between the two
// catalogs. A catalog declares one version per event, so the previous
// version's type is gone from the new catalog: events of that version still
// stored (queued runs, waits, runs replayed later) are decoded into the new
// type. The CLI says so in a warning; drain them (or send the new shape
// under a new event name) before deploying. An event removed from the
// catalog is reported but does not fail: its generated types are gone, so
// every consumer or typed producer that still uses it fails to build.
package compat
