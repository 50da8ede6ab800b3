package durabletest

import (
	"context"
	"testing"

	"github.com/durable-go/durable/runtime"
)

// CheckReplay replays every run in flight in opts.Store against the
// functions of opts, executing nothing (runtime.Engine.CheckReplayAll), and
// fails t for each run that would fail, naming its function, the run and,
// for a run whose code changed under it, the step its journal holds and the
// step the code now reaches. It is the test form of `durable check-replay`:
// give it a copy of production's store and the new code's functions, e.g.
//
//	func TestInFlightRunsReplay(t *testing.T) {
//		st, err := sqlite.Open(os.Getenv("PROD_SNAPSHOT"))
//		...
//		durabletest.CheckReplay(t, runtime.Options{Store: st, Functions: registry.Functions()})
//	}
//
// The engine is not started. It returns the report, for further checks.
func CheckReplay(t testing.TB, opts runtime.Options) runtime.ReplayReport {
	t.Helper()
	eng, err := runtime.New(opts)
	if err != nil {
		t.Fatalf("durabletest: CheckReplay: %v", err)
		return runtime.ReplayReport{}
	}
	report, err := eng.CheckReplayAll(context.Background())
	if err != nil {
		t.Fatalf("durabletest: CheckReplay: %v", err)
		return report
	}
	for _, f := range report.Failures {
		if f.Expected != "" {
			t.Errorf("durabletest: run %s of function %q (%s) would fail on this code: its journal has step %s where the code now reaches step %s; "+
				"gate the change with step.Version", f.RunID, f.FunctionID, f.Status, f.Expected, f.Actual)
			continue
		}
		t.Errorf("durabletest: run %s of function %q (%s) would fail on this code: %s", f.RunID, f.FunctionID, f.Status, f.Error)
	}
	return report
}
