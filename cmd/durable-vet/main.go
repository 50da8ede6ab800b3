// Command durable-vet runs the durable analyzers under go vet:
//
//	go install github.com/durable-go/durable/cmd/durable-vet@latest
//	go vet -vettool=$(go env GOPATH)/bin/durable-vet ./...
//
// It is a unitchecker: go vet runs it once per package, with the facts of
// the package's dependencies (a helper's side effect is seen from the
// function that calls it), and caches each package's facts and findings.
// It applies the lint section of durable.yaml (the first found from the
// package's directory up to its module root: enable, disable, settings;
// severities are durable lint's) and then the analyzer flags passed
// through go vet, which win:
//
//	go vet -vettool=$(which durable-vet) -idempotency.calls=example.com/pay.Charge ./...
//
// and -sideeffect=false (or any analyzer name) turns one off. A durable.yaml
// whose lint section does not load stops go vet with its errors. Its
// content is part of the tool's ID (-V=full), so go vet's cache forgets
// findings computed with another version of it. Findings print as
// file:line:col: message; go vet exits 1 when there are any. durable lint
// runs the same analyzers with severities, JSON and SARIF output.
package main

import (
	"github.com/durable-go/durable/analyzers/suite"
	"github.com/durable-go/durable/analyzers/vettool"
)

func main() { vettool.Main(suite.Analyzers(), vettool.Options{ReadConfig: true}) }
