package runtime_test

import "github.com/durable-go/durable/runtime"

// runList returns the runs of a page, for tests that read one page.
func runList(p runtime.RunPage, err error) ([]runtime.RunInfo, error) { return p.Runs, err }
