// Package postgres is the shared store of durable: one PostgreSQL database
// that any number of engine processes, on any number of machines, use at
// once, through github.com/jackc/pgx/v5 and its pool.
//
// # Model
//
// Updates run in PostgreSQL transactions at READ COMMITTED. Updates made at
// the same time share one (group commit, see GroupCommit): each runs after a
// SAVEPOINT, is rolled back to it alone when it fails, and one COMMIT ends
// them all, so a busy engine pays one commit (a WAL flush and a round trip)
// for many Updates; a few such groups run at once. CommitRuns commits many
// runs' own writes, SendEvents many sends' events and new runs, and
// ClaimRunBatch claims the due runs that need no decision of their own, in
// one statement of its own. READ COMMITTED gives each statement
// a fresh snapshot, and the store makes every decision that must not race
// either in one statement whose WHERE clause PostgreSQL re-checks on the
// newest row version after waiting for its lock, or under an explicit lock
// taken by an earlier statement of the transaction:
//
//   - Claims (ClaimRuns) lock candidate runs with SELECT ... FOR UPDATE SKIP
//     LOCKED, so claimers never wait for each other and never take the same
//     run; a run updated by another transaction since the snapshot is
//     re-checked and dropped if it is no longer claimable.
//   - Fencing: a run belongs to the process named by its lease. UpdateRun
//     with a RunCond, and CommitRuns for each run, is a single conditional
//     UPDATE; PutOwnedStep and OwnsRun
//     lock the run row they check (FOR NO KEY UPDATE) until commit, so a
//     takeover or cancellation (an UPDATE of that row) waits for the owner's
//     commit or makes the owner's check fail: a stale owner's writes are
//     rejected, never interleaved.
//   - Concurrency slots: taking, counting, releasing or handing over the
//     slots of a key happens under a transaction-scoped advisory lock of the
//     key, so no two processes count the same free slot.
//   - Flow-control state: GetState and PutState in an Update take a
//     transaction-scoped advisory lock of the key first, so the
//     read-modify-write of a window or a cursor is serialized across
//     processes (a missing row cannot be locked with FOR UPDATE; an advisory
//     lock can).
//
// SERIALIZABLE would give the same guarantees without the locks, but aborts
// claimers that merely read the same index range, and its retries would cost
// more than the locks. Deadlocks between these locks are possible in rare
// orders (a claim and a release of the same key, or two groups of Updates
// whose locks cross); PostgreSQL detects them and aborts one transaction,
// and Update runs its fn again (with the rest of its group) in a new
// transaction, as the store.Store contract allows. Update retries a
// transaction only when PostgreSQL reports a serialization failure (40001)
// or a deadlock (40P01): then the server guarantees that nothing of it was
// committed. A failure of COMMIT itself (a lost connection) is returned, not
// retried: whether it committed is unknown.
//
// View is a READ ONLY transaction at REPEATABLE READ: one snapshot for all of
// fn, as with the SQLite store.
//
// Leases are what makes many processes safe: a process renews the leases of
// its running runs (RenewLeases); another process requeues runs whose lease
// expired (ReleaseExpired) and replays them. Unlike the SQLite store, Open
// does not requeue running runs, since their owners may be alive.
//
// # Schema
//
// A run's row changes status at least twice (claimed, ended), and each such
// change writes a new entry in every index of runs: runs is indexed only by
// what claims, leases and retention look up, and the columns that never
// change (function, creation, first event) are indexed in run_index, a row
// written once per run, which listings join.
//
// Tables live in one PostgreSQL schema (Schema, default "durable"); every
// statement names it, so no search_path is needed (which PgBouncer in
// transaction mode would not keep). Migrations are numbered SQL files
// embedded in the binary, applied in one transaction under an advisory lock,
// so processes that start together apply each once. A database migrated by
// a newer binary is refused.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/durable-go/durable/internal/batch"
	"github.com/durable-go/durable/runtime/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Option configures Open.
type Option func(*config)

type config struct {
	schema         string
	simpleProtocol bool
	maxConns       int32
	maxAttempts    int
	groupMax       int
	tracer         pgx.QueryTracer
}

// Schema sets the PostgreSQL schema that holds the tables (default
// "durable"); it is created if missing. Several applications, or tests, can
// share a database with a schema each.
func Schema(name string) Option { return func(c *config) { c.schema = name } }

