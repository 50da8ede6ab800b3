package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// report is everything one invocation measured, and how.
type report struct {
	Command   string            `json:"command"`
	Started   time.Time         `json:"started"`
	Finished  time.Time         `json:"finished"`
	Cores     int               `json:"cores"`
	CPU       string            `json:"cpu"`
	GoVersion string            `json:"go_version"`
	LoadStart string            `json:"load_average_start"`
	LoadEnd   string            `json:"load_average_end"`
	Postgres  map[string]string `json:"postgres,omitempty"`
	Config    string            `json:"config"`
	Fairness  []string          `json:"fairness"`
	Variants  map[string]string `json:"variants"`
	Skipped   []string          `json:"skipped,omitempty"`
	Rows      []row             `json:"rows"`
	Scale     []scaleRow        `json:"scale,omitempty"`
	Cells     []cellResult      `json:"cells"`

	cfgForRows config
}

// row is one system's figure for one metric of one workload, over the
// repetitions, with durable's like-for-like figure and the ratio.
type row struct {
	Workload string  `json:"workload"`
	Metric   string  `json:"metric"`
	Store    string  `json:"store"`
	Variant  string  `json:"variant"`
	Reps     int     `json:"reps"` // repetitions that succeeded
	Median   float64 `json:"median"`
	Min      float64 `json:"min"`
	Max      float64 `json:"max"`
	// Reference is the durable variant a peer is compared with; empty on
	// durable's own rows.
	Reference string  `json:"reference,omitempty"`
	RefMedian float64 `json:"reference_median,omitempty"`
	// Ratio is durable's advantage: durable ÷ peer for throughput, peer ÷
	// durable for times, so above 1 durable is ahead. 0 when not compared.
	Ratio float64 `json:"ratio,omitempty"`
	// Medians per run over the repetitions; -1 where not measured.
	CPUmsPerRun       float64 `json:"cpu_ms_per_run"`
	ServerCPUmsPerRun float64 `json:"server_cpu_ms_per_run"`
	RoundTripsPerRun  float64 `json:"round_trips_per_run"`
	higherIsBetter    bool
}

// scaleRow is one point of durable's scale series.
type scaleRow struct {
	Variant     string  `json:"variant"`
	InFlight    int     `json:"in_flight"`
	Total       int     `json:"total"`
	Reps        int     `json:"reps"`
	RunsPerSec  float64 `json:"runs_per_sec"`
	Min         float64 `json:"runs_per_sec_min"`
	Max         float64 `json:"runs_per_sec_max"`
	CPUmsPerRun float64 `json:"cpu_ms_per_run"`
	PeakRSSMiB  float64 `json:"peak_rss_mib"`
}

// metric reads one figure of a cell.
type metric struct {
	workload, name string
	higher         bool
	value          func(cellResult) float64
}

var metrics = []metric{
	{workloadWorkflow, "runs/s", true, func(r cellResult) float64 { return r.RunsPerSec }},
	{workloadJob, "jobs/s", true, func(r cellResult) float64 { return r.RunsPerSec }},
	{workloadBulk, "jobs/s", true, func(r cellResult) float64 { return r.RunsPerSec }},
	{workloadLatency, "p50 ms", false, func(r cellResult) float64 { return r.P50ms }},
	{workloadLatency, "p99 ms", false, func(r cellResult) float64 { return r.P99ms }},
	{workloadWake, "s until all done", false, func(r cellResult) float64 { return r.WakeSeconds }},
}

func (rep *report) failures() int {
	n := 0
	for _, c := range rep.Cells {
		if c.Error != "" {
			n++
		}
	}
	return n
}

// ok returns the successful cells of variant and workload.
func (rep *report) ok(variant, workload string) []cellResult {
	var out []cellResult
	for _, c := range rep.Cells {
		if c.Error == "" && c.Spec.Variant == variant && c.Spec.Workload == workload {
			out = append(out, c)
		}
	}
	return out
}

