package fnsize_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/fnsize"
	"github.com/durable-go/durable/analyzers/internal/testutil"
)

func TestFnSize(t *testing.T) {
	testutil.Run(t, fnsize.Analyzer, "fn", "fning")
}

func TestMaxServicesFlag(t *testing.T) {
	if err := fnsize.Analyzer.Flags.Set("max-services", "1"); err != nil {
		t.Fatal(err)
	}
	defer fnsize.Analyzer.Flags.Set("max-services", "6")
	testutil.Run(t, fnsize.Analyzer, "fnflag")
}