// SimpleProtocol makes every statement use PostgreSQL's simple query
// protocol, with no prepared statements: what PgBouncer in transaction mode
// requires. It costs some speed.
func SimpleProtocol() Option { return func(c *config) { c.simpleProtocol = true } }

// MaxConns bounds the connections of the pool (default: pgxpool's, or
// pool_max_conns in the DSN).
func MaxConns(n int) Option { return func(c *config) { c.maxConns = int32(n) } }

// MaxAttempts bounds how many times Update runs fn when PostgreSQL aborts
// its transaction for a serialization failure or a deadlock (default 10).
func MaxAttempts(n int) Option { return func(c *config) { c.maxAttempts = n } }

// QueryTracer sets the pgx tracer of every connection of the store (the
// listener's too): to log, measure or count its statements. A
// transaction's BEGIN goes in a batch with its first statement: a tracer
// that is also a pgx.BatchTracer sees those.
func QueryTracer(t pgx.QueryTracer) Option { return func(c *config) { c.tracer = t } }

// GroupCommit sets how many concurrent Updates at most share one
// transaction (default 32, at most 48; 1 gives each its own). Each is isolated by a
// savepoint: one that fails leaves the others' writes alone.
func GroupCommit(n int) Option { return func(c *config) { c.groupMax = n } }

// Store is a store.Store on a PostgreSQL database.
type Store struct {
	pool   *pgxpool.Pool
	schema string
	// lockSpace is the first key of every advisory lock the store takes, so
	// that stores of different schemas do not contend.
	lockSpace   int32
	maxAttempts int
	groupMax    int
	// group queues the Updates that share transactions (group.go); nil
	// when groupMax is 1.
	group *batch.Queue[*queuedUpdate]
	// queries maps a statement as written (tables prefixed with "$S.") to the
	// statement for this schema.
	queries sync.Map

	closed    atomic.Bool
	closeOnce sync.Once

	notify *notifier

	// commitObserver is the store.CommitObserver's function, or nil.
	commitObserver atomic.Pointer[func(store.CommitStats)]
}

var (
	_ store.Store    = (*Store)(nil)
	_ store.Notifier = (*Store)(nil)
)

// Open connects to the database dsn (a postgres:// URL or a key=value DSN,
// as pgx reads it) and migrates the schema to the current version.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	cfg := config{schema: "durable", maxAttempts: 10, groupMax: defaultGroupMax}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.schema == "" {
		return nil, errors.New("postgres: Schema: empty name")
	}
	if cfg.maxAttempts < 1 {
		return nil, fmt.Errorf("postgres: MaxAttempts %d: want at least 1", cfg.maxAttempts)
	}
	if cfg.groupMax < 1 || cfg.groupMax > maxGroupMax {
		return nil, fmt.Errorf("postgres: GroupCommit %d: want 1 to %d", cfg.groupMax, maxGroupMax)
	}
	if cfg.maxConns < 0 {
		return nil, fmt.Errorf("postgres: MaxConns %d: want at least 1", cfg.maxConns)
	}
	pcfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if cfg.simpleProtocol {
		pcfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	}
	if cfg.maxConns > 0 {
		pcfg.MaxConns = cfg.maxConns
	}
	if cfg.tracer != nil {
		pcfg.ConnConfig.Tracer = cfg.tracer
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{
		pool:        pool,
		schema:      cfg.schema,
		lockSpace:   hash32("durable/" + cfg.schema),
		maxAttempts: cfg.maxAttempts,
		groupMax:    cfg.groupMax,
	}
	if s.groupMax > 1 {
		s.group = batch.New(s.groupMax, groupWriters, s.runGroup)
	}
	if _, err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	s.notify = newNotifier(s)
	return s, nil
}

// ConcurrentWriters implements store.ConcurrentWriters: transactions run
// side by side, under row and advisory locks.
func (s *Store) ConcurrentWriters() {}

// Pool is the store's connection pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// SchemaName is the PostgreSQL schema of the store's tables.
func (s *Store) SchemaName() string { return s.schema }

// Close stops the store and closes its connections, waiting for the
// transactions under way.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.notify.close()
		s.pool.Close()
	})
	return nil
}