// wakeMargin estimates how long spec's variant takes to put spec.Runs runs
// to sleep, from its job throughput measured so far: twice that,
// plus 3 s.
func (rep *report) wakeMargin(spec cellSpec) time.Duration {
	perRun := 3 * time.Millisecond
	var rates []float64
	for _, c := range rep.ok(spec.Variant, workloadJob) {
		rates = append(rates, c.RunsPerSec)
	}
	if len(rates) > 0 {
		perRun = time.Duration(float64(time.Second) / median(rates))
	}
	m := 3*time.Second + 2*time.Duration(spec.Runs)*perRun
	return min(m, spec.Timeout/2)
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func perRunMedian(cells []cellResult, f func(cellResult) float64) float64 {
	var xs []float64
	for _, c := range cells {
		v := f(c)
		if v < 0 {
			return -1
		}
		xs = append(xs, v/float64(c.runsMeasured()))
	}
	return median(xs)
}

// buildRows aggregates the cells into rows, in table order: per metric,
// per store, durable's variants, then the peers.
func (rep *report) buildRows(active []string) {
	for _, m := range metrics {
		if !contains(rep.cfgForRows.workloads, m.workload) {
			continue
		}
		for _, st := range []string{storeSQLite, storePostgres} {
			refMedian := 0.0
			for _, id := range active {
				v, _ := findVariant(id)
				if v.Store != st || !v.runs(m.workload) {
					continue
				}
				cells := rep.ok(id, m.workload)
				r := row{Workload: m.workload, Metric: m.name, Store: st, Variant: id, Reps: len(cells), higherIsBetter: m.higher,
					CPUmsPerRun: -1, ServerCPUmsPerRun: -1, RoundTripsPerRun: -1}
				if len(cells) > 0 {
					var xs []float64
					for _, c := range cells {
						xs = append(xs, m.value(c))
					}
					r.Median, r.Min, r.Max = median(xs), slices.Min(xs), slices.Max(xs)
					r.CPUmsPerRun = 1000 * perRunMedian(cells, func(c cellResult) float64 { return c.ProcCPU })
					if st == storePostgres {
						r.ServerCPUmsPerRun = 1000 * perRunMedian(cells, func(c cellResult) float64 { return c.ServerCPU })
						r.RoundTripsPerRun = perRunMedian(cells, func(c cellResult) float64 { return float64(c.RoundTrips) })
					}
				}
				if id == reference(st) {
					refMedian = r.Median
				}
				if v.System != "durable" && contains(active, reference(st)) {
					r.Reference, r.RefMedian = reference(st), refMedian
					if r.Median > 0 && refMedian > 0 {
						if m.higher {
							r.Ratio = refMedian / r.Median
						} else {
							r.Ratio = r.Median / refMedian
						}
					}
				}
				rep.Rows = append(rep.Rows, r)
			}
		}
	}
	cfg := rep.cfgForRows
	if contains(cfg.workloads, workloadScale) && contains(active, cfg.scaleVariant) {
		for _, total := range cfg.scaleTotals {
			for _, inFlight := range cfg.scaleInFlight {
				var cells []cellResult
				for _, c := range rep.ok(cfg.scaleVariant, workloadScale) {
					if c.Spec.Runs == total && c.Spec.InFlight == inFlight {
						cells = append(cells, c)
					}
				}
				sr := scaleRow{Variant: cfg.scaleVariant, InFlight: inFlight, Total: total, Reps: len(cells)}
				if len(cells) > 0 {
					var rates, rss []float64
					for _, c := range cells {
						rates = append(rates, c.RunsPerSec)
						rss = append(rss, c.PeakRSSMiB)
					}
					sr.RunsPerSec, sr.Min, sr.Max = median(rates), slices.Min(rates), slices.Max(rates)
					sr.CPUmsPerRun = 1000 * perRunMedian(cells, func(c cellResult) float64 { return c.ProcCPU })
					sr.PeakRSSMiB = median(rss)
				}
				rep.Scale = append(rep.Scale, sr)
			}
		}
	}
}

func (c cellResult) summary() string {
	s := fmt.Sprintf("rep %d %-9s %-22s", c.Spec.Rep, c.Spec.Workload, c.Spec.Variant)
	if c.Spec.Workload == workloadScale {
		s += fmt.Sprintf(" %d×%d", c.Spec.InFlight, c.Spec.Runs)
	}
	if c.Error != "" {
		return s + " FAILED: " + c.Error
	}
	switch c.Spec.Workload {
	case workloadWorkflow, workloadJob, workloadBulk, workloadScale:
		s += fmt.Sprintf(" %.0f runs/s", c.RunsPerSec)
	case workloadLatency:
		s += fmt.Sprintf(" p50 %.2f ms p99 %.2f ms", c.P50ms, c.P99ms)
	case workloadWake:
		s += fmt.Sprintf(" all done %.2f s after the wake", c.WakeSeconds)
	}
	s += fmt.Sprintf(", CPU %.2f s", c.ProcCPU)
	if c.ServerCPU >= 0 {
		s += fmt.Sprintf(", server CPU %.2f s, %d round trips", c.ServerCPU, c.RoundTrips)
	}
	return s
}

func num(v float64) string {
	switch {
	case v < 0:
		return "—"
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// cells returns the table's cells of r.
func (r row) cells() []string {
	value, rng := "failed", ""
	if r.Reps > 0 {
		value, rng = num(r.Median), num(r.Min)+"–"+num(r.Max)
	}
	ratio := ""
	switch {
	case r.Reference == "":
		if r.Variant == reference(r.Store) {
			ratio = "(reference)"
		}
	case r.Ratio > 0:
		ratio = fmt.Sprintf("%.2f×", r.Ratio)
	}
	return []string{r.Workload, r.Metric, r.Variant, value, rng, ratio, num(r.CPUmsPerRun), num(r.ServerCPUmsPerRun), num(r.RoundTripsPerRun)}
}

var header = []string{"workload", "metric", "system", "median", "range", "durable's advantage", "CPU ms/run", "server CPU ms/run", "round trips/run"}

func (rep *report) text() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "\n%s\n", rep.machineLine())
	tw := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rep.Rows {
		fmt.Fprintln(tw, strings.Join(r.cells(), "\t"))
	}
	tw.Flush()
	if len(rep.Scale) > 0 {
		fmt.Fprintf(&b, "\nscale series (%s, 3-step workflows):\n", rep.cfgForRows.scaleVariant)
		tw = tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "in flight\ttotal\truns/s\trange\tCPU ms/run\tpeak RSS MiB")
		for _, s := range rep.Scale {
			fmt.Fprintln(tw, strings.Join(s.cells(), "\t"))
		}
		tw.Flush()
	}
	b.WriteString("\n" + ratioNote + "\n")
	for _, f := range rep.Fairness {
		b.WriteString("- " + f + "\n")
	}
	for _, c := range rep.Cells {
		if c.Error != "" {
			fmt.Fprintf(&b, "FAILED: %s\n", c.summary())
		}
	}
	return b.String()
}

