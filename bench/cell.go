package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// The workloads.
const (
	workloadWorkflow = "workflow3" // 3-step workflows, a fixed number in flight
	workloadJob      = "job1"      // 1-step jobs, a fixed number in flight
	workloadLatency  = "latency"   // send → first step's body, one run at a time
	workloadWake     = "wake"      // runs sleeping until one instant, woken at once
	workloadBulk     = "jobbulk"   // 1-step jobs enqueued in bulk, then worked (River's own benchmark)
	workloadScale    = "scale"     // durable alone: 3-step workflows, in flight × total
)

var workloadNames = []string{workloadWorkflow, workloadJob, workloadBulk, workloadLatency, workloadWake}

// cellSpec is one measurement: one variant, one workload, one repetition.
// It is what the parent hands a child process (as JSON).
type cellSpec struct {
	Variant  string `json:"variant"`
	Workload string `json:"workload"`
	Rep      int    `json:"rep"`
	// Runs is how many runs are sent (latency: how many samples).
	Runs int `json:"runs"`
	// InFlight bounds the runs sent and not finished (throughput
	// workloads), and is the worker bound of the systems that have one.
	InFlight int `json:"in_flight"`
	// Steps per run.
	Steps int `json:"steps"`
	// WakeMargin is how long after the first send the wake workload's runs
	// wake: all must be asleep by then.
	WakeMargin time.Duration `json:"wake_margin"`
	// LatencyGap bounds the random pause between a latency sample's run
	// finishing and the next send.
	LatencyGap time.Duration `json:"latency_gap"`
	// Admin is the PostgreSQL URL where a fresh database is created per cell.
	Admin string `json:"admin,omitempty"`
	// TraceSQL counts the PostgreSQL round trips by statement.
	TraceSQL bool          `json:"trace_sql,omitempty"`
	PGConns  int           `json:"pg_conns"`
	Timeout  time.Duration `json:"timeout"`
}

// cellResult is what one cell measured. Times of the measured interval
// only: setup (opening, migrating) and teardown are outside it.
type cellResult struct {
	Spec        cellSpec `json:"spec"`
	Seconds     float64  `json:"seconds"`                // the measured interval
	RunsPerSec  float64  `json:"runs_per_sec,omitempty"` // throughput workloads
	P50ms       float64  `json:"p50_ms,omitempty"`       // latency
	P99ms       float64  `json:"p99_ms,omitempty"`
	MaxMs       float64  `json:"max_ms,omitempty"`
	WakeSeconds float64  `json:"wake_seconds,omitempty"` // wake: from the wake time until every run finished
	ProcCPU     float64  `json:"proc_cpu_seconds"`       // this process, getrusage
	ServerCPU   float64  `json:"server_cpu_seconds"`     // PostgreSQL backends of the cell's database; -1 on SQLite
	RoundTrips  int64    `json:"round_trips"`            // PostgreSQL round trips (statements and batches); 0 on SQLite
	PeakRSSMiB  float64  `json:"peak_rss_mib"`           // peak resident set of the process in the interval
	// Statements counts the round trips of the interval by statement
	// (-trace-sql).
	Statements map[string]int64 `json:"statements,omitempty"`
	Error      string           `json:"error,omitempty"`
}

// runsMeasured is how many runs the interval covered, the divisor of the
// per-run figures.
func (r cellResult) runsMeasured() int { return r.Spec.Runs }

// collector receives the hooks of the runs of one cell.
type collector struct {
	parkedSeen []atomic.Bool
	parked     atomic.Int64
	allParked  chan struct{}
	first      chan time.Time
	done       chan int
}

func newCollector(n int) *collector {
	return &collector{
		parkedSeen: make([]atomic.Bool, n),
		allParked:  make(chan struct{}),
		first:      make(chan time.Time, 1),
		done:       make(chan int, n),
	}
}

func (c *collector) hooks(latency bool) hooks {
	return hooks{
		parked: func(i int) {
			if !c.parkedSeen[i].Swap(true) && int(c.parked.Add(1)) == len(c.parkedSeen) {
				close(c.allParked)
			}
		},
		first: func(int) {
			if latency {
				c.first <- time.Now()
			}
		},
		done: func(i int) { c.done <- i },
	}
}

// runCell opens the variant on a fresh store, runs the workload and
// measures it.
func runCell(parent context.Context, spec cellSpec) (res cellResult) {
	res = cellResult{Spec: spec, ServerCPU: -1}
	if err := runCellErr(parent, spec, &res); err != nil {
		res.Error = err.Error()
	}
	return res
}