// sql returns query with its tables qualified by the store's schema.
func (s *Store) sql(query string) string {
	if q, ok := s.queries.Load(query); ok {
		return q.(string)
	}
	q := strings.ReplaceAll(query, "$S.", pgx.Identifier{s.schema}.Sanitize()+".")
	s.queries.Store(query, q)
	return q
}

// Update runs fn in a READ COMMITTED transaction, again in a new one if
// PostgreSQL aborts it for a serialization failure or a deadlock. Updates
// made at the same time share transactions (see GroupCommit).
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	if s.group != nil {
		return s.updateGrouped(ctx, fn)
	}
	return s.run(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, false, fn)
}

// View runs fn in a READ ONLY, REPEATABLE READ transaction: one snapshot.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, true, fn)
}

func (s *Store) run(ctx context.Context, opts pgx.TxOptions, readOnly bool, fn func(store.Tx) error) error {
	for attempt := 1; ; attempt++ {
		if s.closed.Load() {
			return store.ErrClosed
		}
		err := s.runOnce(ctx, opts, readOnly, fn)
		if err == nil || !retryable(err) {
			return err
		}
		if attempt == s.maxAttempts {
			return fmt.Errorf("postgres: transaction aborted %d times: %w", attempt, err)
		}
		// Back off a random while, so that the transactions that collided
		// do not collide again.
		wait := time.Duration(rand.Int64N(int64(time.Millisecond) << min(attempt, 6)))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// runOnce runs fn in one transaction. The transaction ends (commit or
// rollback) under a context that is not cancelled: once fn returned nil its
// writes commit, so that a nil error always means committed.
//
// BEGIN is not sent on its own: it goes with fn's first statement (one
// round trip fewer per transaction), and a transaction fn sends nothing in
// never begins.
func (s *Store) runOnce(ctx context.Context, opts pgx.TxOptions, readOnly bool, fn func(store.Tx) error) (err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		if s.closed.Load() {
			return store.ErrClosed
		}
		return fmt.Errorf("postgres: begin: %w", err)
	}
	// A connection left inside a transaction (an end that failed) is
	// closed, not reused, by the pool.
	defer conn.Release()
	start := time.Now()
	t := &pgTx{s: s, db: conn, begin: beginSQL(opts), readOnly: readOnly}
	end := context.WithoutCancel(ctx)
	rollback := func() error {
		if !t.begun {
			return nil
		}
		_, err := conn.Exec(end, "ROLLBACK")
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			rollback()
			err = fmt.Errorf("postgres: update panicked: %v", p)
		}
	}()
	if err := fn(t); err != nil {
		rollback()
		if t.abort != nil && !retryable(err) {
			// fn swallowed the abort and failed on what followed (the
			// transaction is dead): it is the abort that counts.
			return fmt.Errorf("%w (after %w)", err, t.abort)
		}
		return err
	}
	if t.abort != nil {
		// fn ignored an abort and returned nil: nothing can commit.
		rollback()
		return fmt.Errorf("postgres: transaction aborted: %w", t.abort)
	}
	if readOnly || !t.begun {
		return rollback()
	}
	tag, err := conn.Exec(end, "COMMIT")
	if err == nil && tag.String() == "ROLLBACK" {
		// A statement failed and fn carried on: PostgreSQL rolled back.
		err = pgx.ErrTxCommitRollback
	}
	if err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	s.observeCommit(start, 1)
	if t.wake {
		s.notify.announce()
	}
	return nil
}

// beginSQL is the BEGIN statement of a transaction with opts.
func beginSQL(opts pgx.TxOptions) string {
	q := "BEGIN"
	if opts.IsoLevel != "" {
		q += " ISOLATION LEVEL " + string(opts.IsoLevel)
	}
	if opts.AccessMode != "" {
		q += " " + string(opts.AccessMode)
	}
	return q
}

// retryable reports whether PostgreSQL aborted the transaction in a way
// that guarantees nothing of it was kept and that running it again may
// succeed.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	switch pgErr.Code {
	case "40001", // serialization_failure
		"40P01": // deadlock_detected
		return true
	}
	return false
}

