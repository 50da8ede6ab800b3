package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// config is the command line.
type config struct {
	pg               string
	reps             int
	variants         []string
	workloads        []string
	runs             int
	workflowInFlight int
	jobInFlight      int
	latencySamples   int
	latencyGap       time.Duration
	wakeRuns         int
	wakeMargin       time.Duration
	wakeWorkers      int
	bulkRuns         int
	bulkWorkers      int
	scaleVariant     string
	scaleInFlight    []int
	scaleTotals      []int
	pgConns          int
	cellTimeout      time.Duration
	traceSQL         bool
	mdPath           string
	jsonPath         string
	// inProcess runs the cells in this process instead of a child process
	// each (the test does, as a test binary is no command).
	inProcess bool
	progress  io.Writer
}

func main() {
	var cellJSON string
	cfg, err := parseFlags(os.Args[1:], &cellJSON)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if cellJSON != "" {
		// A child process: run one cell, print its result.
		var spec cellSpec
		if err := json.Unmarshal([]byte(cellJSON), &spec); err != nil {
			fmt.Fprintln(os.Stderr, "bench: -cell:", err)
			os.Exit(2)
		}
		json.NewEncoder(os.Stdout).Encode(runCell(context.Background(), spec))
		return
	}
	cfg.progress = os.Stderr
	rep, err := run(context.Background(), cfg, strings.Join(append([]string{"go run ."}, os.Args[1:]...), " "))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	fmt.Print(rep.text())
	if err := rep.write(cfg.mdPath, cfg.jsonPath); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	if rep.failures() > 0 {
		fmt.Fprintf(os.Stderr, "bench: %d cells failed (listed in the output)\n", rep.failures())
		os.Exit(1)
	}
}

func parseFlags(args []string, cellJSON *string) (config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var cfg config
	var variantList, workloadList, scaleInFlight, scaleTotals string
	fs.StringVar(&cfg.pg, "pg", os.Getenv("DURABLE_TEST_POSTGRES"), "PostgreSQL URL of a database on a server where the benchmark may create and drop databases (one per cell); default $DURABLE_TEST_POSTGRES; empty skips the PostgreSQL variants")
	fs.IntVar(&cfg.reps, "reps", 3, "repetitions of every cell")
	fs.StringVar(&variantList, "variants", "all", "comma-separated variants to run (all, or any of: "+strings.Join(variantIDs(), ", ")+"); a system name (durable, dbos, river) selects all its variants")
	fs.StringVar(&workloadList, "workloads", "workflow3,job1,jobbulk,latency,wake,scale", "comma-separated workloads")
	fs.IntVar(&cfg.runs, "runs", 10000, "runs per repetition of the workflow3 and job1 workloads")
	fs.IntVar(&cfg.workflowInFlight, "workflow-inflight", 64, "3-step workflows in flight")
	fs.IntVar(&cfg.jobInFlight, "job-inflight", 100, "1-step jobs in flight")
	fs.IntVar(&cfg.bulkRuns, "bulk-runs", 100000, "1-step jobs of the jobbulk workload, enqueued 5,000 per call before the workers start")
	fs.IntVar(&cfg.bulkWorkers, "bulk-workers", 1000, "workers of the jobbulk workload (durable's Workers, River's MaxWorkers; River's benchmark found about 1,000 best)")
	fs.IntVar(&cfg.latencySamples, "latency-samples", 500, "latency samples per repetition (one run at a time)")
	fs.DurationVar(&cfg.latencyGap, "latency-gap", 5*time.Millisecond, "random pause of up to this between a latency run finishing and the next send")
	fs.IntVar(&cfg.wakeRuns, "wake-runs", 10000, "sleeping runs woken at once")
	fs.DurationVar(&cfg.wakeMargin, "wake-margin", 0, "time from the first send to the wake instant, by which every run must be asleep; 0 estimates it per variant from its job1 throughput (twice the time to run that many jobs, plus 3 s)")
	fs.IntVar(&cfg.wakeWorkers, "wake-workers", 256, "runs executing at once after the wake, for the systems that bound it (durable's Workers, River's MaxWorkers; DBOS runs every workflow in a goroutine of its own)")
	fs.StringVar(&cfg.scaleVariant, "scale-variant", "durable/sqlite-full", "the durable variant of the scale series")
	fs.StringVar(&scaleInFlight, "scale-inflight", "1,8,64,256,1024", "scale series: runs in flight")
	fs.StringVar(&scaleTotals, "scale-totals", "2000,20000,100000", "scale series: total runs")
	fs.IntVar(&cfg.pgConns, "pg-conns", 20, "PostgreSQL connections of every system's pool (DBOS's default)")
	fs.DurationVar(&cfg.cellTimeout, "cell-timeout", 10*time.Minute, "time limit of one cell")
	fs.BoolVar(&cfg.traceSQL, "trace-sql", false, "count each PostgreSQL cell's round trips by statement: in the JSON, and per run on the progress lines")
	fs.StringVar(&cfg.mdPath, "md", "results.md", "Markdown output (empty: none)")
	fs.StringVar(&cfg.jsonPath, "json", "results.json", "JSON output (empty: none)")
	fs.StringVar(cellJSON, "cell", "", "internal: run one cell (JSON) and print its result")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if cfg.variants, err = parseVariants(variantList); err != nil {
		return cfg, err
	}
	for _, w := range strings.Split(workloadList, ",") {
		w = strings.TrimSpace(w)
		if w != workloadScale && !contains(workloadNames, w) {
			return cfg, fmt.Errorf("-workloads: unknown workload %q (want %s, %s)", w, strings.Join(workloadNames, ", "), workloadScale)
		}
		cfg.workloads = append(cfg.workloads, w)
	}
	if cfg.scaleInFlight, err = parseInts("-scale-inflight", scaleInFlight); err != nil {
		return cfg, err
	}
	if cfg.scaleTotals, err = parseInts("-scale-totals", scaleTotals); err != nil {
		return cfg, err
	}
	if v, ok := findVariant(cfg.scaleVariant); !ok || v.System != "durable" {
		return cfg, fmt.Errorf("-scale-variant %q: want a durable variant (%s)", cfg.scaleVariant, strings.Join(variantIDs(), ", "))
	}
	for name, n := range map[string]int{"-reps": cfg.reps, "-runs": cfg.runs, "-workflow-inflight": cfg.workflowInFlight, "-job-inflight": cfg.jobInFlight, "-latency-samples": cfg.latencySamples, "-wake-runs": cfg.wakeRuns, "-wake-workers": cfg.wakeWorkers, "-bulk-runs": cfg.bulkRuns, "-bulk-workers": cfg.bulkWorkers, "-pg-conns": cfg.pgConns} {
		if n < 1 {
			return cfg, fmt.Errorf("%s: must be at least 1, got %d", name, n)
		}
	}
	if cfg.latencySamples < 100 {
		fmt.Fprintf(os.Stderr, "bench: -latency-samples %d: a p99 needs at least 100 samples; it is the maximum here\n", cfg.latencySamples)
	}
	return cfg, nil
}

