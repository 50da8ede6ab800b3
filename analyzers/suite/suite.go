// Package suite lists the durable analyzers: what every driver (durable lint,
// durable-vet, the golangci-lint plugin) runs.
package suite

import (
	"golang.org/x/tools/go/analysis"

	"github.com/durable-go/durable/analyzers/blockingapi"
	"github.com/durable-go/durable/analyzers/concurrency"
	"github.com/durable-go/durable/analyzers/cronspec"
	"github.com/durable-go/durable/analyzers/eventname"
	"github.com/durable-go/durable/analyzers/exprcheck"
	"github.com/durable-go/durable/analyzers/failurehandler"
	"github.com/durable-go/durable/analyzers/fnsize"
	"github.com/durable-go/durable/analyzers/goroutine"
	"github.com/durable-go/durable/analyzers/idempotency"
	"github.com/durable-go/durable/analyzers/internal/ignore"
	"github.com/durable-go/durable/analyzers/nestedstep"
	"github.com/durable-go/durable/analyzers/parallel"
	"github.com/durable-go/durable/analyzers/sensitive"
	"github.com/durable-go/durable/analyzers/sideeffect"
	"github.com/durable-go/durable/analyzers/stepcapture"
	"github.com/durable-go/durable/analyzers/stepid"
	"github.com/durable-go/durable/analyzers/steploop"
	"github.com/durable-go/durable/analyzers/stepresult"
	"github.com/durable-go/durable/analyzers/swallowerr"
	"github.com/durable-go/durable/analyzers/unregistered"
	"github.com/durable-go/durable/analyzers/waittimeout"
)

// checks are the analyzers that report findings, in documentation order.
func checks() []*analysis.Analyzer {
	return []*analysis.Analyzer{
		sideeffect.Analyzer,
		waittimeout.Analyzer,
		idempotency.Analyzer,
		unregistered.Analyzer,
		nestedstep.Analyzer,
		stepid.Analyzer,
		stepcapture.Analyzer,
		stepresult.Analyzer,
		goroutine.Analyzer,
		steploop.Analyzer,
		parallel.Analyzer,
		concurrency.Analyzer,
		eventname.Analyzer,
		sensitive.Analyzer,
		swallowerr.Analyzer,
		blockingapi.Analyzer,
		exprcheck.Analyzer,
		cronspec.Analyzer,
		failurehandler.Analyzer,
		fnsize.Analyzer,
	}
}

// Analyzers returns every durable analyzer, followed by durableignore, which
// reports //durable:ignore directives that name none of them.
func Analyzers() []*analysis.Analyzer {
	as := checks()
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = a.Name
	}
	return append(as, ignore.UnknownAnalyzer(names))
}
