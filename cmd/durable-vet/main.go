// Command durable-vet runs the durable analyzers under go vet:
//
//	go install github.com/durable-go/durable/cmd/durable-vet@latest
//	go vet -vettool=$(go env GOPATH)/bin/durable-vet ./...
//
// It is a unitchecker: go vet runs it once per package, with the facts of
// the package's dependencies (a helper's side effect is seen from the
// function that calls it), on the build cache's export data. Analyzer flags
// are passed through go vet, as in
//
//	go vet -vettool=$(which durable-vet) -idempotency.calls=example.com/pay.Charge ./...
//
// and -sideeffect=false (or any analyzer name) turns one off. Findings
// print as file:line:col: message; go vet exits 1 when there are any.
// durable lint runs the same analyzers with JSON and SARIF output and
// durable.yaml settings.
package main

import (
	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/durable-go/durable/analyzers/suite"
)

func main() { unitchecker.Main(suite.Analyzers()...) }
