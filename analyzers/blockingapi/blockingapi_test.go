package blockingapi_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/blockingapi"
	"github.com/durable-go/durable/analyzers/internal/testutil"
)

func TestBlockingAPI(t *testing.T) {
	testutil.Run(t, blockingapi.Analyzer, "api", "apihelp", "apiplain")
}

func TestMaxHTTPFlag(t *testing.T) {
	if err := blockingapi.Analyzer.Flags.Set("max-http", "0"); err != nil {
		t.Fatal(err)
	}
	defer blockingapi.Analyzer.Flags.Set("max-http", "1")
	testutil.Run(t, blockingapi.Analyzer, "apiflag")
}
