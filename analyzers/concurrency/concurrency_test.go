package concurrency_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/concurrency"
	"github.com/durable-go/durable/analyzers/internal/testutil"
)

func TestConcurrency(t *testing.T) {
	testutil.Run(t, concurrency.Analyzer, "conchelp", "conc", "concing", "concapp")
}

func TestFlags(t *testing.T) {
	for k, v := range map[string]string{"services": "concflag.CRM.Upsert", "http": "true"} {
		if err := concurrency.Analyzer.Flags.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	defer concurrency.Analyzer.Flags.Set("services", "")
	defer concurrency.Analyzer.Flags.Set("http", "false")
	testutil.Run(t, concurrency.Analyzer, "concflag")
}
