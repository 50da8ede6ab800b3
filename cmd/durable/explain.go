package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/durable-go/durable/analyzers/suite"
)

func init() {
	register(command{name: "explain", summary: "print the documentation of an analyzer", run: runExplain})
}

const explainUsage = `usage: durable explain <analyzer>

Prints an analyzer's documentation: what it reports, why it matters, how to
fix it, and its flags. durable lint --list lists the analyzers.
`

func runExplain(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("durable explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), explainUsage) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	rules := suite.Rules()
	names := make([]string, len(rules))
	for i, r := range rules {
		names[i] = r.Analyzer.Name
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, explainUsage)
		fmt.Fprintf(stderr, "\nanalyzers: %s\n", strings.Join(names, ", "))
		return 2
	}
	name := fs.Arg(0)
	r, ok := suite.Lookup(name)
	if !ok {
		fmt.Fprintf(stderr, "durable explain: unknown analyzer %q (known: %s)\n", name, strings.Join(names, ", "))
		return 2
	}
	explain(stdout, r)
	return 0
}

// explain prints r's Doc, then its metadata, flags and how to silence it:
// the terminal version of its page under docs/analyzers.
func explain(w io.Writer, r suite.Rule) {
	a := r.Analyzer
	fmt.Fprintln(w, strings.TrimSpace(a.Doc))
	fmt.Fprintf(w, "\n# Rule\n\n")
	fmt.Fprintf(w, "  default severity  %s\n  category          %s\n  since             %s\n", r.Severity, r.Category, r.Since)
	var flags []string
	a.Flags.VisitAll(func(f *flag.Flag) {
		def := ""
		if f.DefValue != "" {
			def = " (default " + f.DefValue + ")"
		}
		flags = append(flags, fmt.Sprintf("  %s%s: durable lint -%s.%s, lint.settings.%s.%s in durable.yaml\n    \t%s", f.Name, def, a.Name, f.Name, a.Name, f.Name, f.Usage))
	})
	if len(flags) > 0 {
		sort.Strings(flags)
		fmt.Fprintf(w, "\n# Flags\n\n%s\n", strings.Join(flags, "\n"))
	}
	if r.Category == suite.CategoryDirectives {
		fmt.Fprintf(w, "\n# Silencing a finding\n\n  Findings about directives cannot be ignored (//durable:ignore %s names no\n  analyzer): fix or remove the directive, or disable %s.\n", a.Name, a.Name)
	} else {
		fmt.Fprintf(w, "\n# Silencing a finding\n\n  //durable:ignore %s <reason>\n", a.Name)
	}
	if a.URL != "" {
		fmt.Fprintf(w, "\nDocumentation: %s\n", a.URL)
	}
}