func (s scaleRow) cells() []string {
	if s.Reps == 0 {
		return []string{fmt.Sprint(s.InFlight), fmt.Sprint(s.Total), "failed", "", "", ""}
	}
	return []string{fmt.Sprint(s.InFlight), fmt.Sprint(s.Total), num(s.RunsPerSec), num(s.Min) + "–" + num(s.Max), num(s.CPUmsPerRun), num(s.PeakRSSMiB)}
}

const ratioNote = "durable's advantage: durable ÷ peer for throughput, peer ÷ durable for times, against durable on the same store (SQLite: durable at synchronous=NORMAL, like for like); above 1 durable is ahead. CPU ms/run: this process (getrusage) over the measured interval ÷ runs; server CPU: the PostgreSQL backends of the cell's database (/proc); round trips: statements and batches sent by the system's pgx pool."

func (rep *report) machineLine() string {
	pg := ""
	if rep.Postgres != nil {
		pg = fmt.Sprintf("; PostgreSQL %s (fsync=%s, synchronous_commit=%s)", rep.Postgres["server_version"], rep.Postgres["fsync"], rep.Postgres["synchronous_commit"])
	}
	return fmt.Sprintf("%s, %d cores (%s), %s%s; load average %s at start, %s at end; %s",
		rep.Started.Format("2006-01-02 15:04 MST"), rep.Cores, rep.CPU, rep.GoVersion, pg, rep.LoadStart, rep.LoadEnd, rep.Config)
}

