package stepresult_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/internal/testutil"
	"github.com/durable-go/durable/analyzers/stepresult"
)

func TestStepResult(t *testing.T) {
	testutil.Run(t, stepresult.Analyzer, "a", "helpers", "ing", "assistant", "billing")
}