// retry runs fn, a statement that is a transaction of its own, again after
// a random while when PostgreSQL aborts it for a serialization failure or
// a deadlock (nothing of it is then kept), up to the store's MaxAttempts.
func (s *Store) retry(ctx context.Context, fn func() error) error {
	for attempt := 1; ; attempt++ {
		if s.closed.Load() {
			return store.ErrClosed
		}
		err := fn()
		if err == nil || !retryable(err) || attempt == s.maxAttempts {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(rand.Int64N(int64(time.Millisecond) << min(attempt, 6)))):
		}
	}
}

// hash32 is a stable 32-bit hash, for advisory lock keys.
func hash32(s string) int32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return int32(h.Sum32())
}

// migrationLock is the second key of the advisory lock migrations hold.
var migrationLock = hash32("durable/migrate")

// LatestVersion is the schema version this binary migrates to.
func LatestVersion() int {
	files, _ := migrationFiles()
	if len(files) == 0 {
		return 0
	}
	return files[len(files)-1].version
}

type migrationFile struct {
	version int
	name    string
}

func migrationFiles() ([]migrationFile, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migrationFile
	for _, f := range names {
		name := strings.TrimPrefix(f, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", name)
		}
		out = append(out, migrationFile{v, f})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// migrate brings the schema to LatestVersion in one transaction, under an
// advisory lock of the schema: processes that start together wait for the
// first, then find nothing to do. It returns the version.
func (s *Store) migrate(ctx context.Context) (int, error) {
	files, err := migrationFiles()
	if err != nil {
		return 0, fmt.Errorf("postgres: %w", err)
	}
	latest := 0
	if len(files) > 0 {
		latest = files[len(files)-1].version
	}
	fail := func(err error) (int, error) {
		return 0, fmt.Errorf("postgres: migrate schema %s: %w", s.schema, err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1::int4, $2::int4)`, s.lockSpace, migrationLock); err != nil {
		return fail(err)
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, s.schema).Scan(&exists); err != nil {
		return fail(err)
	}
	if !exists {
		// Checked first: CREATE SCHEMA IF NOT EXISTS needs the right to
		// create schemas even when the schema exists.
		if _, err := tx.Exec(ctx, s.sql(`CREATE SCHEMA `+pgx.Identifier{s.schema}.Sanitize())); err != nil {
			return fail(err)
		}
	}
	if _, err := tx.Exec(ctx, s.sql(`CREATE TABLE IF NOT EXISTS $S.schema_migrations (
		version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`)); err != nil {
		return fail(err)
	}
	var current int
	if err := tx.QueryRow(ctx, s.sql(`SELECT COALESCE(MAX(version), 0) FROM $S.schema_migrations`)).Scan(&current); err != nil {
		return fail(err)
	}
	if current > latest {
		return fail(fmt.Errorf("the database is at schema version %d, newer than this binary's %d: run a binary at least as new as the one that migrated it", current, latest))
	}
	if current == latest {
		return current, tx.Commit(ctx)
	}
	// The files name tables unqualified: the search_path of this
	// transaction points them at the schema.
	if _, err := tx.Exec(ctx, `SELECT set_config('search_path', $1, true)`, pgx.Identifier{s.schema}.Sanitize()); err != nil {
		return fail(err)
	}
	for _, f := range files {
		if f.version <= current {
			continue
		}
		body, err := migrations.ReadFile(f.name)
		if err != nil {
			return fail(err)
		}
		// The simple protocol runs the file's statements as one string.
		if _, err := tx.Conn().PgConn().Exec(ctx, string(body)).ReadAll(); err != nil {
			return fail(fmt.Errorf("%s: %w", f.name, err))
		}
		if _, err := tx.Exec(ctx, s.sql(`INSERT INTO $S.schema_migrations (version) VALUES ($1::int4)`), f.version); err != nil {
			return fail(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fail(err)
	}
	return latest, nil
}

// Migrate brings the schema of the database dsn to LatestVersion, as Open
// does, and returns the version it is at (what `durable migrate` prints).
func Migrate(ctx context.Context, dsn string, opts ...Option) (int, error) {
	s, err := Open(ctx, dsn, append(opts, MaxConns(1))...)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	return s.Version(ctx)
}

// Version is the schema version of the database.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v int
	err := s.pool.QueryRow(ctx, s.sql(`SELECT COALESCE(MAX(version), 0) FROM $S.schema_migrations`)).Scan(&v)
	return v, err
}
