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

const generateUsage = `usage: durable generate [--config FILE] [--check]

Reads the event catalog (durable.yaml) and writes the typed Go events, one
JSON Schema per event and the registry of every durable function of the
module, at the paths its output section names (relative to the catalog's
directory). Files that are up to date are not rewritten.

Without --config, durable.yaml is looked for in the current directory and
its parents up to the module root, so that a directive such as
	//go:generate go run github.com/durable-go/durable/cmd/durable generate
works from any package of the module.

Exit status: 0 when everything is up to date or written, 1 when --check
finds stale files, 2 on errors.

Flags:
`

func runGenerate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("durable generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "", "the catalog `file` (default: durable.yaml here or in a parent directory up to the module root)")
	check := fs.Bool("check", false, "write nothing; exit 1 with a unified diff when a generated file is stale")
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
		if len(stale) == 0 {
			return 0
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
