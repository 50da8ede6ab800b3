// Package sqlite is the embedded store of durable: one SQLite file, written
// through modernc.org/sqlite (no cgo).
//
// The database runs in WAL mode with synchronous=FULL by default, so a
// committed step survives a power cut. All writes go through one goroutine
// that commits them in groups: the Updates that arrive while a commit is
// under way share the next transaction and its fsync, each isolated by a
// savepoint, which is what lets many concurrent runs commit a step each for
// the price of one fsync. Reads use a pool of read-only connections.
//
// # One owner
//
// One process owns a database file at a time, so Open can hand back at once
// the runs a crashed owner held. On Linux, Open takes an exclusive flock on
// the database file itself, opened through its resolved path: a symlink or
// a hard link to it meets the same lock, and there is no side file whose
// deletion would let a second owner in. The refusal names the file and, from
// /proc/locks, the holder's pid. Within one process a second Store on the
// same file (under any name) is refused too. On other Unix systems the lock
// is an flock on a side file beside the resolved path (<file>-lock), which
// a hard link or deleting that file gets around; on Windows there is none
// between processes.
//
// # Lost and damaged state
//
// SQLite notices by itself a file that is not a database, and a corrupt
// page when a query reads it, which may be long after Open. It cannot
// notice lost commits: a committed transaction lives in the -wal file until
// a checkpoint copies it into the database (every 1000 pages or so, and at
// Close, which then removes the -wal file). Deleting the -wal file after a
// Close or a complete checkpoint is harmless; deleting it while it holds
// commits not yet copied (after a crash) silently returns the database to
// an older state. A missing or zero-length file is, to SQLite, a new empty
// database, and an older copy put in place is a valid one.
//
// So Open checks, before SQLite touches the files:
//   - the 100-byte header: SQLite's magic, a valid page size, and, with no
//     -wal file to complete it, a file size of whole pages no smaller than
//     the header's page count;
//   - the -shm index a crashed owner left: it records how many WAL frames
//     hold commits not yet copied into the database, and a -wal file that
//     is missing, shorter, or another one (its salt differs) is refused.
//     A -shm file last written before the system booted is ignored: it is
//     never synced, so after a power cut it may be older than the -wal;
//   - the store's identity and commit count: the database keeps a random
//     identity and the number of write transactions committed to it
//     (table store_meta), and the store keeps the same beside it in
//     <file>-durable, rewritten after every commit with one pwrite and no
//     fsync (it survives the process being killed; a power cut can leave
//     it behind the database, never ahead of it with synchronous=FULL). A
//     database that is missing or empty, has another identity, or has
//     fewer commits than that history records is refused;
//   - the name the database was last opened under, which the database
//     records (checkpointed at Open): if its owner crashed and this is
//     another name (a hard link, a moved file) with no -wal of its own,
//     the commits are in the -wal beside the other name, and Open refuses;
//   - every page, with PRAGMA quick_check, when the previous owner did not
//     close the store (see QuickCheck to do it always or never). It adds
//     130 to 200 ms to Open on a 16 MiB database of 100,000 steps
//     (BenchmarkOpen), against under 20 µs for the file checks above.
//
// The refusal is a *DamageError (errors.Is ErrDamaged) naming the file,
// what was found, and what to do. What remains undetectable: losing the
// -wal file together with the history file and the -shm file; a database
// opened under another hard-link name, which has its own history; a page
// changed so that its structure stays valid (a changed value); and, with
// QuickCheck(QuickCheckNever) or after a clean Close, a corrupt page until
// a query reads it. With synchronous=NORMAL or OFF a power cut may lose the
// last commits while the history keeps their count: Open refuses, and
// deleting <file>-durable accepts the loss.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	goruntime "runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/durable-go/durable/runtime/store"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Option configures Open.
type Option func(*config)

type config struct {
	synchronous string
	maxBatch    int
	readers     int
	quickCheck  CheckMode
}

