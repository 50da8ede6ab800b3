// Package codegen implements `durable generate`: it reads a catalog
// (durable.yaml, see package catalog) and produces the typed Go events
// (package gogen), one JSON Schema per event (package schemagen), the
// registry of every durable function of the module (package registry) and,
// when asked, the TypeScript declarations of the event types (package
// tsgen).
//
// Generation is all or nothing: every output is computed in memory first,
// and files are written (each to a temporary file renamed into place) only
// when everything succeeded. Files whose content is unchanged are not
// rewritten, so their modification times stay put; output is byte-identical
// across runs. Schemas of events removed from the catalog are deleted.
//
// Plan computes the outputs without writing; Plan.Stale and Plan.Diff serve
// `durable generate --check`, Plan.Write writes. Plan.Compatibility serves
// `--check --against`: it compares the catalog with its previous version
// (package compat) and lists the changes that need a new v.
package codegen
