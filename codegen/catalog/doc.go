// Package catalog reads durable.yaml, the event catalog of `durable
// generate`.
//
// The file is decoded strictly from gopkg.in/yaml.v3 nodes: unknown keys,
// values of the wrong type, duplicate keys, duplicate event names, unknown
// type references and malformed names are all reported, every one of them
// at once, as `file:line:col: message` (see ErrorList).
//
// The Go types in this package (Config and what it holds) are the single
// definition of the file format: the decoder reflects over them, and
// ConfigSchema derives from them the JSON Schema published as
// schemas/durable.schema.json, so a key added to a type is decoded, checked
// and published at once.
package catalog
