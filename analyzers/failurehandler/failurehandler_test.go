package failurehandler_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/failurehandler"
	"github.com/durable-go/durable/analyzers/internal/testutil"
)

func TestFailureHandler(t *testing.T) {
	testutil.Run(t, failurehandler.Analyzer,
		// programs with no failure handler
		"fhmissing", "fhpartial", "fhnilonfailure", "fhmethod", "fhgeneric", "fhinngest",
		// programs with one, or no engine, or not programs
		"fhwithhandler", "fhonfailure", "fhnoengine", "fhconst", "fhignored", "fhinngestok", "fhlib", "fhfuncs")
}
