// Package registry finds the durable functions of a Go module: every
// package-level variable that holds the result of runtime.NewFunction
// (initialised with it, or assigned it in a function such as init), with
// the function ID read from its runtime.FunctionOpts{ID: ...} literal.
// Which calls define a function and where their value goes is decided by
// internal/durablefn, which the analyzers use too, so that the unregistered
// analyzer's stale-registry check expects exactly what this scan lists
// (TestScanAgreesWithAnalyzer holds both to one table of cases).
//
// Packages are listed with golang.org/x/tools/go/packages (so test files,
// testdata, vendor and nested modules are left out as `go list ./...`
// leaves them out) and only the files that mention NewFunction are parsed.
// The scan is syntactic: it does not type-check, which keeps it about as
// fast as `go list`. IDs must be constant strings: literals, concatenations
// of them, conversions to string types, and constants declared in the
// module (in the same package, in an imported one, or a dot-imported one).
//
// Packages with errors (go list errors, syntax errors) are tolerated and
// reported as warnings; the functions found in what parsed are kept.
// Duplicate function IDs anywhere in the module, IDs that are not constant,
// and functions the registry package could not import (because of internal/
// rules or an import cycle) are errors.
package registry
