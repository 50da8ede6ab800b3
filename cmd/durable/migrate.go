package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/durable-go/durable/runtime/store/postgres"
)

func init() {
	register(command{name: "migrate", summary: "apply the store's migrations to a PostgreSQL database and print its schema version", run: runMigrate})
}

// runMigrate applies the migrations embedded in this binary, as every
// engine does when it opens the store, for deployments that migrate
// before they roll out (or whose engines may not create tables).
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("durable migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("store", "", "the database: a postgres:// URL (required)")
	schema := fs.String("schema", "durable", "the PostgreSQL schema of the store's tables")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: durable migrate --store postgres://... [--schema name]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "durable migrate: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *dsn == "" {
		fmt.Fprintln(stderr, "durable migrate: --store is required (a postgres:// URL; the SQLite store migrates itself when opened)")
		return 2
	}
	if !strings.HasPrefix(*dsn, "postgres://") && !strings.HasPrefix(*dsn, "postgresql://") {
		fmt.Fprintln(stderr, "durable migrate: --store must be a postgres:// or postgresql:// URL")
		return 2
	}
	v, err := postgres.Migrate(ctx, *dsn, postgres.Schema(*schema))
	if err != nil {
		fmt.Fprintf(stderr, "durable migrate: %v\n", err)
		return 2
	}
	fmt.Fprintf(stdout, "schema %s is at version %d (this binary's latest: %d)\n", *schema, v, postgres.LatestVersion())
	return 0
}