// markdown is the report as the README shows it.
func (rep *report) markdown() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Measured %s.\n\nCommand: `%s`\n\n", rep.machineLine(), rep.Command)
	if len(rep.Rows) > 0 {
		b.WriteString("| " + strings.Join(header, " | ") + " |\n|" + strings.Repeat("---|", len(header)) + "\n")
		for _, r := range rep.Rows {
			b.WriteString("| " + strings.Join(r.cells(), " | ") + " |\n")
		}
	}
	if len(rep.Scale) > 0 {
		fmt.Fprintf(&b, "\nScale series, durable alone (`%s`, 3-step workflows):\n\n", rep.cfgForRows.scaleVariant)
		b.WriteString("| in flight | total | runs/s | range | CPU ms/run | peak RSS MiB |\n|---|---|---|---|---|---|\n")
		for _, s := range rep.Scale {
			b.WriteString("| " + strings.Join(s.cells(), " | ") + " |\n")
		}
	}
	b.WriteString("\n" + ratioNote + "\n\nSettings:\n\n")
	for _, f := range rep.Fairness {
		b.WriteString("- " + f + "\n")
	}
	ids := make([]string, 0, len(rep.Variants))
	for id := range rep.Variants {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		fmt.Fprintf(&b, "- `%s`: %s\n", id, rep.Variants[id])
	}
	for _, s := range rep.Skipped {
		fmt.Fprintf(&b, "- skipped %s\n", s)
	}
	for _, c := range rep.Cells {
		if c.Error != "" {
			fmt.Fprintf(&b, "- FAILED: %s\n", c.summary())
		}
	}
	return b.String()
}

func (rep *report) write(mdPath, jsonPath string) error {
	if mdPath != "" {
		if err := os.WriteFile(mdPath, []byte(rep.markdown()), 0o644); err != nil {
			return err
		}
	}
	if jsonPath != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(jsonPath, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func cfgSummary(cfg config) string {
	return fmt.Sprintf("%d repetitions; workflow3 %d runs, %d in flight; job1 %d runs, %d in flight; jobbulk %d jobs, %d workers; latency %d samples; wake %d runs; PostgreSQL pools %d connections",
		cfg.reps, cfg.runs, cfg.workflowInFlight, cfg.runs, cfg.jobInFlight, cfg.bulkRuns, cfg.bulkWorkers, cfg.latencySamples, cfg.wakeRuns, cfg.pgConns)
}

// fairness states how the systems are measured alike.
func fairness(cfg config) []string {
	return []string{
		"Every cell (system × workload × repetition) runs in a fresh child process on a fresh store: a new SQLite file in a new temporary directory, or a new PostgreSQL database created for the cell and dropped after it. Cells are interleaved round-robin (repetition, workload, system; the system order rotates each repetition).",
		"The same function everywhere: steps that do nothing but report to the benchmark. durable: a function of step.Run steps started by Engine.Send; DBOS: a workflow of RunAsStep steps started by RunWorkflow; River: one job per step, each next job inserted in the transaction that completes the one before (JobCompleteTx), the first by Client.Insert.",
		"A run counts as finished when its last step's result is committed: durable and DBOS commit a step before step.Run or RunAsStep returns; River commits a job's completion after Work returns, in batches, and reports it to a subscription (Client.Subscribe, job completed), which is when a River run counts as finished. No system's later bookkeeping (a run's final status) is waited for.",
		fmt.Sprintf("Latency: from the call that sends or enqueues (Engine.Send, RunWorkflow, Client.Insert) to the start of the first step's body, in the same process; one run at a time, the next sent when the previous finished plus a random pause of up to %s.", cfg.latencyGap),
		fmt.Sprintf("Wake: %d runs each sleep durably until one instant (durable step.SleepUntil, DBOS Sleep, River JobSnooze), then run one step; every run must be asleep before the instant, and the time is from the instant until the last run finished. Runs executing at once after the wake: %d for durable and River, unbounded for DBOS (a goroutine per workflow).", cfg.wakeRuns, cfg.wakeWorkers),
		fmt.Sprintf("Bulk (jobbulk), the regime of River's own benchmark (river bench -n): %d 1-step jobs are enqueued %d per call (durable: Engine.Send of %d events; River: Client.InsertMany) while the system's workers are stopped, then %d workers start (durable's Workers, River's MaxWorkers), and the time is from the start until the last job finished. DBOS has no bulk enqueue and is not in this workload.", cfg.bulkRuns, bulkBatch, bulkBatch, cfg.bulkWorkers),
		fmt.Sprintf("Throughput workloads keep exactly N runs sent and not finished; durable's Workers and River's MaxWorkers are N; DBOS runs each workflow in its own goroutine. PostgreSQL: every system's pgx pool has %d connections.", cfg.pgConns),
	}
}