func variantIDs() []string {
	var ids []string
	for _, v := range variants() {
		ids = append(ids, v.ID)
	}
	return ids
}

func parseVariants(list string) ([]string, error) {
	if list == "all" {
		return variantIDs(), nil
	}
	var out []string
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		found := false
		for _, v := range variants() {
			if v.ID == name || v.System == name {
				if !contains(out, v.ID) {
					out = append(out, v.ID)
				}
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("-variants: unknown variant or system %q (want all, durable, dbos, river or one of %s)", name, strings.Join(variantIDs(), ", "))
		}
	}
	return out, nil
}

func parseInts(flagName, list string) ([]int, error) {
	var out []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s: %q is not a positive integer", flagName, s)
		}
		out = append(out, n)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// run measures every cell the configuration asks for and returns the
// report.
func run(ctx context.Context, cfg config, command string) (*report, error) {
	rep := &report{
		Command:    command,
		Started:    time.Now().UTC(),
		LoadStart:  loadAverage(),
		Cores:      runtime.NumCPU(),
		CPU:        cpuModel(),
		GoVersion:  runtime.Version(),
		Config:     cfgSummary(cfg),
		Fairness:   fairness(cfg),
		Variants:   map[string]string{},
		cfgForRows: cfg,
	}
	var active []string
	for _, id := range cfg.variants {
		v, _ := findVariant(id)
		if v.Store == storePostgres && cfg.pg == "" {
			rep.Skipped = append(rep.Skipped, id+": no PostgreSQL (-pg or DURABLE_TEST_POSTGRES unset)")
			continue
		}
		active = append(active, id)
		rep.Variants[id] = v.Settings
	}
	if cfg.pg != "" {
		s, err := serverSettings(ctx, cfg.pg)
		if err != nil {
			return nil, err
		}
		rep.Postgres = s
	}
	var specs [][]cellSpec // per repetition, in run order
	for r := range cfg.reps {
		var cells []cellSpec
		for _, w := range cfg.workloads {
			if w == workloadScale {
				continue
			}
			// Rotate the order of the systems each repetition, so that
			// none always runs first (or right after another's load).
			for k := range active {
				id := active[(k+r)%len(active)]
				if v, _ := findVariant(id); !v.runs(w) {
					continue
				}
				cells = append(cells, cfg.spec(id, w, r))
			}
		}
		if contains(cfg.workloads, workloadScale) && contains(active, cfg.scaleVariant) {
			for _, total := range cfg.scaleTotals {
				for _, inFlight := range cfg.scaleInFlight {
					s := cfg.spec(cfg.scaleVariant, workloadScale, r)
					s.Runs, s.InFlight = total, inFlight
					cells = append(cells, s)
				}
			}
		}
		specs = append(specs, cells)
	}
	total := 0
	for _, c := range specs {
		total += len(c)
	}
	done := 0
	for _, cells := range specs {
		for _, spec := range cells {
			done++
			if spec.Workload == workloadWake && spec.WakeMargin == 0 {
				spec.WakeMargin = rep.wakeMargin(spec)
			}
			res := cfg.runCell(ctx, spec)
			if res.Error != "" && strings.Contains(res.Error, "raise -wake-margin") && cfg.wakeMargin == 0 {
				// The estimate was short (the machine is shared): once more
				// with twice the time.
				spec.WakeMargin *= 2
				res = cfg.runCell(ctx, spec)
			}
			rep.Cells = append(rep.Cells, res)
			if cfg.progress != nil {
				fmt.Fprintf(cfg.progress, "[%d/%d] %s\n", done, total, res.summary())
				printStatements(cfg.progress, res)
			}
		}
	}
	rep.LoadEnd = loadAverage()
	rep.Finished = time.Now().UTC()
	rep.buildRows(active)
	return rep, nil
}

