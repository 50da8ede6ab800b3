package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/durable-go/durable/runtime/store/postgres"
	"github.com/jackc/pgx/v5"
)

// TestMigrateArgs: bad invocations fail with a usage error before any
// connection.
func TestMigrateArgs(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no store", nil, "--store is required"},
		{"sqlite path", []string{"--store", "app.db"}, "must be a postgres:// or postgresql:// URL"},
		{"extra argument", []string{"--store", "postgres://x/y", "now"}, `unexpected argument "now"`},
		{"unknown flag", []string{"--db", "x"}, "flag provided but not defined: -db"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runIn(t, ".", append([]string{"migrate"}, tc.args...)...)
			if code != 2 || out != "" || !strings.Contains(errs, tc.want) {
				t.Errorf("code %d, stdout %q, stderr %q; want 2, nothing, a message with %q", code, out, errs, tc.want)
			}
		})
	}
}

// TestMigratePostgres: migrate creates the schema at the latest version,
// does nothing the second time, and refuses a database a newer binary
// migrated.
func TestMigratePostgres(t *testing.T) {
	dsn := os.Getenv("DURABLE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("DURABLE_TEST_POSTGRES is not set (a postgres:// URL of a database the tests may create schemas in)")
	}
	ctx := context.Background()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "durable_test_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	// Cleanups run last first: the schema is dropped, then conn closed.
	t.Cleanup(func() { conn.Close(ctx) })
	t.Cleanup(func() {
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	latest := postgres.LatestVersion()
	if latest < 1 {
		t.Fatalf("LatestVersion %d: the binary embeds no migration", latest)
	}
	want := fmt.Sprintf("schema %s is at version %d (this binary's latest: %d)\n", schema, latest, latest)
	for i := range 2 {
		code, out, errs := runIn(t, ".", "migrate", "--store", dsn, "--schema", schema)
		if code != 0 || out != want {
			t.Fatalf("migrate #%d: code %d, stdout %q, stderr %q; want 0, %q", i+1, code, out, errs, want)
		}
		var applied int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{schema}.Sanitize()+".schema_migrations").Scan(&applied); err != nil {
			t.Fatal(err)
		}
		if applied != latest {
			t.Fatalf("migrate #%d: %d migrations recorded, want %d (each once)", i+1, applied, latest)
		}
	}
	if _, err := conn.Exec(ctx, "INSERT INTO "+pgx.Identifier{schema}.Sanitize()+".schema_migrations (version) VALUES ($1)", latest+1); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runIn(t, ".", "migrate", "--store", dsn, "--schema", schema)
	if wantErr := fmt.Sprintf("at schema version %d, newer than this binary's %d", latest+1, latest); code != 2 || out != "" || !strings.Contains(errs, wantErr) {
		t.Errorf("newer database: code %d, stdout %q, stderr %q; want 2 and %q", code, out, errs, wantErr)
	}
}
