package runtime

import "github.com/durable-go/durable/runtime/internal/expr"

// SetTriggerIfUnestimated replaces the If of f's first trigger by src,
// compiled without the definition-time cost estimate, so that tests reach
// the evaluation limits with the very expressions that estimate refuses.
func SetTriggerIfUnestimated(f *Function, src string) error {
	p, err := expr.CompileUnestimated(src, false)
	if err != nil {
		return err
	}
	f.triggers[0].ifProg = p
	return nil
}

// SetReplayPage sets how many runs CheckReplayAll reads at a time, until
// the returned function restores it.
func SetReplayPage(n int) (restore func()) {
	old := replayPage
	replayPage = n
	return func() { replayPage = old }
}
