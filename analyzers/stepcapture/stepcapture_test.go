package stepcapture_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/internal/testutil"
	"github.com/durable-go/durable/analyzers/stepcapture"
)

func TestStepCapture(t *testing.T) {
	testutil.Run(t, stepcapture.Analyzer, "a", "cache", "ing", "codec", "telemetry", "orders")
}