func runCellErr(parent context.Context, spec cellSpec, res *cellResult) error {
	v, ok := findVariant(spec.Variant)
	if !ok {
		return fmt.Errorf("unknown variant %q", spec.Variant)
	}
	if spec.Runs < 1 || spec.InFlight < 1 || spec.Steps < 1 {
		return fmt.Errorf("%s on %s: runs, in flight and steps must be at least 1 (got %d, %d, %d)", spec.Workload, spec.Variant, spec.Runs, spec.InFlight, spec.Steps)
	}
	ctx, cancel := context.WithTimeout(parent, spec.Timeout)
	defer cancel()
	dir, err := os.MkdirTemp("", "durable-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	env := cellEnv{dir: dir, pgConns: spec.PGConns, rt: &roundTrips{}}
	env.rt.trace = spec.TraceSQL
	var server *serverCPU
	if v.Store == storePostgres {
		if spec.Admin == "" {
			return fmt.Errorf("%s needs PostgreSQL: set -pg", spec.Variant)
		}
		name, dsn, drop, err := freshDatabase(ctx, spec.Admin)
		if err != nil {
			return err
		}
		defer drop()
		env.dsn = dsn
		server = &serverCPU{admin: spec.Admin, dbName: name}
	}
	col := newCollector(spec.Runs)
	shape := &runShape{steps: spec.Steps, workers: spec.InFlight, deferStart: spec.Workload == workloadBulk}
	inst, err := v.open(ctx, env, shape, col.hooks(spec.Workload == workloadLatency))
	if err != nil {
		return fmt.Errorf("open %s: %w", spec.Variant, err)
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := inst.close(stopCtx); err != nil && res.Error == "" {
			res.Error = err.Error()
		}
	}()

	m := &meter{server: server, rt: env.rt}
	switch spec.Workload {
	case workloadWorkflow, workloadJob, workloadScale:
		if err := m.start(ctx); err != nil {
			return err
		}
		if err := driveRuns(ctx, inst, col, spec.Runs, spec.InFlight); err != nil {
			return err
		}
		if err := m.stop(ctx, res); err != nil {
			return err
		}
		res.RunsPerSec = float64(spec.Runs) / res.Seconds
	case workloadLatency:
		if err := m.start(ctx); err != nil {
			return err
		}
		lat, err := sampleLatency(ctx, inst, col, spec.Runs, spec.LatencyGap)
		if err != nil {
			return err
		}
		if err := m.stop(ctx, res); err != nil {
			return err
		}
		slices.Sort(lat)
		res.P50ms = ms(lat[len(lat)/2])
		res.P99ms = ms(lat[len(lat)*99/100])
		res.MaxMs = ms(lat[len(lat)-1])
	case workloadWake:
		if err := wakeAtOnce(ctx, inst, col, shape, spec, m, res); err != nil {
			return err
		}
	case workloadBulk:
		loader, ok := inst.(bulkLoader)
		if !ok {
			return fmt.Errorf("%s cannot enqueue in bulk", spec.Variant)
		}
		if err := burnDown(ctx, loader, col, spec.Runs, m, res); err != nil {
			return err
		}
		res.RunsPerSec = float64(spec.Runs) / res.Seconds
	default:
		return fmt.Errorf("unknown workload %q", spec.Workload)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// meter measures an interval: wall time, this process's CPU and peak
// memory, the server's CPU for the cell's database and the round trips.
type meter struct {
	server    *serverCPU
	rt        *roundTrips
	t0        time.Time
	cpu0      float64
	rt0       int64
	stmts0    map[string]int64
	serverAt0 map[int]float64
}

func (m *meter) start(ctx context.Context) error {
	if m.server != nil {
		s, err := m.server.sample(ctx)
		if err != nil {
			return err
		}
		m.serverAt0 = s
	}
	resetPeakRSS()
	m.rt0, m.stmts0 = m.rt.snapshot()
	m.cpu0 = cpuSeconds()
	m.t0 = time.Now()
	return nil
}

func (m *meter) stop(ctx context.Context, res *cellResult) error {
	res.Seconds = time.Since(m.t0).Seconds()
	res.ProcCPU = cpuSeconds() - m.cpu0
	rt, stmts := m.rt.snapshot()
	res.RoundTrips = rt - m.rt0
	if s := stmts; s != nil {
		res.Statements = map[string]int64{}
		for k, n := range s {
			if d := n - m.stmts0[k]; d > 0 {
				res.Statements[k] = d
			}
		}
	}
	res.PeakRSSMiB = peakRSSMiB()
	if m.server != nil {
		s, err := m.server.sample(ctx)
		if err != nil {
			return err
		}
		res.ServerCPU = cpuDelta(m.serverAt0, s)
	}
	return nil
}

// driveRuns sends n runs, keeping at most inFlight sent and not finished,
// and returns when all have finished.
func driveRuns(ctx context.Context, inst instance, col *collector, n, inFlight int) error {
	slots := make(chan struct{}, inFlight)
	errs := make(chan error, 1)
	go func() {
		for i := range n {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() {
				if err := inst.send(ctx, i); err != nil {
					select {
					case errs <- fmt.Errorf("send run %d: %w", i, err):
					default:
					}
				}
			}()
		}
	}()
	for finished := range n {
		select {
		case <-col.done:
			<-slots
		case err := <-errs:
			return err
		case <-ctx.Done():
			return fmt.Errorf("%d of %d runs finished before the cell's timeout", finished, n)
		}
	}
	return nil
}

// bulkBatch is how many runs one bulk enqueue carries: River's benchmark
// inserts 5,000 per InsertMany.
const bulkBatch = 5000

// burnDown enqueues n runs bulkBatch at a time while the system's workers
// are stopped, then starts them and measures from the start until the
// last run finished, as River's benchmark (river bench -n) does.
func burnDown(ctx context.Context, loader bulkLoader, col *collector, n int, m *meter, res *cellResult) error {
	for from := 0; from < n; from += bulkBatch {
		if err := loader.sendMany(ctx, from, min(bulkBatch, n-from)); err != nil {
			return fmt.Errorf("enqueue runs %d and on: %w", from, err)
		}
	}
	if err := m.start(ctx); err != nil {
		return err
	}
	if err := loader.start(ctx); err != nil {
		return err
	}
	for finished := range n {
		select {
		case <-col.done:
		case <-ctx.Done():
			return fmt.Errorf("%d of %d runs finished before the cell's timeout", finished, n)
		}
	}
	return m.stop(ctx, res)
}

// sampleLatency sends n runs one at a time and returns, for each, the time
// from the send call to the start of its first step's body. The next run is
// sent after the previous one finished and a random pause of up to gap.
func sampleLatency(ctx context.Context, inst instance, col *collector, n int, gap time.Duration) ([]time.Duration, error) {
	lat := make([]time.Duration, 0, n)
	for i := range n {
		sent := time.Now()
		if err := inst.send(ctx, i); err != nil {
			return nil, fmt.Errorf("send run %d: %w", i, err)
		}
		select {
		case at := <-col.first:
			lat = append(lat, at.Sub(sent))
		case <-ctx.Done():
			return nil, fmt.Errorf("run %d: its first step had not started by the cell's timeout", i)
		}
		select {
		case <-col.done:
		case <-ctx.Done():
			return nil, fmt.Errorf("run %d did not finish by the cell's timeout", i)
		}
		if gap > 0 {
			time.Sleep(rand.N(gap))
		}
	}
	return lat, nil
}

// wakeAtOnce sends spec.Runs runs that all sleep until one instant, checks
// that all are asleep before it, and measures from that instant until the
// last has finished.
func wakeAtOnce(ctx context.Context, inst instance, col *collector, shape *runShape, spec cellSpec, m *meter, res *cellResult) error {
	wakeAt := time.Now().Add(spec.WakeMargin)
	shape.wakeAt = wakeAt
	var wg sync.WaitGroup
	next := make(chan int)
	errs := make(chan error, 1)
	for range 32 {
		wg.Go(func() {
			for i := range next {
				if err := inst.send(ctx, i); err != nil {
					select {
					case errs <- fmt.Errorf("send run %d: %w", i, err):
					default:
					}
				}
			}
		})
	}
	go func() {
		defer close(next)
		for i := range spec.Runs {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	select {
	case <-col.allParked:
	case err := <-errs:
		return err
	case <-time.After(time.Until(wakeAt)):
		return fmt.Errorf("only %d of %d runs were asleep at the wake time, %s after the first send: raise -wake-margin", col.parked.Load(), spec.Runs, spec.WakeMargin)
	}
	wg.Wait()
	// Sample just before the wake time so the sample's own query is not in
	// the interval.
	time.Sleep(time.Until(wakeAt.Add(-50 * time.Millisecond)))
	if err := m.start(ctx); err != nil {
		return err
	}
	time.Sleep(time.Until(wakeAt))
	m.t0 = wakeAt
	var last time.Time
	for finished := range spec.Runs {
		select {
		case <-col.done:
			last = time.Now()
		case <-ctx.Done():
			return fmt.Errorf("%d of %d woken runs finished before the cell's timeout", finished, spec.Runs)
		}
	}
	if err := m.stop(ctx, res); err != nil {
		return err
	}
	res.WakeSeconds = last.Sub(wakeAt).Seconds()
	if res.WakeSeconds < 0 {
		return errors.New("a run finished before the wake time")
	}
	return nil
}
