// Package gogen renders the Go files of `durable generate` with
// github.com/dave/jennifer: the typed events of a catalog (a data struct
// and a runtime.EventType value per event, the catalog's named types, and
// Events listing them all) and the function registry (Functions, every
// durable function of the module sorted by ID).
//
// Output depends only on its inputs, so it is byte-identical across runs,
// and starts with a "// Code generated ... DO NOT EDIT." line.
package gogen
