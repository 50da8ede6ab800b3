//go:build lambda

package main

import (
	"context"
	"database/sql"
	"log"
	"os"
)

// In the serverless build each invocation drains the due runs and exits;
// this file is not part of the default build the corpus test loads.
func main() {
	ctx := context.Background()
	db, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	eng, err := engine(db)
	if err != nil {
		log.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		log.Fatal(err)
	}
	defer eng.Stop(ctx)
}