// Synchronous sets SQLite's synchronous pragma: "FULL" (the default: every
// commit is fsynced), "NORMAL" (a power cut may lose the last commits, never
// corrupt the file) or "OFF".
func Synchronous(mode string) Option {
	return func(c *config) { c.synchronous = strings.ToUpper(mode) }
}

// MaxBatch bounds how many Updates share one transaction (default 256).
func MaxBatch(n int) Option { return func(c *config) { c.maxBatch = n } }

// Store is a store.Store on a SQLite file.
type Store struct {
	path   string
	file   string // path with symlinks resolved
	writer *sql.DB
	reader *sql.DB
	// Prepared statements of each database.
	writeStmts, readStmts *stmtCache
	lock                  *fileLock
	reqs                  chan *writeReq

	// The history beside the database and what it records; commits is the
	// count in store_meta, which only the writer goroutine changes.
	history  *historyFile
	identity string
	commits  int64

	closeOnce sync.Once
	closing   chan struct{}
	done      chan struct{}

	// commitObserver is the store.CommitObserver's function, or nil.
	commitObserver atomic.Pointer[func(store.CommitStats)]
}

type writeReq struct {
	ctx  context.Context
	fn   func(store.Tx) error
	done chan error
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database at path and migrates it to
// the current schema. It refuses a database another owner holds
// (*InUseError) or that shows lost or damaged state (*DamageError).
func Open(path string, opts ...Option) (*Store, error) {
	cfg := config{synchronous: "FULL", maxBatch: 256, readers: 4}
	for _, o := range opts {
		o(&cfg)
	}
	switch cfg.synchronous {
	case "FULL", "NORMAL", "OFF", "EXTRA":
	default:
		return nil, fmt.Errorf("sqlite: synchronous mode %q: want FULL, NORMAL, OFF or EXTRA", cfg.synchronous)
	}
	if cfg.maxBatch < 1 {
		return nil, fmt.Errorf("sqlite: MaxBatch %d: want at least 1", cfg.maxBatch)
	}
	if cfg.quickCheck < QuickCheckAfterCrash || cfg.quickCheck > QuickCheckNever {
		return nil, fmt.Errorf("sqlite: QuickCheck %d: want QuickCheckAfterCrash, QuickCheckAlways or QuickCheckNever", cfg.quickCheck)
	}
	file, err := resolvePath(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	historyPath := file + historySuffix
	before, statErr := os.Stat(file)
	lock, err := acquire(path, file)
	if err != nil {
		var inUse *InUseError
		if errors.As(err, &inUse) {
			if h, herr := readHistory(historyPath); herr == nil {
				inUse.LastOwnerPID = h.pid
			}
			return nil, err
		}
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	s := &Store{path: path, file: file, lock: lock, reqs: make(chan *writeReq, 1024), closing: make(chan struct{}), done: make(chan struct{})}
	fail := func(err error) (*Store, error) {
		if s.writer != nil {
			s.writer.Close()
		}
		if s.reader != nil {
			s.reader.Close()
		}
		if s.history != nil {
			s.history.close()
		}
		lock.unlock()
		return nil, err
	}
	hf, hist, err := openHistory(historyPath)
	if err != nil {
		return fail(err)
	}
	s.history = hf
	existed, size := statErr == nil, int64(0)
	if existed {
		size = before.Size()
	}
	_, walErr := os.Stat(file + "-wal")
	crashed := hist != nil && hist.open || walErr == nil
	if err := checkFiles(file, historyPath, existed, size, hist); err != nil {
		return fail(err)
	}
	pragmas := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(" + cfg.synchronous + ")", "busy_timeout(10000)", "foreign_keys(OFF)", "cache_size(-32000)"} {
		pragmas.Add("_pragma", p)
	}
	s.writer, err = sql.Open("sqlite", "file:"+file+"?"+pragmas.Encode()+"&_txlock=immediate")
	if err != nil {
		return fail(fmt.Errorf("sqlite: open %s: %w", file, err))
	}
	s.writer.SetMaxOpenConns(1)
	s.writer.SetMaxIdleConns(1)
	s.writer.SetConnMaxLifetime(0)
	meta, err := readMeta(s.writer, file)
	if err != nil {
		return fail(err)
	}
	if err := compareHistory(file, historyPath, meta, hist); err != nil {
		return fail(err)
	}
	if err := checkOtherName(file, meta); err != nil {
		return fail(err)
	}
	if cfg.quickCheck == QuickCheckAlways || cfg.quickCheck == QuickCheckAfterCrash && crashed {
		if err := quickCheck(s.writer, file); err != nil {
			return fail(err)
		}
	}
	if err := migrate(s.writer); err != nil {
		return fail(fmt.Errorf("sqlite: migrate %s: %w", file, err))
	}
	if meta == nil {
		if meta, err = readMeta(s.writer, file); err == nil && meta == nil {
			err = fmt.Errorf("sqlite: migrate %s: no store_meta table after migrating", file)
		}
		if err != nil {
			return fail(err)
		}
	}
	s.identity, s.commits = meta.identity, meta.commits
	// Mark the database open under this name, in the database file itself
	// (the checkpoint copies it there): if this process crashes, an Open
	// under another name learns where the -wal file is.
	if _, err := s.writer.Exec(`UPDATE store_meta SET opened_as = ?, open = 1 WHERE id = 1; PRAGMA wal_checkpoint(PASSIVE)`, file); err != nil {
		return fail(fmt.Errorf("sqlite: mark %s open: %w", file, err))
	}
	if err := s.history.write(s.record(true), true); err != nil {
		return fail(fmt.Errorf("sqlite: write %s: %w", historyPath, err))
	}
	pragmas.Add("_pragma", "query_only(1)")
	s.reader, err = sql.Open("sqlite", "file:"+file+"?"+pragmas.Encode())
	if err != nil {
		return fail(fmt.Errorf("sqlite: open %s: %w", file, err))
	}
	s.reader.SetMaxOpenConns(cfg.readers)
	s.reader.SetMaxIdleConns(cfg.readers)
	// The lock proves the previous owner is gone: its runs can resume now
	// instead of when their leases would have expired.
	if _, err := s.writer.Exec(`UPDATE runs SET status = 'queued', lease_owner = NULL, lease_until = NULL, interrupted = interrupted + 1 WHERE status = 'running';
		UPDATE runs SET status = 'queued', blocked_on = NULL WHERE status = 'blocked';
		DELETE FROM slots;`); err != nil {
		return fail(fmt.Errorf("sqlite: requeue runs of a previous process: %w", err))
	}
	s.writeStmts, s.readStmts = newStmtCache(s.writer), newStmtCache(s.reader)
	go s.writeLoop(cfg.maxBatch)
	return s, nil
}

// record is the history of the store as it is now.
func (s *Store) record(open bool) history {
	return history{identity: s.identity, commits: s.commits, pid: os.Getpid(), open: open}
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close waits for pending Updates, then closes the database.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closing)
		<-s.done
		s.writeStmts.close()
		s.readStmts.close()
		_, err = s.writer.Exec(`UPDATE store_meta SET open = 0 WHERE id = 1`)
		err = errors.Join(err, s.writer.Close(), s.reader.Close())
		if err == nil {
			// Closed cleanly: the next Open need not check every page.
			err = s.history.write(s.record(false), true)
		}
		err = errors.Join(err, s.history.close())
		s.lock.unlock()
	})
	return err
}

