package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store"
	"github.com/durable-go/durable/runtime/store/postgres"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

// A variant is one system on one store with its settings: what a column of
// measurements is about.
type variant struct {
	ID       string // e.g. "durable/sqlite-normal"
	System   string // durable, dbos or river
	Store    string // sqlite or postgres
	Settings string // the fairness settings, stated in the output
	// Bulk says the system can enqueue many runs in one call before its
	// workers start (the jobbulk workload): its instances are bulkLoaders.
	Bulk bool
	open func(ctx context.Context, env cellEnv, shape *runShape, h hooks) (instance, error)
}

// runs says whether the variant takes part in workload w: every one but
// jobbulk, which needs a bulk enqueue.
func (v variant) runs(w string) bool { return w != workloadBulk || v.Bulk }

const (
	storeSQLite   = "sqlite"
	storePostgres = "postgres"
)

// cellEnv is where a cell's system keeps its state: a fresh directory for
// SQLite files, a fresh database for PostgreSQL.
type cellEnv struct {
	dir     string
	dsn     string
	pgConns int
	rt      *roundTrips
}

// runShape is the function every system runs: steps steps, each a no-op
// whose body reports to the hooks, after sleeping until wakeAt when set.
type runShape struct {
	steps int
	// wakeAt, when set, makes every run sleep (durably) until then before
	// its steps.
	wakeAt time.Time
	// workers bounds the runs executing at once in the process where the
	// system has such a bound (durable's Workers, River's MaxWorkers).
	workers int
	// deferStart leaves the system's workers stopped until the instance's
	// start (bulkLoader): runs enqueued before then wait in the store.
	deferStart bool
}

// hooks are how a run tells the benchmark where it is. i is the index the
// run was sent with.
type hooks struct {
	parked func(i int) // the run reached its sleep (wake workload)
	first  func(i int) // the body of the run's first step started
	done   func(i int) // the run's last step returned
}

// instance is an opened system, started unless it was opened with
// runShape.deferStart (then bulkLoader.start starts it): send starts run i
// (the call whose time starts the latency interval); close stops the
// system and releases its store.
type instance interface {
	send(ctx context.Context, i int) error
	close(ctx context.Context) error
}

// bulkLoader is an instance of a system that enqueues in bulk (variant.Bulk),
// opened with runShape.deferStart.
type bulkLoader interface {
	instance
	// sendMany enqueues runs from to from+n-1 in one call.
	sendMany(ctx context.Context, from, n int) error
	// start starts the workers.
	start(ctx context.Context) error
}

// variants lists every system variant the benchmark knows, in table order.
func variants() []variant {
	return []variant{
		{ID: "durable/sqlite-normal", System: "durable", Store: storeSQLite, Settings: "WAL, synchronous=NORMAL (like for like with the peers), group commit", Bulk: true, open: openDurable("NORMAL")},
		{ID: "durable/sqlite-full", System: "durable", Store: storeSQLite, Settings: "WAL, synchronous=FULL (durable's default: every commit fsynced), group commit", Bulk: true, open: openDurable("FULL")},
		{ID: "dbos/sqlite", System: "dbos", Store: storeSQLite, Settings: "DBOS's SQLite system database: WAL, synchronous=NORMAL, busy_timeout 5 s, 8 connections (fixed by DBOS)", open: openDBOS},
		{ID: "river/sqlite", System: "river", Store: storeSQLite, Settings: "riversqlite on modernc.org/sqlite: WAL, synchronous=NORMAL, busy_timeout 5 s, 1 connection (as riversqlite's docs advise), default fetch cooldown (100 ms)", Bulk: true, open: openRiverSQLite},
		{ID: "durable/postgres", System: "durable", Store: storePostgres, Settings: "runtime/store/postgres, pool of -pg-conns connections, LISTEN/NOTIFY", Bulk: true, open: openDurable("")},
		{ID: "dbos/postgres", System: "dbos", Store: storePostgres, Settings: "DBOS system database in a pool of -pg-conns connections", open: openDBOS},
		{ID: "river/postgres", System: "river", Store: storePostgres, Settings: "riverpgxv5, pool of -pg-conns connections, default fetch cooldown (100 ms)", Bulk: true, open: openRiverPG(0)},
		{ID: "river/postgres-1ms", System: "river", Store: storePostgres, Settings: "riverpgxv5, pool of -pg-conns connections, fetch cooldown 1 ms", Bulk: true, open: openRiverPG(time.Millisecond)},
	}
}

