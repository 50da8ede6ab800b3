package durabletest_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every engine a test starts must be stopped, and every store closed, by the
// time the tests end.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
