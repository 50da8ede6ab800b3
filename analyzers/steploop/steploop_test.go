package steploop_test

import (
	"testing"

	"github.com/durable-go/durable/analyzers/internal/testutil"
	"github.com/durable-go/durable/analyzers/steploop"
)

func TestStepLoop(t *testing.T) {
	testutil.Run(t, steploop.Analyzer, "loop", "loophelp", "looping")
}

func TestMaxIterationsFlag(t *testing.T) {
	if err := steploop.Analyzer.Flags.Set("max-iterations", "2000"); err != nil {
		t.Fatal(err)
	}
	defer steploop.Analyzer.Flags.Set("max-iterations", "20")
	testutil.Run(t, steploop.Analyzer, "loopflag")
}
