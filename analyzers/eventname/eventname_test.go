package eventname_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/eventname"
	"github.com/durable-go/durable/analyzers/internal/testutil"
)

func TestEventName(t *testing.T) {
	testutil.Run(t, eventname.Analyzer, "ev", "eving", "evcat", "evnames", "evkebab")
}
