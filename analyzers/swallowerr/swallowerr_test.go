package swallowerr_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/internal/testutil"
	"github.com/durable-go/durable/analyzers/swallowerr"
)

func TestSwallowErr(t *testing.T) {
	testutil.RunWithSuggestedFixes(t, swallowerr.Analyzer, "a", "billing", "ing", "shop", "notify")
}
