package sideeffect_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/internal/testutil"
	"github.com/durable-go/durable/analyzers/sideeffect"
)

func TestSideEffect(t *testing.T) {
	testutil.Run(t, sideeffect.Analyzer, "mailer", "se", "seing", "sedomain", "sestore", "seapp", "seingapp")
}

func TestSuggestedFixes(t *testing.T) {
	testutil.RunWithSuggestedFixes(t, sideeffect.Analyzer, "sefix")
}
