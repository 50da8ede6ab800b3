package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver riversqlite runs on
)

// stepArgs is River's job for one step of a run: River has no multi-step
// workflows, so a run of n steps is a chain of n jobs, each inserted in the
// transaction that completes the one before (River's transactional
// completion), which commits every step before the next starts, as durable
// and DBOS do.
type stepArgs struct {
	I    int `json:"i"`
	Step int `json:"step"`
}

func (stepArgs) Kind() string { return "bench_step" }

// stepWorker works stepArgs for a River client whose driver is D.
type stepWorker[D riverdriver.Driver[TTx], TTx any] struct {
	river.WorkerDefaults[stepArgs]
	shape  *runShape
	h      hooks
	client *river.Client[TTx]
	begin  func(ctx context.Context) (tx TTx, commit func() error, rollback func(), err error)
}

func (w *stepWorker[D, TTx]) Work(ctx context.Context, job *river.Job[stepArgs]) error {
	a := job.Args
	if !w.shape.wakeAt.IsZero() && a.Step == 0 && snoozes(job.Metadata) == 0 {
		if time.Now().Before(w.shape.wakeAt) {
			w.h.parked(a.I)
		}
		return river.JobSnooze(max(0, time.Until(w.shape.wakeAt)))
	}
	if a.Step == 0 {
		w.h.first(a.I)
	}
	if a.Step+1 == w.shape.steps {
		// River commits this completion after Work returns, in a batch:
		// the run is done when the subscription says so (startRiver).
		return nil
	}
	tx, commit, rollback, err := w.begin(ctx)
	if err != nil {
		return err
	}
	defer rollback()
	if _, err := w.client.InsertTx(ctx, tx, stepArgs{I: a.I, Step: a.Step + 1}, nil); err != nil {
		return err
	}
	if _, err := river.JobCompleteTx[D](ctx, tx, job); err != nil {
		return err
	}
	return commit()
}

// snoozes is how many times the job was snoozed (River keeps the count in
// its metadata).
func snoozes(metadata []byte) int {
	var m struct {
		Snoozes int `json:"snoozes"`
	}
	json.Unmarshal(metadata, &m)
	return m.Snoozes
}

func riverConfig(workers *river.Workers, shape *runShape, cooldown time.Duration) *river.Config {
	return &river.Config{
		Logger:        slog.New(slog.DiscardHandler),
		Queues:        map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: shape.workers}},
		Workers:       workers,
		FetchCooldown: cooldown, // 0: River's default
	}
}

// openRiverPG starts River on PostgreSQL (riverpgxv5) with the given fetch
// cooldown (0: River's default).
func openRiverPG(cooldown time.Duration) func(ctx context.Context, env cellEnv, shape *runShape, h hooks) (instance, error) {
	return func(ctx context.Context, env cellEnv, shape *runShape, h hooks) (instance, error) {
		pc, err := pgxpool.ParseConfig(env.dsn)
		if err != nil {
			return nil, err
		}
		pc.MaxConns = int32(env.pgConns)
		pc.ConnConfig.Tracer = env.rt
		pool, err := pgxpool.NewWithConfig(ctx, pc)
		if err != nil {
			return nil, err
		}
		driver := riverpgxv5.New(pool)
		w := &stepWorker[*riverpgxv5.Driver, pgx.Tx]{shape: shape, h: h,
			begin: func(ctx context.Context) (pgx.Tx, func() error, func(), error) {
				tx, err := pool.Begin(ctx)
				if err != nil {
					return nil, nil, nil, err
				}
				return tx, func() error { return tx.Commit(ctx) }, func() { tx.Rollback(ctx) }, nil
			}}
		inst, err := startRiver(ctx, driver, w, shape, cooldown)
		if err != nil {
			pool.Close()
			return nil, err
		}
		inst.release = pool.Close
		return inst, nil
	}
}

// openRiverSQLite starts River on a SQLite file (riversqlite on
// modernc.org/sqlite) opened with WAL and synchronous=NORMAL, one
// connection as riversqlite's documentation advises.
func openRiverSQLite(ctx context.Context, env cellEnv, shape *runShape, h hooks) (instance, error) {
	q := url.Values{"_pragma": {"journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(5000)"}}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(env.dir, "river.db")+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	driver := riversqlite.New(db)
	w := &stepWorker[*riversqlite.Driver, *sql.Tx]{shape: shape, h: h,
		begin: func(ctx context.Context) (*sql.Tx, func() error, func(), error) {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return nil, nil, nil, err
			}
			return tx, tx.Commit, func() { tx.Rollback() }, nil
		}}
	inst, err := startRiver(ctx, driver, w, shape, 0)
	if err != nil {
		db.Close()
		return nil, err
	}
	inst.release = func() { db.Close() }
	return inst, nil
}

func startRiver[D riverdriver.Driver[TTx], TTx any](ctx context.Context, driver D, w *stepWorker[D, TTx], shape *runShape, cooldown time.Duration) (*riverInstance[TTx], error) {
	migrator, err := rivermigrate.New(driver, nil)
	if err != nil {
		return nil, err
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("river migrate: %w", err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	client, err := river.NewClient(driver, riverConfig(workers, shape, cooldown))
	if err != nil {
		return nil, fmt.Errorf("river: %w", err)
	}
	w.client = client
	// A run is done when the completion of its last job is committed,
	// which River reports to subscribers; the buffer holds every run's
	// event so that none is dropped.
	completed, unsubscribe := client.SubscribeConfig(&river.SubscribeConfig{Kinds: []river.EventKind{river.EventKindJobCompleted}, ChanSize: 1 << 18})
	go func() {
		for ev := range completed {
			var a stepArgs
			if err := json.Unmarshal(ev.Job.EncodedArgs, &a); err == nil && a.Step+1 == shape.steps {
				w.h.done(a.I)
			}
		}
	}()
	inst := &riverInstance[TTx]{client: client, unsubscribe: unsubscribe}
	if !shape.deferStart {
		if err := inst.start(ctx); err != nil {
			unsubscribe()
			return nil, err
		}
	}
	return inst, nil
}

type riverInstance[TTx any] struct {
	client      *river.Client[TTx]
	unsubscribe func()
	release     func()
}

func (r *riverInstance[TTx]) send(ctx context.Context, i int) error {
	_, err := r.client.Insert(ctx, stepArgs{I: i}, nil)
	return err
}

func (r *riverInstance[TTx]) start(ctx context.Context) error {
	if err := r.client.Start(ctx); err != nil {
		return fmt.Errorf("river: %w", err)
	}
	return nil
}

// sendMany inserts n jobs in one InsertMany, as River's benchmark does.
func (r *riverInstance[TTx]) sendMany(ctx context.Context, from, n int) error {
	params := make([]river.InsertManyParams, n)
	for k := range params {
		params[k].Args = stepArgs{I: from + k}
	}
	_, err := r.client.InsertMany(ctx, params)
	return err
}

func (r *riverInstance[TTx]) close(ctx context.Context) error {
	err := r.client.Stop(ctx)
	r.unsubscribe()
	r.release()
	if err != nil {
		return fmt.Errorf("stop river: %w", err)
	}
	return nil
}
