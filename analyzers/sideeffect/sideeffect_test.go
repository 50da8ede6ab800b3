package sideeffect_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/internal/testutil"
	"github.com/durable-go/durable/analyzers/sideeffect"
)

func TestSideEffect(t *testing.T) {
	testutil.Run(t, sideeffect.Analyzer, "mailer", "se", "seing", "sedomain", "sestore", "seapp", "seingapp", "selog/nologging")
}

func TestLoggingFlag(t *testing.T) {
	if err := sideeffect.Analyzer.Flags.Set("logging", "true"); err != nil {
		t.Fatal(err)
	}
	defer sideeffect.Analyzer.Flags.Set("logging", "false")
	testutil.Run(t, sideeffect.Analyzer, "selog")
}

func TestSuggestedFixes(t *testing.T) {
	testutil.RunWithSuggestedFixes(t, sideeffect.Analyzer, "sefix")
}