// spec is the cell of variant id and workload w in repetition r.
func (cfg config) spec(id, w string, r int) cellSpec {
	s := cellSpec{Variant: id, Workload: w, Rep: r + 1, Admin: cfg.pg, PGConns: cfg.pgConns, Timeout: cfg.cellTimeout, TraceSQL: cfg.traceSQL}
	switch w {
	case workloadWorkflow, workloadScale:
		s.Runs, s.InFlight, s.Steps = cfg.runs, cfg.workflowInFlight, 3
	case workloadJob:
		s.Runs, s.InFlight, s.Steps = cfg.runs, cfg.jobInFlight, 1
	case workloadBulk:
		s.Runs, s.InFlight, s.Steps = cfg.bulkRuns, cfg.bulkWorkers, 1
	case workloadLatency:
		s.Runs, s.InFlight, s.Steps, s.LatencyGap = cfg.latencySamples, cfg.jobInFlight, 1, cfg.latencyGap
	case workloadWake:
		s.Runs, s.InFlight, s.Steps, s.WakeMargin = cfg.wakeRuns, cfg.wakeWorkers, 1, cfg.wakeMargin
	}
	return s
}

// runCell runs one cell, in a child process unless cfg.inProcess.
func (cfg config) runCell(ctx context.Context, spec cellSpec) cellResult {
	if cfg.inProcess {
		return runCell(ctx, spec)
	}
	fail := func(err error) cellResult {
		return cellResult{Spec: spec, ServerCPU: -1, Error: err.Error()}
	}
	exe, err := os.Executable()
	if err != nil {
		return fail(err)
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return fail(err)
	}
	// The child stops itself at spec.Timeout; this bounds a child that
	// hangs in teardown.
	ctx, cancel := context.WithTimeout(ctx, spec.Timeout+2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-cell", string(b))
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fail(fmt.Errorf("child process: %w", err))
	}
	var res cellResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return fail(fmt.Errorf("child process output %q: %w", out.String(), err))
	}
	return res
}

// cpuModel is the processor's name from /proc/cpuinfo.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// printStatements writes a cell's round trips by statement, per run, most
// frequent first.
func printStatements(w io.Writer, res cellResult) {
	type stmt struct {
		sql string
		n   int64
	}
	var list []stmt
	for sql, n := range res.Statements {
		list = append(list, stmt{sql, n})
	}
	slices.SortFunc(list, func(a, b stmt) int { return cmp.Compare(b.n, a.n) })
	for _, s := range list {
		fmt.Fprintf(w, "\t%6.2f/run  %s\n", float64(s.n)/float64(res.runsMeasured()), s.sql)
	}
}
