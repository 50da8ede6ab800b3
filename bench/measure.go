package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// cpuSeconds is the user and system CPU time this process has used so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return tvSeconds(ru.Utime) + tvSeconds(ru.Stime)
}

func tvSeconds(tv syscall.Timeval) float64 {
	return float64(tv.Sec) + float64(tv.Usec)/1e6
}

// resetPeakRSS makes the kernel forget the process's peak resident set
// (Linux: writing 5 to clear_refs), so that peakRSSMiB reports the peak of
// the measured interval rather than of the setup. It reports whether it
// could.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSSMiB is the peak resident set size (VmHWM) of the process, or 0
// where /proc is missing.
func peakRSSMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kib) / 1024
		}
	}
	return 0
}

// loadAverage is the 1-, 5- and 15-minute load average, as /proc/loadavg
// gives it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times; 100 on every
// Linux port Go supports.
const clockTicks = 100

// procCPUSeconds reads the user+system CPU time of process pid from
// /proc/<pid>/stat.
func procCPUSeconds(pid int) (float64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The command name (field 2) is in parentheses and may hold spaces:
	// fields are counted from the last ')'.
	s := string(b)
	close := strings.LastIndexByte(s, ')')
	if close < 0 {
		return 0, false
	}
	f := strings.Fields(s[close+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseFloat(f[11], 64)
	st, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return (ut + st) / clockTicks, true
}

// serverCPU samples the CPU time of the PostgreSQL backends serving one
// database: the sessions pg_stat_activity lists for it, read from /proc
// (so only when the server runs on this machine). The server's shared
// processes (WAL writer, checkpointer) are not counted: they work for every
// database of the server alike.
type serverCPU struct {
	admin  string
	dbName string
}

// sample returns the CPU seconds of each backend of the database now.
func (s serverCPU) sample(ctx context.Context) (map[int]float64, error) {
	conn, err := pgx.Connect(ctx, s.admin)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT pid FROM pg_stat_activity WHERE datname = $1", s.dbName)
	if err != nil {
		return nil, err
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return nil, err
	}
	out := make(map[int]float64, len(pids))
	for _, pid := range pids {
		if sec, ok := procCPUSeconds(int(pid)); ok {
			out[int(pid)] = sec
		}
	}
	if len(pids) > 0 && len(out) == 0 {
		return nil, fmt.Errorf("PostgreSQL backends of %s are not readable in /proc (server on another machine?)", s.dbName)
	}
	return out, nil
}

// delta is the CPU the backends used between two samples; a backend born
// after the first counts from zero.
func cpuDelta(from, to map[int]float64) float64 {
	var d float64
	for pid, sec := range to {
		d += sec - from[pid]
	}
	return d
}

// freshDatabase creates an empty database on the server of admin (a
// postgres:// URL) and returns its name and URL; drop removes it.
func freshDatabase(ctx context.Context, admin string) (name, dsn string, drop func(), err error) {
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", "", nil, fmt.Errorf("-pg %q: want a postgres:// URL (the benchmark creates a database per run next to its database)", admin)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name = "durable_bench_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", "", nil, fmt.Errorf("-pg: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u.Path = "/" + name
	drop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: drop database %s: %v\n", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "bench: drop database %s: %v\n", name, err)
		}
	}
	return name, u.String(), drop, nil
}

// serverSettings reads the durability settings of the server, which the
// output states.
func serverSettings(ctx context.Context, admin string) (map[string]string, error) {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return nil, fmt.Errorf("-pg: %w", err)
	}
	defer conn.Close(ctx)
	out := map[string]string{}
	for _, name := range []string{"server_version", "fsync", "synchronous_commit", "wal_sync_method", "full_page_writes"} {
		var v string
		if err := conn.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&v); err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		out[name] = v
	}
	return out, nil
}

// roundTrips is a pgx tracer that counts round trips to PostgreSQL:
// statements sent alone, and batches (one each, however many statements
// they hold). Every system's pool gets one.
type roundTrips struct {
	n atomic.Int64
	// When trace is set (-trace-sql), every round trip is counted under mu,
	// in n and by statement in bySQL, so that a snapshot sees both agree.
	trace bool
	mu    sync.Mutex
	bySQL map[string]int64
}

func (c *roundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.add(func() string { return d.SQL })
	return ctx
}

// add counts a round trip; sql names its statement when tracing.
func (c *roundTrips) add(sql func() string) {
	if !c.trace {
		c.n.Add(1)
		return
	}
	key := strings.Join(strings.Fields(sql()), " ")
	if len(key) > 100 {
		key = key[:100] + "…"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n.Add(1)
	if c.bySQL == nil {
		c.bySQL = map[string]int64{}
	}
	c.bySQL[key]++
}

// snapshot returns the round trips so far and, when tracing, a copy of
// their counts by statement.
func (c *roundTrips) snapshot() (int64, map[string]int64) {
	if !c.trace {
		return c.n.Load(), nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.bySQL))
	for k, n := range c.bySQL {
		out[k] = n
	}
	return c.n.Load(), out
}

func (c *roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *roundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	c.add(func() string {
		var sqls []string
		if d.Batch != nil {
			for _, q := range d.Batch.QueuedQueries {
				sqls = append(sqls, q.SQL)
			}
		}
		return "batch: " + strings.Join(sqls, " ; ")
	})
	return ctx
}

func (c *roundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (c *roundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func (c *roundTrips) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceCopyFromStartData) context.Context {
	c.add(func() string { return fmt.Sprintf("copy into %v", d.TableName) })
	return ctx
}

func (c *roundTrips) TraceCopyFromEnd(context.Context, *pgx.Conn, pgx.TraceCopyFromEndData) {}
