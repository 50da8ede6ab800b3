package stepid_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/internal/testutil"
	"github.com/durable-go/durable/analyzers/stepid"
)

func TestStepID(t *testing.T) {
	testutil.Run(t, stepid.Analyzer, "a", "flows", "ing")
}
