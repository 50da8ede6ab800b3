// Package suite lists the durable analyzers: what every driver (durable lint,
// durable-vet, the golangci-lint plugin) runs, and the metadata every driver,
// document and report derives from (Rules).
package suite

import (
	"sync"

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

// Severity is how a finding is presented: errors and warnings fail
// `durable lint`, notes are printed and do not.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityNote    Severity = "note"
)

// Categories group the analyzers in their documentation.
const (
	// CategoryCorrectness: the code misbehaves on replay, retry or at run time.
	CategoryCorrectness = "correctness"
	// CategoryReliability: the code works until something fails (a retry
	// repeats an effect, a failure goes unhandled).
	CategoryReliability = "reliability"
	// CategorySecurity: data that should be protected is not.
	CategorySecurity = "security"
	// CategoryConventions: names that break the project's conventions or
	// disagree with the catalog.
	CategoryConventions = "conventions"
	// CategoryAdvice: the code is correct but could be cheaper or clearer.
	CategoryAdvice = "advice"
	// CategoryDirectives: //durable:ignore directives themselves.
	CategoryDirectives = "directives"
)

// Rule is an analyzer with the metadata drivers and documents derive from.
type Rule struct {
	Analyzer *analysis.Analyzer
	// Severity is the default severity of the analyzer's findings;
	// Rule.SeverityOf refines it per finding.
	Severity Severity
	Category string
	// Since is the module version the analyzer first shipped in.
	Since string
}

// firstVersion is the module's first version: every analyzer that predates
// the first tag shipped in it.
const firstVersion = "v0.1.0"

// DiagnosticCategoryAdvice and DiagnosticCategoryIgnore are the
// analysis.Diagnostic.Category values that override an analyzer's default
// severity for one finding.
const (
	// DiagnosticCategoryAdvice marks a finding that is advice, whatever the
	// analyzer's default: it is always a note.
	DiagnosticCategoryAdvice = "advice"
	// DiagnosticCategoryIgnore marks a malformed or unused //durable:ignore
	// directive, reported under the analyzer it names: it has durableignore's
	// severity.
	DiagnosticCategoryIgnore = "ignore"
)

// SeverityOf is the default severity of one finding of r whose
// analysis.Diagnostic.Category is category. Drivers apply the user's
// configured severities on top of it.
func (r Rule) SeverityOf(category string) Severity {
	switch category {
	case DiagnosticCategoryAdvice:
		return SeverityNote
	case DiagnosticCategoryIgnore:
		return directivesSeverity
	}
	return r.Severity
}

// directivesSeverity is durableignore's severity, shared by the directive
// findings other analyzers report (DiagnosticCategoryIgnore): a stale or
// malformed ignore is worth fixing but is not itself a bug.
const directivesSeverity = SeverityWarning

// checks are the analyzers that report findings, in documentation order.
// Analyzers whose findings are all advice (Category "advice" on every
// diagnostic) default to notes.
func checks() []Rule {
	return []Rule{
		{sideeffect.Analyzer, SeverityError, CategoryCorrectness, firstVersion},
		{waittimeout.Analyzer, SeverityError, CategoryCorrectness, firstVersion},
		// Whether a call is idempotent is a judgement the analyzer cannot
		// always make (the callee may dedupe on its own key): a warning.
		{idempotency.Analyzer, SeverityWarning, CategoryReliability, firstVersion},
		{unregistered.Analyzer, SeverityError, CategoryCorrectness, firstVersion},
		{nestedstep.Analyzer, SeverityError, CategoryCorrectness, firstVersion},
		{stepid.Analyzer, SeverityError, CategoryCorrectness, firstVersion},
		{stepcapture.Analyzer, SeverityError, CategoryCorrectness, firstVersion},
		{stepresult.Analyzer, SeverityError, CategoryCorrectness, firstVersion},
		{goroutine.Analyzer, SeverityError, CategoryCorrectness, firstVersion},
		{steploop.Analyzer, SeverityNote, CategoryAdvice, firstVersion},
		{parallel.Analyzer, SeverityNote, CategoryAdvice, firstVersion},
		{concurrency.Analyzer, SeverityNote, CategoryAdvice, firstVersion},
		// Names off the convention are advice (notes); a name missing from
		// the catalog is likely a typo but the catalog may list only this
		// service's events: a warning.
		{eventname.Analyzer, SeverityWarning, CategoryConventions, firstVersion},
		{sensitive.Analyzer, SeverityError, CategorySecurity, firstVersion},
		{swallowerr.Analyzer, SeverityError, CategoryCorrectness, firstVersion},
		{blockingapi.Analyzer, SeverityNote, CategoryAdvice, firstVersion},
		{exprcheck.Analyzer, SeverityError, CategoryCorrectness, firstVersion},
		{cronspec.Analyzer, SeverityError, CategoryCorrectness, firstVersion},
		{failurehandler.Analyzer, SeverityError, CategoryReliability, firstVersion},
		{fnsize.Analyzer, SeverityNote, CategoryAdvice, firstVersion},
	}
}

// rules is built once so that every caller sees the same durableignore
// analyzer (drivers compare analyzers by pointer).
var rules = sync.OnceValue(func() []Rule {
	rs := checks()
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.Analyzer.Name
	}
	return append(rs, Rule{ignore.UnknownAnalyzer(names), directivesSeverity, CategoryDirectives, firstVersion})
})

// Rules returns every analyzer with its metadata, in documentation order,
// durableignore last.
func Rules() []Rule {
	return append([]Rule(nil), rules()...)
}

// Lookup returns the rule of the analyzer named name.
func Lookup(name string) (Rule, bool) {
	for _, r := range rules() {
		if r.Analyzer.Name == name {
			return r, true
		}
	}
	return Rule{}, false
}

// Analyzers returns every durable analyzer, followed by durableignore, which
// reports //durable:ignore directives that name none of them.
func Analyzers() []*analysis.Analyzer {
	rs := rules()
	as := make([]*analysis.Analyzer, len(rs))
	for i, r := range rs {
		as[i] = r.Analyzer
	}
	return as
}