// Update queues fn for the writer goroutine and waits for its commit.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case <-s.closing:
		return store.ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	case s.reqs <- req:
	}
	select {
	case err := <-req.done:
		return err
	case <-s.done:
		// The writer drains the queue before it stops; a request it saw has
		// its answer, one it did not never ran.
		select {
		case err := <-req.done:
			return err
		default:
			return store.ErrClosed
		}
	}
}

// View runs fn in a read transaction on a read-only connection, which sees
// one consistent snapshot.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	select {
	case <-s.closing:
		return store.ErrClosed
	default:
	}
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	err = fn(&sqlTx{tx: tx, stmts: s.readStmts})
	tx.Rollback()
	s.readStmts.prepareMissing(ctx)
	return err
}

func (s *Store) writeLoop(maxBatch int) {
	defer close(s.done)
	batch := make([]*writeReq, 0, maxBatch)
	for {
		select {
		case req := <-s.reqs:
			batch = append(batch[:0], req)
		case <-s.closing:
			// Serve what is queued, then stop.
			for {
				select {
				case req := <-s.reqs:
					s.commit([]*writeReq{req})
				default:
					return
				}
			}
		}
		// Writers woken by the last commit may be about to send: let them,
		// so that they join this transaction instead of the next.
		if len(s.reqs) == 0 {
			goruntime.Gosched()
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case req := <-s.reqs:
				batch = append(batch, req)
			default:
				break fill
			}
		}
		s.commit(batch)
		s.writeStmts.prepareMissing(context.Background())
	}
}

