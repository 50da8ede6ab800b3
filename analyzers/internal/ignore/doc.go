// Package ignore implements the //durable:ignore directive.
//
// A directive silences the findings of one analyzer on the line it is on or,
// when it stands alone on its line, on the next line; in the doc comment of a
// function declaration it silences that analyzer in the whole declaration:
//
//	now := time.Now() //durable:ignore sideeffect only logged, never used for control flow
//
//	//durable:ignore waittimeout the sender always replies within the run's Finish timeout
//	ev, err := step.WaitForEvent(ctx, "wait-reply", events.Reply, step.WaitOpts{})
//
// A reason is required. A directive without one, or one that silences
// nothing, is itself reported by the analyzer it names, so stale ignores do
// not pile up.
//
// Analyzers report through a Reporter instead of pass.Report:
//
//	ig := ignore.New(pass, Analyzer.Name)
//	ig.Report(analysis.Diagnostic{...})   // or ig.Reportf(pos, format, args...)
//	ig.Finish()                           // reports malformed and unused directives
//
// # Analyzer durableignore
//
// durableignore: report //durable:ignore directives that name no known analyzer
//
// A finding that does not apply is silenced with a directive that names the
// analyzer and says why:
//
//	now := time.Now() //durable:ignore sideeffect only logged, never used for control flow
//
// The directive covers the line it is on or, when it stands alone on its
// line, the next line; in the doc comment of a function declaration it
// covers the whole declaration. A comment after the reason (a second //) is
// not part of it.
//
// durableignore reports the directives no analyzer can honour:
//
//   - a directive naming an analyzer that does not exist (a typo such as
//     "sideefect", or an analyzer that was renamed or removed), which
//     silences nothing;
//   - a directive with no analyzer name at all.
//
// The analyzer a directive names reports the rest itself, under its own
// name: a directive with no reason, and a directive that silences no finding
// of that analyzer (the code was fixed, or the finding moved), so that stale
// ignores do not pile up. Those findings, like durableignore's, are
// warnings by default.
//
// # Why it matters
//
// A mistyped directive looks like a deliberate, reviewed exception, yet it
// silences nothing: the finding it was meant for is still reported, and
// readers learn to skim past directives and the findings next to them. A
// reason is required so that the next reader knows whether the exception
// still holds. durableignore's own findings cannot be ignored: fix or remove
// the directive.
//
// # How to fix
//
// Correct the analyzer name (durable lint --list lists them), or remove the
// directive when nothing needs silencing:
//
//	// Before
//	now := time.Now() //durable:ignore sideefect logged only
//
//	// After
//	now := time.Now() //durable:ignore sideeffect logged only
//
// Disable a whole analyzer with durable lint --disable <name> or
// lint.disable in durable.yaml instead of ignoring each of its findings.
package ignore

import (
	_ "embed"

	"github.com/durable-go/durable/analyzers/internal/durable"
)

//go:embed doc.go
var doc string

// unknownAnalyzerDoc is durableignore's Doc.
var unknownAnalyzerDoc = durable.ExtractDoc(doc, "durableignore")
