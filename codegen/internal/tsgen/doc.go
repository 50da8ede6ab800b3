// Package tsgen writes the TypeScript declarations (.d.ts) of a catalog's
// event types, for services that send or receive the events from Node: one
// interface per event's data, named type and inline object (named as in
// Go), enums as unions of literals, optional fields with ?, integers and
// numbers as number and times as string (a doc comment says which, with
// the format, bounds, default and sensitivity), maps as Record<string, T>;
// then EventDataByName and EventVersionByName by event name, EventName and
// Envelope, the union of every event's {name, data, id, ts, v}.
//
// Output depends only on its inputs, so it is byte-identical across runs,
// and starts with a "// Code generated ... DO NOT EDIT." line.
package tsgen
