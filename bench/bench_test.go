package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestEveryWorkloadOnce runs every workload once, at a tiny size, on every
// variant (the scale series on durable), in this process, and checks that
// each produced its figures: the module keeps building and working as the
// peers and durable change.
func TestEveryWorkloadOnce(t *testing.T) {
	pg := os.Getenv("DURABLE_TEST_POSTGRES")
	if pg == "" {
		t.Skip("DURABLE_TEST_POSTGRES is not set (a postgres:// URL of a database on a server where the test may create and drop databases)")
	}
	var cellJSON string
	cfg, err := parseFlags([]string{
		"-pg", pg, "-reps", "1", "-runs", "24", "-workflow-inflight", "4", "-job-inflight", "6",
		"-latency-samples", "20", "-latency-gap", "0", "-wake-runs", "16", "-wake-margin", "2s", "-wake-workers", "8",
		"-bulk-runs", "30", "-bulk-workers", "8",
		"-scale-inflight", "1,4", "-scale-totals", "8", "-pg-conns", "4", "-cell-timeout", "2m", "-trace-sql",
	}, &cellJSON)
	if err != nil {
		t.Fatal(err)
	}
	cfg.inProcess = true
	cfg.progress = testLog{t}
	rep, err := run(context.Background(), cfg, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Cells {
		if c.Error != "" {
			t.Errorf("%s", c.summary())
		}
		// -trace-sql accounts for every round trip, by statement.
		var sum int64
		for _, n := range c.Statements {
			sum += n
		}
		if sum != c.RoundTrips {
			t.Errorf("%s: statements add up to %d round trips, counted %d", c.summary(), sum, c.RoundTrips)
		}
	}
	want := 0
	for _, v := range variants() {
		for _, m := range metrics {
			if v.runs(m.workload) {
				want++
			}
		}
	}
	if len(rep.Rows) != want {
		t.Errorf("%d rows, want %d (every variant × metric, the bulk workload without DBOS)", len(rep.Rows), want)
	}
	for _, r := range rep.Rows {
		v, _ := findVariant(r.Variant)
		switch {
		case r.Reps != 1 || r.Median <= 0:
			t.Errorf("%s %s %s: %d repetitions, median %v", r.Workload, r.Metric, r.Variant, r.Reps, r.Median)
		case v.System != "durable" && r.Ratio <= 0:
			t.Errorf("%s %s %s: no ratio against %s", r.Workload, r.Metric, r.Variant, r.Reference)
		case r.CPUmsPerRun <= 0:
			t.Errorf("%s %s %s: CPU per run %v", r.Workload, r.Metric, r.Variant, r.CPUmsPerRun)
		case v.Store == storePostgres && (r.ServerCPUmsPerRun < 0 || r.RoundTripsPerRun <= 0) && r.Workload != workloadWake:
			// (A wake interval can be shorter than a clock tick and see
			// no round trip: River fetches the woken jobs in one.)
			t.Errorf("%s %s %s: server CPU %v ms, %v round trips per run", r.Workload, r.Metric, r.Variant, r.ServerCPUmsPerRun, r.RoundTripsPerRun)
		case v.Store == storeSQLite && (r.ServerCPUmsPerRun != -1 || r.RoundTripsPerRun != -1):
			t.Errorf("%s %s %s: server figures on SQLite", r.Workload, r.Metric, r.Variant)
		}
	}
	if len(rep.Scale) != 2 {
		t.Fatalf("%d scale rows, want 2", len(rep.Scale))
	}
	for _, s := range rep.Scale {
		if s.Reps != 1 || s.RunsPerSec <= 0 || s.CPUmsPerRun <= 0 || s.PeakRSSMiB <= 0 {
			t.Errorf("scale %d×%d: %+v", s.InFlight, s.Total, s)
		}
	}
	md := rep.markdown()
	for _, want := range []string{"| workload | metric | system |", "durable/sqlite-normal", "river/postgres-1ms", "dbos/sqlite", "fsync=on", "load average"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back report
	if err := json.Unmarshal(b, &back); err != nil || len(back.Cells) != len(rep.Cells) {
		t.Errorf("JSON round trip: %v, %d cells of %d", err, len(back.Cells), len(rep.Cells))
	}
}

func TestParseFlagsRefusesBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-variants", "durable,temporal"}, `-variants: unknown variant or system "temporal"`},
		{[]string{"-workloads", "workflow3,fanout"}, `-workloads: unknown workload "fanout"`},
		{[]string{"-scale-inflight", "1,x"}, `-scale-inflight: "x" is not a positive integer`},
		{[]string{"-scale-totals", "0"}, `-scale-totals: "0" is not a positive integer`},
		{[]string{"-scale-variant", "river/postgres"}, `-scale-variant "river/postgres": want a durable variant`},
		{[]string{"-reps", "0"}, "-reps: must be at least 1, got 0"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		var cell string
		_, err := parseFlags(tt.args, &cell)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseFlags(%q) = %v, want an error containing %q", tt.args, err, tt.want)
		}
	}
}

func TestParseVariantsBySystem(t *testing.T) {
	got, err := parseVariants("river, durable/postgres")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"river/sqlite", "river/postgres", "river/postgres-1ms", "durable/postgres"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("parseVariants = %v, want %v", got, want)
	}
}

func TestFreshDatabaseRefusesKeyValueDSN(t *testing.T) {
	_, _, _, err := freshDatabase(context.Background(), "host=localhost dbname=test")
	if err == nil || !strings.Contains(err.Error(), "want a postgres:// URL") {
		t.Errorf("freshDatabase(key=value) = %v, want a clear refusal", err)
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// testLog writes the progress lines to the test's log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}
