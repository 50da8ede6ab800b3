package goroutine_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/goroutine"
	"github.com/durable-go/durable/analyzers/internal/testutil"
)

func TestGoroutine(t *testing.T) {
	testutil.Run(t, goroutine.Analyzer, "a", "tasks", "ing", "worker", "server")
}
