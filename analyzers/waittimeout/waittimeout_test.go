package waittimeout_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/internal/testutil"
	"github.com/durable-go/durable/analyzers/waittimeout"
)

func TestWaitTimeout(t *testing.T) {
	testutil.Run(t, waittimeout.Analyzer, "wthelp", "wt", "wting", "approvals", "fanout")
}

func TestSuggestedFixes(t *testing.T) {
	testutil.RunWithSuggestedFixes(t, waittimeout.Analyzer, "wtfix")
}
