package failurehandler_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/failurehandler"
	"github.com/durable-go/durable/analyzers/internal/testutil"
)

func TestFailureHandler(t *testing.T) {
	testutil.Run(t, failurehandler.Analyzer,
		// programs with irreversible effects and no failure handler
		"fhmissing", "fhpartial", "fhnilonfailure", "fhmethod", "fhinngest", "fhinngestwrong", "fhdiamond",
		// programs with one, or nothing irreversible, or no engine, or not programs
		"fhwithhandler", "fhonfailure", "fhnoengine", "fhconst", "fhignored", "fhinngestok", "fhgeneric", "fhcron", "fhdeep",
		// the facts on the way to main: a helper's effect, cumulative programs
		"fhmailer", "fhfuncs", "fhlib", "fhregistry", "fhapp")
}
