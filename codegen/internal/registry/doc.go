// Package registry finds the durable functions of a Go module: every
// package-level variable initialised by a call to runtime.NewFunction, with
// the function ID read from its runtime.FunctionOpts{ID: ...} literal.
//
// Packages are listed with golang.org/x/tools/go/packages (so test files,
// testdata, vendor and nested modules are left out as `go list ./...`
// leaves them out) and only the files that mention NewFunction are parsed.
// The scan is syntactic: it does not type-check, which keeps it about as
// fast as `go list`. IDs must be constant strings: literals, concatenations
// of them, and constants declared in the module (in the same package or in
// an imported one).
//
// Packages with errors (go list errors, syntax errors) are tolerated and
// reported as warnings; the functions found in what parsed are kept.
// Duplicate function IDs anywhere in the module, IDs that are not constant,
// and functions the registry package could not import (because of internal/
// rules or an import cycle) are errors.
package registry
