package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/dbos-inc/dbos-transact-golang/dbos"
	// DBOS's SQLite system database (modernc.org/sqlite, as durable's).
	_ "github.com/dbos-inc/dbos-transact-golang/dbos/driver/sqlite"
	"github.com/jackc/pgx/v5/pgxpool"
)

// openDBOS starts DBOS Transact on a SQLite file (env.dsn empty) or on
// PostgreSQL, with one workflow of shape.steps steps run by RunWorkflow, as
// DBOS's README shows: the workflow starts at once in the calling process.
func openDBOS(ctx context.Context, env cellEnv, shape *runShape, h hooks) (instance, error) {
	cfg := dbos.Config{AppName: "durable-bench", Logger: slog.New(slog.DiscardHandler)}
	var pool *pgxpool.Pool
	if env.dsn == "" {
		cfg.DatabaseURL = "sqlite:" + filepath.Join(env.dir, "dbos.db")
	} else {
		pc, err := pgxpool.ParseConfig(env.dsn)
		if err != nil {
			return nil, err
		}
		pc.MaxConns = int32(env.pgConns)
		pc.ConnConfig.Tracer = env.rt
		if pool, err = pgxpool.NewWithConfig(ctx, pc); err != nil {
			return nil, err
		}
		cfg.SystemDBPool = pool
	}
	dctx, err := dbos.NewContext(ctx, cfg)
	if err != nil {
		if pool != nil {
			pool.Close()
		}
		return nil, fmt.Errorf("dbos: %w", err)
	}
	wf := func(ctx dbos.Context, i int) (int, error) {
		if !shape.wakeAt.IsZero() {
			if time.Now().Before(shape.wakeAt) {
				h.parked(i)
			}
			if _, err := dbos.Sleep(ctx, max(0, time.Until(shape.wakeAt))); err != nil {
				return 0, err
			}
		}
		for s := range shape.steps {
			if _, err := dbos.RunAsStep(ctx, func(context.Context) (int, error) {
				if s == 0 {
					h.first(i)
				}
				return s, nil
			}, dbos.WithStepName(stepID(s))); err != nil {
				return 0, err
			}
		}
		h.done(i)
		return i, nil
	}
	dbos.RegisterWorkflow(dctx, wf, dbos.WithWorkflowName("bench"))
	if err := dbos.Launch(dctx); err != nil {
		dbos.Shutdown(dctx, 10*time.Second)
		if pool != nil {
			pool.Close()
		}
		return nil, fmt.Errorf("dbos: %w", err)
	}
	return &dbosInstance{ctx: dctx, wf: wf, pool: pool}, nil
}

type dbosInstance struct {
	ctx  dbos.Context
	wf   dbos.Workflow[int, int]
	pool *pgxpool.Pool
}

func (d *dbosInstance) send(_ context.Context, i int) error {
	_, err := dbos.RunWorkflow(d.ctx, d.wf, i)
	return err
}

func (d *dbosInstance) close(context.Context) error {
	err := dbos.Shutdown(d.ctx, 30*time.Second)
	if d.pool != nil {
		d.pool.Close()
	}
	if err != nil {
		return fmt.Errorf("stop dbos: %w", err)
	}
	return nil
}
