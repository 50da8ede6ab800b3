package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/durable-go/durable/codegen"
	"github.com/durable-go/durable/codegen/catalog"
)

func init() {
	register(command{
		name:    "generate",
		summary: "generate typed events, JSON Schemas and the function registry from durable.yaml",
		run:     runGenerate,
	})
}

const generateUsage = `usage: durable generate [--config FILE] [--check [--against REVISION|FILE]]

Reads the event catalog (durable.yaml) and writes the typed Go events, one
JSON Schema per event and the registry of every durable function of the
module, at the paths its output section names (relative to the catalog's
directory). Files that are up to date are not rewritten.

Without --config, durable.yaml is looked for in the current directory and
its parents up to the module root, so that a directive such as
	//go:generate go run github.com/durable-go/durable/cmd/durable generate
works from any package of the module.

With --against, --check also compares the catalog with its previous
version (a catalog file, or a git revision such as main or v1.2.0 at which
the catalog is read from git, at the same path or at REVISION:PATH from
the repository's root) and lists the changes to each event: those that
break producers or consumers of the previous version (a field removed or
made required, a type changed, an enum value removed, a format added,
bounds tightened...) fail unless the event has a new v.

Exit status: 0 when everything is up to date or written, 1 when --check
finds stale files or breaking changes without a new v, 2 on errors.

Flags:
`

func runGenerate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("durable generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "", "the catalog `file` (default: durable.yaml here or in a parent directory up to the module root)")
	check := fs.Bool("check", false, "write nothing; exit 1 with a unified diff when a generated file is stale")
	against := fs.String("against", "", "with --check: the previous catalog, a `revision` of the git repository or a file; exit 1 on breaking changes to an event whose v did not change")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), generateUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "durable generate: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *against != "" && !*check {
		fmt.Fprintln(stderr, "durable generate: --against needs --check")
		return 2
	}
	path := *config
	if path == "" {
		found, err := findCatalog()
		if err != nil {
			fmt.Fprintf(stderr, "durable generate: %v\n", err)
			return 2
		}
		path = found
	}
	plan, err := codegen.NewPlan(ctx, codegen.Options{Config: path})
	if err != nil {
		var list catalog.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				fmt.Fprintln(stderr, e)
			}
			fmt.Fprintf(stderr, "durable generate: %d error(s) in %s; nothing was written\n", len(list), path)
			return 2
		}
		fmt.Fprintln(stderr, err)
		fmt.Fprintln(stderr, "durable generate: nothing was written")
		return 2
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	stale := plan.Stale()
	if *check {
		code := 0
		if *against != "" {
			code = checkAgainst(ctx, plan, *against, stderr)
			if code == 2 {
				return 2
			}
		}
		if len(stale) == 0 {
			return code
		}
		fmt.Fprint(stdout, plan.Diff())
		fmt.Fprintf(stderr, "durable generate --check: %d generated file(s) are stale; run durable generate (or go generate ./...)\n", len(stale))
		for _, f := range stale {
			fmt.Fprintf(stderr, "  %s\n", f.Name)
		}
		return 1
	}
	if err := plan.Write(); err != nil {
		fmt.Fprintf(stderr, "durable generate: %v\n", err)
		return 2
	}
	for _, f := range stale {
		verb := "wrote"
		if f.Data == nil {
			verb = "removed"
		}
		fmt.Fprintf(stdout, "%s %s\n", verb, f.Name)
	}
	return 0
}

// checkAgainst prints the changes from the previous catalog to stderr and
// returns 1 when a breaking change lacks a new v, 2 when the previous
// catalog cannot be read.
func checkAgainst(ctx context.Context, plan *codegen.Plan, against string, stderr io.Writer) int {
	findings, err := plan.Compatibility(ctx, against)
	if err != nil {
		var list catalog.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				fmt.Fprintln(stderr, e)
			}
			fmt.Fprintf(stderr, "durable generate: %d error(s) in the previous catalog (--against %s)\n", len(list), against)
			return 2
		}
		fmt.Fprintf(stderr, "durable generate: %v\n", err)
		return 2
	}
	failures := 0
	var bumped []string // events with breaking changes and a new v
	olds := map[string]string{}
	for _, f := range findings {
		fmt.Fprintln(stderr, f)
		switch {
		case f.Fails():
			failures++
		case f.Breaks != 0 && olds[f.Event] == "":
			bumped = append(bumped, f.Event)
			olds[f.Event] = f.OldV + " -> " + f.NewV
		}
	}
	for _, e := range bumped {
		fmt.Fprintf(stderr, "warning: %s: breaking changes with a new v (%s): events of the previous version still stored (queued runs, waits, replays) will be decoded into the new type; drain them before deploying\n", e, olds[e])
	}
	if failures > 0 {
		fmt.Fprintf(stderr, "durable generate --check: %d breaking change(s) against %s to events whose v did not change; give each such event a new v\n", failures, against)
		return 1
	}
	return 0
}

// findCatalog looks for durable.yaml in the working directory and its
// parents, stopping at the directory holding go.mod.
func findCatalog() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, "durable.yaml")
		if _, err := os.Stat(p); err == nil {
			if rel, err := filepath.Rel(wd, p); err == nil {
				return rel, nil
			}
			return p, nil
		}
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil || filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no durable.yaml in %s or its parents up to the module root; pass --config", wd)
		}
	}
}
