package nestedstep_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/internal/testutil"
	"github.com/durable-go/durable/analyzers/nestedstep"
)

func TestNestedStep(t *testing.T) {
	testutil.Run(t, nestedstep.Analyzer, "nshelp", "ns", "nsing")
}