// reference is the durable variant a peer on store is compared with: like
// for like (synchronous=NORMAL on SQLite).
func reference(store string) string {
	if store == storeSQLite {
		return "durable/sqlite-normal"
	}
	return "durable/postgres"
}

func findVariant(id string) (variant, bool) {
	for _, v := range variants() {
		if v.ID == id {
			return v, true
		}
	}
	return variant{}, false
}

// runData is the event data of a durable run: the benchmark's index.
type runData struct {
	I int `json:"i"`
}

// stepIDs names the steps of a run.
func stepID(s int) string { return "step-" + strconv.Itoa(s) }

// openDurable opens durable on SQLite with the given synchronous mode, or
// on PostgreSQL when synchronous is "".
func openDurable(synchronous string) func(ctx context.Context, env cellEnv, shape *runShape, h hooks) (instance, error) {
	return func(ctx context.Context, env cellEnv, shape *runShape, h hooks) (instance, error) {
		var st store.Store
		if synchronous != "" {
			s, err := sqlite.Open(filepath.Join(env.dir, "durable.db"), sqlite.Synchronous(synchronous))
			if err != nil {
				return nil, err
			}
			st = s
		} else {
			s, err := postgres.Open(ctx, env.dsn, postgres.MaxConns(env.pgConns), postgres.QueryTracer(env.rt))
			if err != nil {
				return nil, err
			}
			st = s
		}
		fn := runtime.NewFunction(runtime.FunctionOpts{ID: "bench"}, runtime.EventTrigger("bench/run.requested", ""),
			func(ctx context.Context, in runtime.Input[runData]) (any, error) {
				i := in.Event.Data.I
				if !shape.wakeAt.IsZero() {
					if time.Now().Before(shape.wakeAt) {
						h.parked(i)
					}
					if err := step.SleepUntil(ctx, "nap", shape.wakeAt); err != nil {
						return nil, err
					}
				}
				for s := range shape.steps {
					if _, err := step.Run(ctx, stepID(s), func(ctx context.Context) (int, error) {
						if s == 0 {
							h.first(i)
						}
						return s, nil
					}); err != nil {
						return nil, err
					}
				}
				h.done(i)
				return nil, nil
			})
		eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{fn}, Workers: shape.workers})
		if err != nil {
			st.Close()
			return nil, err
		}
		inst := &durableInstance{eng: eng, st: st}
		if !shape.deferStart {
			if err := inst.start(ctx); err != nil {
				st.Close()
				return nil, err
			}
		}
		return inst, nil
	}
}

type durableInstance struct {
	eng *runtime.Engine
	st  store.Store
}

func (d *durableInstance) send(ctx context.Context, i int) error {
	_, err := d.eng.Send(ctx, runtime.Event{Name: "bench/run.requested", Data: runData{I: i}})
	return err
}

func (d *durableInstance) start(ctx context.Context) error { return d.eng.Start(ctx) }

// sendMany sends n events in one Send: one store call.
func (d *durableInstance) sendMany(ctx context.Context, from, n int) error {
	events := make([]runtime.Event, n)
	for k := range events {
		events[k] = runtime.Event{Name: "bench/run.requested", Data: runData{I: from + k}}
	}
	_, err := d.eng.Send(ctx, events...)
	return err
}

func (d *durableInstance) close(ctx context.Context) error {
	err := d.eng.Stop(ctx)
	if cerr := d.st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("stop durable: %w", err)
	}
	return nil
}
