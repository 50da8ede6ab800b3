package cronspec_test

import (
	"testing"
	"time"

	"github.com/durable-go/durable/analyzers/cronspec"
	"github.com/durable-go/durable/analyzers/internal/testutil"
)

func TestCronspec(t *testing.T) {
	testutil.Run(t, cronspec.Analyzer, "cron", "croning")
}

func TestMinIntervalFlag(t *testing.T) {
	if err := cronspec.Analyzer.Flags.Set("min-interval", "10m"); err != nil {
		t.Fatal(err)
	}
	defer cronspec.Analyzer.Flags.Set("min-interval", "1m")
	testutil.Run(t, cronspec.Analyzer, "cronlib")
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		spec string
		min  time.Duration
		ok   bool
	}{
		{"0 9 * * *", time.Minute, true},
		{"TZ=Europe/Paris 0 9 * * 1-5", time.Minute, true},
		{"CRON_TZ=America/New_York 30 * * * *", time.Minute, true},
		{"@daily", time.Hour, true},
		{"* * * * *", time.Minute, true},
		{"* * * * *", 2 * time.Minute, false},
		{"*/5 * * * *", 5 * time.Minute, true},
		{"*/5 * * * *", 6 * time.Minute, false},
		{"0,1 9 * * *", 5 * time.Minute, false},
		{"@every 30s", time.Minute, false},
		{"TZ=Mars/Olympus 0 9 * * *", time.Minute, false},
		{"TZ=Europe/Paris", time.Minute, false},
		{"0 25 * * *", time.Minute, false},
		{"0 9 * *", time.Minute, false},
		{"", time.Minute, false},
	} {
		got := cronspec.Check(tc.spec, tc.min)
		if (got == "") != tc.ok {
			t.Errorf("Check(%q, %s) = %q, want ok=%v", tc.spec, tc.min, got, tc.ok)
		}
	}
}
