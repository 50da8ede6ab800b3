package unregistered_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/internal/testutil"
	"github.com/durable-go/durable/analyzers/unregistered"
)

func TestUnregistered(t *testing.T) {
	testutil.Run(t, unregistered.Analyzer, "unreg", "unregfns", "unregapp/registry", "unregapp")
}
