// Command lintparity starts an engine with the functions of two packages,
// given through the generated registry, through a slice of package jobs
// and directly.
package main

import (
	"context"
	"log"

	"example.com/lintparity/billing"
	"example.com/lintparity/internal/registry"
	"example.com/lintparity/jobs"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/store"
)

// open opens the store (elided: the fixture is linted, never run).
func open() store.Store { return nil }

func main() {
	eng, err := runtime.New(runtime.Options{Store: open(), Functions: append(registry.Functions(), append(jobs.Functions(), billing.Remind)...)})
	if err != nil {
		log.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		log.Fatal(err)
	}
}
