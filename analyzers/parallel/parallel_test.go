package parallel_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/internal/testutil"
	"github.com/durable-go/durable/analyzers/parallel"
)

func TestParallel(t *testing.T) {
	testutil.RunWithSuggestedFixes(t, parallel.Analyzer, "par", "paring")
}