// commit runs a batch of Updates in one transaction. It first runs them
// all plainly; if one fails, it rolls back and runs the batch again with a
// savepoint around each, so that the failing one leaves the others intact.
// Failures are rare (a run cancelled under its executor), and savepoints
// cost two statements per Update, so the common case goes without.
func (s *Store) commit(batch []*writeReq) {
	errs := make([]error, len(batch))
	commitErr, clean := s.runBatch(batch, errs, false)
	if !clean {
		clear(errs)
		commitErr, _ = s.runBatch(batch, errs, true)
	}
	for i, r := range batch {
		if commitErr != nil && errs[i] == nil {
			errs[i] = commitErr
		}
		r.done <- errs[i]
	}
}

// runBatch runs the batch in one transaction and commits what succeeded.
// Without savepoints, a failing Update of a batch of several rolls back
// everything and runBatch reports the batch not clean, to be run again.
func (s *Store) runBatch(batch []*writeReq, errs []error, savepoints bool) (commitErr error, clean bool) {
	ctx := context.Background()
	start := time.Now()
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err), true
	}
	t := &sqlTx{tx: tx, stmts: s.writeStmts}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if savepoints {
			if _, err := t.exec(ctx, "SAVEPOINT u"); err != nil {
				errs[i] = err
				continue
			}
		}
		errs[i] = runUpdate(t, r.fn)
		switch {
		case errs[i] != nil && !savepoints:
			tx.Rollback()
			if len(batch) == 1 {
				return nil, true
			}
			return nil, false
		case errs[i] != nil:
			if _, err := t.exec(ctx, "ROLLBACK TO u"); err != nil {
				tx.Rollback()
				return fmt.Errorf("sqlite: rollback to savepoint: %w", err), true
			}
		}
		if savepoints {
			if _, err := t.exec(ctx, "RELEASE u"); err != nil {
				tx.Rollback()
				return fmt.Errorf("sqlite: release savepoint: %w", err), true
			}
		}
	}
	// Every commit counts, so that Open can tell when some went missing.
	if _, err := t.exec(ctx, `UPDATE store_meta SET commits = ? WHERE id = 1`, s.commits+1); err != nil {
		tx.Rollback()
		return fmt.Errorf("sqlite: count the commit: %w", err), true
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err), true
	}
	s.commits++
	s.observeCommit(errs, start)
	// The history is evidence, not data: failing to write it (a full disk)
	// leaves an older count, which Open accepts.
	s.history.write(s.record(true), false)
	return nil, true
}

func runUpdate(t *sqlTx, fn func(store.Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sqlite: update panicked: %v", p)
		}
	}()
	return fn(t)
}

func migrate(db *sql.DB) error {
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)`); err != nil {
		return err
	}
	var current int
	if err := db.QueryRow(`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return err
	}
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, f := range files {
		name := strings.TrimPrefix(f, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", name)
		}
		if v <= current {
			continue
		}
		body, err := migrations.ReadFile(f)
		if err != nil {
			return err
		}
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", name, err)
		}
		if _, err := tx.Exec(`INSERT INTO schema_migrations (version) VALUES (?)`, v); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}
