package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// sqlTx implements store.Tx on a database/sql transaction. Statements are
// prepared once per database and reused: parsing SQL would otherwise cost
// more than executing it.
type sqlTx struct {
	tx    *sql.Tx
	stmts *stmtCache
}

// stmtCache holds the prepared statements of one database. A statement
// is never prepared inside a transaction: the writer has one connection, and
// it is busy then. So a query seen for the first time runs unprepared and is
// prepared after the transaction ends (prepareMissing).
type stmtCache struct {
	db      *sql.DB
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	missing map[string]bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, missing: map[string]bool{}}
}

func (c *stmtCache) get(query string) (*sql.Stmt, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.m[query]
	if !ok {
		c.missing[query] = true
	}
	return st, ok
}

// prepareMissing prepares the queries that ran unprepared; the caller must
// hold no connection of the database. The lock is not held while preparing:
// a prepare waits for a free connection, and the transactions holding the
// connections need the lock to look up their statements.
func (c *stmtCache) prepareMissing(ctx context.Context) {
	c.mu.Lock()
	if len(c.missing) == 0 {
		c.mu.Unlock()
		return
	}
	queries := make([]string, 0, len(c.missing))
	for q := range c.missing {
		queries = append(queries, q)
		delete(c.missing, q)
	}
	c.mu.Unlock()
	for _, q := range queries {
		st, err := c.db.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, dup := c.m[q]; dup || c.m == nil {
			// Prepared meanwhile by another caller, or the cache is closed.
			st.Close()
		} else {
			c.m[q] = st
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

func (t *sqlTx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st, ok := t.stmts.get(query); ok {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t *sqlTx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st, ok := t.stmts.get(query); ok {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t *sqlTx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st, ok := t.stmts.get(query); ok {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// nanos stores a time as nanoseconds since the epoch; the zero time is NULL.
func nanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func bytesOrNil(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return []byte(b)
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

func (t *sqlTx) InsertEvent(ctx context.Context, ev store.Event) (bool, error) {
	res, err := t.exec(ctx, `INSERT INTO events (id, name, ts, envelope, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		ev.ID, ev.Name, ev.TS, []byte(ev.Envelope), nanos(ev.ReceivedAt))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (t *sqlTx) GetEvent(ctx context.Context, id string) (store.Event, error) {
	var ev store.Event
	var recv sql.NullInt64
	err := t.queryRow(ctx, `SELECT id, name, ts, envelope, received_at FROM events WHERE id = ?`, id).
		Scan(&ev.ID, &ev.Name, &ev.TS, &ev.Envelope, &recv)
	ev.ReceivedAt = fromNanos(recv)
	return ev, notFound(err)
}

func (t *sqlTx) EventsByName(ctx context.Context, p store.EventsByNameParams) ([]store.Event, error) {
	from := p.ReceivedFrom.UnixNano()
	rows, err := t.query(ctx, `SELECT id, name, ts, envelope, received_at FROM events
		WHERE name = ? AND (received_at, id) > (?, ?)
		ORDER BY received_at, id LIMIT ?`, p.Name, from, p.AfterID, p.Limit)
	if err != nil {
		return nil, err
	}
	return scanEvents(rows)
}

// scanEvents reads rows of (id, name, ts, envelope, received_at) and
// closes them.
func scanEvents(rows *sql.Rows) ([]store.Event, error) {
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		var ev store.Event
		var recv sql.NullInt64
		if err := rows.Scan(&ev.ID, &ev.Name, &ev.TS, &ev.Envelope, &recv); err != nil {
			return nil, err
		}
		ev.ReceivedAt = fromNanos(recv)
		out = append(out, ev)
	}
	return out, rows.Err()
}

const runColumns = `id, function_id, status, events, attempt, created_at, started_at, ended_at, available_at,
	lease_owner, lease_until, output, error, parent_run_id, parent_step_key, deadline, limits, blocked_on, interrupted,
	rerun_of, rerun_from_step, rerun_by`

// scanRun scans runColumns, then extra.
func scanRun(sc interface{ Scan(...any) error }, extra ...any) (store.Run, error) {
	var r store.Run
	var created, started, ended, avail, leaseUntil, deadline sql.NullInt64
	var owner, errText, parent, parentKey, blockedOn, rerunOf, rerunFrom, rerunBy sql.NullString
	var output, limits []byte
	err := sc.Scan(append([]any{&r.ID, &r.FunctionID, &r.Status, &r.Events, &r.Attempt, &created, &started, &ended, &avail,
		&owner, &leaseUntil, &output, &errText, &parent, &parentKey, &deadline, &limits, &blockedOn, &r.Interrupted,
		&rerunOf, &rerunFrom, &rerunBy}, extra...)...)
	if err != nil {
		return r, err
	}
	if len(limits) > 0 {
		if err := json.Unmarshal(limits, &r.Limits); err != nil {
			return r, fmt.Errorf("run %s: limits: %w", r.ID, err)
		}
	}
	r.BlockedOn = blockedOn.String
	r.CreatedAt, r.StartedAt, r.EndedAt, r.AvailableAt = fromNanos(created), fromNanos(started), fromNanos(ended), fromNanos(avail)
	r.LeaseOwner, r.LeaseUntil = owner.String, fromNanos(leaseUntil)
	r.Output, r.Error = output, errText.String
	r.ParentRunID, r.ParentStepKey, r.Deadline = parent.String, parentKey.String, fromNanos(deadline)
	r.RerunOf, r.RerunFromStep, r.RerunBy = rerunOf.String, rerunFrom.String, rerunBy.String
	return r, nil
}

func (t *sqlTx) InsertRun(ctx context.Context, r store.Run) error {
	var limits []byte
	if len(r.Limits) > 0 {
		limits, _ = json.Marshal(r.Limits)
	}
	_, err := t.exec(ctx, `INSERT INTO runs (`+runColumns+`, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.FunctionID, string(r.Status), []byte(r.Events), r.Attempt, nanos(r.CreatedAt), nanos(r.StartedAt), nanos(r.EndedAt),
		nanos(r.AvailableAt), nullString(r.LeaseOwner), nanos(r.LeaseUntil), bytesOrNil(r.Output), nullString(r.Error),
		nullString(r.ParentRunID), nullString(r.ParentStepKey), nanos(r.Deadline), bytesOrNil(limits), nullString(r.BlockedOn), r.Interrupted,
		nullString(r.RerunOf), nullString(r.RerunFromStep), nullString(r.RerunBy), nullString(store.FirstEventID(r.Events)))
	return err
}

func (t *sqlTx) GetRun(ctx context.Context, id string) (store.Run, error) {
	r, err := scanRun(t.queryRow(ctx, `SELECT `+runColumns+` FROM runs WHERE id = ?`, id))
	return r, notFound(err)
}

func statusList(ss []store.Status) (string, []any) {
	marks := make([]string, len(ss))
	args := make([]any, len(ss))
	for i, s := range ss {
		marks[i], args[i] = "?", string(s)
	}
	return "(" + strings.Join(marks, ", ") + ")", args
}

func (t *sqlTx) ListRuns(ctx context.Context, f store.RunFilter) ([]store.Run, error) {
	q := `SELECT ` + runColumns + ` FROM runs WHERE 1 = 1`
	var args []any
	if f.FunctionID != "" {
		q += ` AND function_id = ?`
		args = append(args, f.FunctionID)
	}
	if len(f.Statuses) > 0 {
		list, sargs := statusList(f.Statuses)
		q += ` AND status IN ` + list
		args = append(args, sargs...)
	}
	if !f.CreatedFrom.IsZero() {
		q += ` AND created_at >= ?`
		args = append(args, f.CreatedFrom.UnixNano())
	}
	if !f.CreatedBefore.IsZero() {
		q += ` AND created_at < ?`
		args = append(args, f.CreatedBefore.UnixNano())
	}
	if f.EventID != "" {
		q += ` AND event_id = ?`
		args = append(args, f.EventID)
	}
	if f.ParentRunID != "" {
		q += ` AND parent_run_id = ?`
		args = append(args, f.ParentRunID)
	}
	if f.NotRerun {
		q += ` AND rerun_by IS NULL`
	}
	if f.After != nil {
		n := f.After.CreatedAt.UnixNano()
		q += ` AND (created_at < ? OR (created_at = ? AND id < ?))`
		args = append(args, n, n, f.After.ID)
	}
	q += ` ORDER BY created_at DESC, id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	return t.listRuns(ctx, q, args...)
}

func (t *sqlTx) UpdateRun(ctx context.Context, id string, cond store.RunCond, u store.RunUpdate) (bool, error) {
	var sets []string
	var args []any
	set := func(col string, v any) {
		sets = append(sets, col+" = ?")
		args = append(args, v)
	}
	if u.Status != nil {
		set("status", string(*u.Status))
	}
	if u.Attempt != nil {
		set("attempt", *u.Attempt)
	}
	if u.StartedAt != nil {
		set("started_at", nanos(*u.StartedAt))
	}
	if u.EndedAt != nil {
		set("ended_at", nanos(*u.EndedAt))
	}
	if u.AvailableAt != nil {
		set("available_at", nanos(*u.AvailableAt))
	}
	if u.ClearLease {
		sets = append(sets, "lease_owner = NULL", "lease_until = NULL")
	}
	if u.Output != nil {
		set("output", []byte(u.Output))
	}
	if u.Error != nil {
		set("error", nullString(*u.Error))
	}
	if u.Deadline != nil {
		set("deadline", nanos(*u.Deadline))
	}
	if u.Events != nil {
		set("events", []byte(u.Events))
		set("event_id", nullString(store.FirstEventID(u.Events)))
	}
	if u.RerunBy != nil {
		set("rerun_by", nullString(*u.RerunBy))
	}
	if u.Interrupted != nil {
		set("interrupted", *u.Interrupted)
	}
	if u.Status != nil && *u.Status != store.StatusBlocked {
		sets = append(sets, "blocked_on = NULL")
	}
	if len(sets) == 0 {
		return false, errors.New("sqlite: UpdateRun with nothing to update")
	}
	q := `UPDATE runs SET ` + strings.Join(sets, ", ") + ` WHERE id = ?`
	args = append(args, id)
	if cond.Owner != "" {
		q += ` AND lease_owner = ?`
		args = append(args, cond.Owner)
	}
	if len(cond.Statuses) > 0 {
		list, sargs := statusList(cond.Statuses)
		q += ` AND status IN ` + list
		args = append(args, sargs...)
	}
	if cond.NotRerun {
		q += ` AND rerun_by IS NULL`
	}
	// RETURNING tells whether the run has slots to give back, without a
	// second query for the runs (most) that have no concurrency limits.
	var limits []byte
	err := t.queryRow(ctx, q+` RETURNING limits`, args...).Scan(&limits)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if len(limits) > 0 && u.Status != nil && *u.Status != store.StatusRunning {
		err = t.releaseSlots(ctx, id)
	}
	return true, err
}

// textColumn reads the single text column of rows.
func textColumn(rows *sql.Rows, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// takeSlots records the concurrency slots of a run that became running.
func (t *sqlTx) takeSlots(ctx context.Context, r store.Run) error {
	for _, l := range r.Limits {
		if _, err := t.exec(ctx, `INSERT INTO slots (key, run_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, l.Key, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// releaseSlots gives back a run's slots. Each goes straight to the oldest
// run blocked on its key, which is requeued holding it: a run created
// meanwhile cannot take it first, so blocked runs start in order.
func (t *sqlTx) releaseSlots(ctx context.Context, runID string) error {
	keys, err := textColumn(t.query(ctx, `DELETE FROM slots WHERE run_id = ? RETURNING key`, runID))
	if err != nil {
		return err
	}
	for _, k := range keys {
		next, err := textColumn(t.query(ctx, `UPDATE runs SET status = 'queued', blocked_on = NULL WHERE id = (
			SELECT id FROM runs WHERE status = 'blocked' AND blocked_on = ? ORDER BY available_at, id LIMIT 1) RETURNING id`, k))
		if err != nil {
			return err
		}
		if len(next) == 0 {
			continue
		}
		if _, err := t.exec(ctx, `INSERT INTO slots (key, run_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, k, next[0]); err != nil {
			return err
		}
	}
	return nil
}

func (t *sqlTx) TakeSlots(ctx context.Context, runID string, limits []store.Limit) (bool, error) {
	for i, l := range limits {
		// One statement per key: take the slot if the key has one free.
		res, err := t.exec(ctx, `INSERT INTO slots (key, run_id) SELECT ?, ?
			WHERE (SELECT COUNT(*) FROM slots WHERE key = ?) < ? ON CONFLICT DO NOTHING`, l.Key, runID, l.Key, l.Limit)
		if err != nil {
			return false, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			// Give back what the earlier keys took.
			for _, taken := range limits[:i] {
				if _, err := t.exec(ctx, `DELETE FROM slots WHERE key = ? AND run_id = ?`, taken.Key, runID); err != nil {
					return false, err
				}
			}
			return false, err
		}
	}
	return true, nil
}

func (t *sqlTx) ClaimRuns(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]store.Run, error) {
	var out []store.Run
	used := map[string]int{} // slots held per key, counted once per claim
	for len(out) < limit {
		candidates, err := t.claimCandidates(ctx, now, limit-len(out))
		if err != nil || len(candidates) == 0 {
			return out, err
		}
		for _, c := range candidates {
			r := c.run
			if c.paused {
				// Held by its function's pause: it starts on resume.
				if err := t.releaseSlots(ctx, r.ID); err != nil {
					return out, err
				}
				if _, err := t.exec(ctx, `UPDATE runs SET status = 'paused', blocked_on = NULL WHERE id = ?`, r.ID); err != nil {
					return out, err
				}
				continue
			}
			held, err := t.heldSlots(ctx, r)
			if err != nil {
				return out, err
			}
			full, err := t.fullKey(ctx, r.Limits, held, used)
			if err != nil {
				return out, err
			}
			if full != "" {
				// Slots it was handed on other keys go on to the next runs.
				if err := t.releaseSlots(ctx, r.ID); err != nil {
					return out, err
				}
				if _, err := t.exec(ctx, `UPDATE runs SET status = 'blocked', blocked_on = ? WHERE id = ?`, full, r.ID); err != nil {
					return out, err
				}
				continue
			}
			if _, err := t.exec(ctx, `UPDATE runs SET status = 'running', lease_owner = ?, lease_until = ? WHERE id = ?`,
				owner, nanos(leaseUntil), r.ID); err != nil {
				return out, err
			}
			if err := t.takeSlots(ctx, r); err != nil {
				return out, err
			}
			for _, l := range r.Limits {
				if !held[l.Key] {
					used[l.Key]++
				}
			}
			r.Status, r.LeaseOwner, r.LeaseUntil = store.StatusRunning, owner, leaseUntil
			out = append(out, r)
		}
	}
	return out, nil
}

// ClaimRunsWithJournals claims as ClaimRuns and reads the journals of the
// claimed runs in the same transaction (SQLite is in the process: this saves
// the engine a transaction per run, not round trips).
func (t *sqlTx) ClaimRunsWithJournals(ctx context.Context, p store.ClaimParams) ([]store.ClaimedRun, error) {
	runs, err := t.ClaimRuns(ctx, p.Owner, p.Now, p.LeaseUntil, p.Limit)
	if err != nil {
		return nil, err
	}
	out := make([]store.ClaimedRun, len(runs))
	for i, r := range runs {
		out[i].Run = r
		if store.FreshJournal(r) {
			continue
		}
		if out[i].Steps, err = t.ListSteps(ctx, r.ID); err != nil {
			return nil, err
		}
		if out[i].Steps == nil {
			out[i].Steps = []store.Step{} // read, and empty
		}
	}
	return out, nil
}

// claimCandidate is a due run, and whether a pause of its function holds it.
type claimCandidate struct {
	run    store.Run
	paused bool
}

func (t *sqlTx) claimCandidates(ctx context.Context, now time.Time, limit int) ([]claimCandidate, error) {
	rows, err := t.query(ctx, `SELECT `+runColumns+`,
		started_at IS NULL AND EXISTS (SELECT 1 FROM paused_functions p WHERE p.function_id = runs.function_id)
		FROM runs WHERE status IN ('queued', 'sleeping', 'waiting') AND available_at <= ? ORDER BY available_at, id LIMIT ?`,
		now.UnixNano(), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []claimCandidate
	for rows.Next() {
		var c claimCandidate
		if c.run, err = scanRun(rows, &c.paused); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// heldSlots returns the keys of the slots a run already holds (handed to it
// when it was unblocked).
func (t *sqlTx) heldSlots(ctx context.Context, r store.Run) (map[string]bool, error) {
	if len(r.Limits) == 0 {
		return nil, nil
	}
	keys, err := textColumn(t.query(ctx, `SELECT key FROM slots WHERE run_id = ?`, r.ID))
	held := map[string]bool{}
	for _, k := range keys {
		held[k] = true
	}
	return held, err
}

// fullKey returns the first of limits, other than those held, whose slots
// are all taken, or "".
func (t *sqlTx) fullKey(ctx context.Context, limits []store.Limit, held map[string]bool, used map[string]int) (string, error) {
	for _, l := range limits {
		if held[l.Key] {
			continue
		}
		n, ok := used[l.Key]
		if !ok {
			if err := t.queryRow(ctx, `SELECT COUNT(*) FROM slots WHERE key = ?`, l.Key).Scan(&n); err != nil {
				return "", err
			}
			used[l.Key] = n
		}
		if n >= l.Limit {
			return l.Key, nil
		}
	}
	return "", nil
}

func (t *sqlTx) listRuns(ctx context.Context, q string, args ...any) ([]store.Run, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *sqlTx) RenewLeases(ctx context.Context, owner string, leaseUntil time.Time) (int, error) {
	res, err := t.exec(ctx, `UPDATE runs SET lease_until = ? WHERE lease_owner = ? AND status = 'running'`, nanos(leaseUntil), owner)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (t *sqlTx) ReleaseExpired(ctx context.Context, now time.Time, exceptOwner string) (int, error) {
	ids, err := textColumn(t.query(ctx, `UPDATE runs SET status = 'queued', lease_owner = NULL, lease_until = NULL, interrupted = interrupted + 1
		WHERE status = 'running' AND lease_until < ? AND lease_owner <> ? RETURNING id`, now.UnixNano(), exceptOwner))
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := t.releaseSlots(ctx, id); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

func (t *sqlTx) OwnsRun(ctx context.Context, id, owner string) (bool, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM runs WHERE id = ? AND status = 'running' AND lease_owner = ?`, id, owner).Scan(&n)
	return n == 1, err
}

func (t *sqlTx) NextAvailable(ctx context.Context) (time.Time, bool, error) {
	var n sql.NullInt64
	err := t.queryRow(ctx, `SELECT MIN(available_at) FROM runs WHERE status IN ('queued', 'sleeping', 'waiting')`).Scan(&n)
	if err != nil || !n.Valid {
		return time.Time{}, false, err
	}
	return time.Unix(0, n.Int64), true, nil
}

func (t *sqlTx) PutStep(ctx context.Context, s store.Step) error {
	_, err := t.exec(ctx, `INSERT INTO steps (run_id, key, id, scope, pos, kind, status, output, error, attempts, wake_at, started_at, updated_at, seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM steps WHERE run_id = ?))
		ON CONFLICT (run_id, key) DO UPDATE SET status = excluded.status, output = excluded.output, error = excluded.error,
			attempts = excluded.attempts, wake_at = excluded.wake_at, updated_at = excluded.updated_at`,
		s.RunID, s.Key, s.ID, s.Scope, s.Pos, s.Kind, string(s.Status), bytesOrNil(s.Output), nullString(s.Error), s.Attempts,
		nanos(s.WakeAt), nanos(s.StartedAt), nanos(s.UpdatedAt), s.RunID)
	return err
}

func (t *sqlTx) PutOwnedStep(ctx context.Context, s store.Step, owner string) (bool, error) {
	res, err := t.exec(ctx, `INSERT INTO steps (run_id, key, id, scope, pos, kind, status, output, error, attempts, wake_at, started_at, updated_at, seq)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM steps WHERE run_id = ?)
		WHERE EXISTS (SELECT 1 FROM runs WHERE id = ? AND status = 'running' AND lease_owner = ?)
		ON CONFLICT (run_id, key) DO UPDATE SET status = excluded.status, output = excluded.output, error = excluded.error,
			attempts = excluded.attempts, wake_at = excluded.wake_at, updated_at = excluded.updated_at`,
		s.RunID, s.Key, s.ID, s.Scope, s.Pos, s.Kind, string(s.Status), bytesOrNil(s.Output), nullString(s.Error), s.Attempts,
		nanos(s.WakeAt), nanos(s.StartedAt), nanos(s.UpdatedAt), s.RunID, s.RunID, owner)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

const stepColumns = `run_id, key, id, scope, pos, kind, status, output, error, attempts, wake_at, started_at, updated_at`

func scanStep(sc interface{ Scan(...any) error }) (store.Step, error) {
	var s store.Step
	var errText sql.NullString
	var wake, started, updated sql.NullInt64
	var output []byte
	err := sc.Scan(&s.RunID, &s.Key, &s.ID, &s.Scope, &s.Pos, &s.Kind, &s.Status, &output, &errText, &s.Attempts, &wake, &started, &updated)
	s.Output, s.Error = output, errText.String
	s.WakeAt, s.StartedAt, s.UpdatedAt = fromNanos(wake), fromNanos(started), fromNanos(updated)
	return s, err
}

func (t *sqlTx) GetStep(ctx context.Context, runID, key string) (store.Step, error) {
	s, err := scanStep(t.queryRow(ctx, `SELECT `+stepColumns+` FROM steps WHERE run_id = ? AND key = ?`, runID, key))
	return s, notFound(err)
}

func (t *sqlTx) ListSteps(ctx context.Context, runID string) ([]store.Step, error) {
	rows, err := t.query(ctx, `SELECT `+stepColumns+` FROM steps WHERE run_id = ? ORDER BY seq`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Step
	for rows.Next() {
		s, err := scanStep(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (t *sqlTx) InsertWait(ctx context.Context, w store.Wait) error {
	_, err := t.exec(ctx, `INSERT INTO waits (run_id, step_key, event_name, if_expr, trigger, child_run_id, expires_at, match_path, match_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		w.RunID, w.StepKey, w.EventName, w.If, bytesOrNil(w.Trigger), w.ChildRunID, nanos(w.ExpiresAt), w.MatchPath, w.MatchKey)
	return err
}

func (t *sqlTx) DeleteWait(ctx context.Context, runID, stepKey string) (bool, error) {
	res, err := t.exec(ctx, `DELETE FROM waits WHERE run_id = ? AND step_key = ?`, runID, stepKey)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (t *sqlTx) DeleteRunWaits(ctx context.Context, runID string) error {
	_, err := t.exec(ctx, `DELETE FROM waits WHERE run_id = ?`, runID)
	return err
}

func (t *sqlTx) queryWaits(ctx context.Context, q string, args ...any) ([]store.Wait, error) {
	rows, err := t.query(ctx, `SELECT run_id, step_key, event_name, if_expr, trigger, child_run_id, expires_at, match_path, match_key FROM waits WHERE `+q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Wait
	for rows.Next() {
		var w store.Wait
		var exp sql.NullInt64
		var trig []byte
		if err := rows.Scan(&w.RunID, &w.StepKey, &w.EventName, &w.If, &trig, &w.ChildRunID, &exp, &w.MatchPath, &w.MatchKey); err != nil {
			return nil, err
		}
		w.Trigger, w.ExpiresAt = trig, fromNanos(exp)
		out = append(out, w)
	}
	return out, rows.Err()
}

func (t *sqlTx) WaitsForEvent(ctx context.Context, name string) ([]store.Wait, error) {
	return t.queryWaits(ctx, `event_name = ? ORDER BY run_id, step_key`, name)
}

func (t *sqlTx) MatchWaits(ctx context.Context, p store.MatchWaitsParams) ([]store.Wait, error) {
	out, err := t.queryWaits(ctx, `event_name = ? AND match_path = ''`, p.EventName)
	if err != nil {
		return nil, err
	}
	// The distinct paths keyed waits of the event use, one index probe
	// each (a loose index scan), not one row per wait.
	paths, err := textColumn(t.query(ctx, `WITH RECURSIVE p(path) AS (
		SELECT MIN(match_path) FROM waits WHERE event_name = ?1 AND match_path > ''
		UNION ALL
		SELECT (SELECT MIN(match_path) FROM waits WHERE event_name = ?1 AND match_path > p.path) FROM p WHERE p.path IS NOT NULL
	) SELECT path FROM p WHERE path IS NOT NULL`, p.EventName))
	if err != nil {
		return nil, err
	}
	for _, path := range paths {
		key, ok := p.KeyOf(path)
		if !ok {
			continue
		}
		ws, err := t.queryWaits(ctx, `event_name = ? AND match_path = ? AND match_key = ?`, p.EventName, path, key)
		if err != nil {
			return nil, err
		}
		out = append(out, ws...)
	}
	store.SortWaits(out)
	return out, nil
}

func (t *sqlTx) WaitsForChild(ctx context.Context, childRunID string) ([]store.Wait, error) {
	return t.queryWaits(ctx, `child_run_id = ? ORDER BY run_id, step_key`, childRunID)
}

func (t *sqlTx) GetState(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := t.queryRow(ctx, `SELECT value FROM state WHERE key = ?`, key).Scan(&v)
	return v, notFound(err)
}

func (t *sqlTx) PutState(ctx context.Context, key string, value []byte) error {
	if value == nil {
		// A nil []byte binds as NULL; an empty value is still a value.
		value = []byte{}
	}
	_, err := t.exec(ctx, `INSERT INTO state (key, value, expires_at) VALUES (?, ?, NULL) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = NULL`, key, value)
	return err
}

func (t *sqlTx) PutExpiringState(ctx context.Context, p store.PutStateParams) error {
	if p.Value == nil {
		p.Value = []byte{}
	}
	_, err := t.exec(ctx, `INSERT INTO state (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
		p.Key, p.Value, nanos(p.ExpiresAt))
	return err
}

// deleted reports the rows a DELETE removed.
func deleted(res sql.Result, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (t *sqlTx) DeleteFinishedRuns(ctx context.Context, p store.DeleteRunsParams) (int, error) {
	var terminal []store.Status
	for _, st := range p.Statuses {
		if st.Terminal() {
			terminal = append(terminal, st)
		}
	}
	if len(terminal) == 0 || p.Limit <= 0 {
		return 0, nil
	}
	in, args := statusList(terminal)
	args = append(args, nanos(p.EndedBefore), p.Limit)
	// The same subquery selects the same runs for each statement: it runs
	// on the same rows of runs with the same plan (the other deletes touch
	// other tables).
	doomed := `SELECT id FROM runs WHERE status IN ` + in + ` AND ended_at < ? ORDER BY ended_at LIMIT ?`
	for _, table := range []string{"steps", "waits", "slots"} {
		if _, err := t.exec(ctx, `DELETE FROM `+table+` WHERE run_id IN (`+doomed+`)`, args...); err != nil {
			return 0, err
		}
	}
	return deleted(t.exec(ctx, `DELETE FROM runs WHERE id IN (`+doomed+`)`, args...))
}

func (t *sqlTx) DeleteEvents(ctx context.Context, p store.DeleteEventsParams) (int, error) {
	if p.Limit <= 0 {
		return 0, nil
	}
	return deleted(t.exec(ctx, `DELETE FROM events WHERE id IN (
		SELECT id FROM events WHERE received_at < ?
		AND received_at < COALESCE((SELECT MIN(created_at) FROM runs WHERE status NOT IN ('completed', 'failed', 'cancelled', 'skipped')), 9223372036854775807)
		ORDER BY received_at LIMIT ?)`, nanos(p.ReceivedBefore), p.Limit))
}

func (t *sqlTx) DeleteExpiredState(ctx context.Context, p store.DeleteStateParams) (int, error) {
	if p.Limit <= 0 {
		return 0, nil
	}
	return deleted(t.exec(ctx, `DELETE FROM state WHERE key IN (
		SELECT key FROM state WHERE expires_at IS NOT NULL AND expires_at < ? ORDER BY expires_at LIMIT ?)`, nanos(p.Now), p.Limit))
}

func (t *sqlTx) PauseFunction(ctx context.Context, p store.PauseParams) (bool, error) {
	res, err := t.exec(ctx, `INSERT INTO paused_functions (function_id, paused_at) VALUES (?, ?) ON CONFLICT DO NOTHING`,
		p.FunctionID, p.At.UnixNano())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (t *sqlTx) ResumeFunction(ctx context.Context, p store.ResumeParams) (store.ResumeResult, error) {
	var res store.ResumeResult
	var since int64
	err := t.queryRow(ctx, `DELETE FROM paused_functions WHERE function_id = ? RETURNING paused_at`, p.FunctionID).Scan(&since)
	if errors.Is(err, sql.ErrNoRows) {
		return res, nil
	}
	if err != nil {
		return res, err
	}
	res.WasPaused = true
	if p.Skip {
		rows, err := t.query(ctx, `UPDATE runs SET status = 'skipped', ended_at = ?, error = ?, lease_owner = NULL, lease_until = NULL, blocked_on = NULL
			WHERE function_id = ? AND status IN ('paused', 'queued', 'blocked') AND started_at IS NULL AND created_at >= ?
			RETURNING id, limits IS NOT NULL`, p.At.UnixNano(), nullString(p.Reason), p.FunctionID, since)
		if err != nil {
			return res, err
		}
		var withSlots []string
		for rows.Next() {
			var id string
			var limited bool
			if err := rows.Scan(&id, &limited); err != nil {
				rows.Close()
				return res, err
			}
			res.Skipped = append(res.Skipped, id)
			if limited {
				withSlots = append(withSlots, id)
			}
		}
		if err := rows.Close(); err != nil {
			return res, err
		}
		for _, id := range withSlots {
			if err := t.releaseSlots(ctx, id); err != nil {
				return res, err
			}
		}
	}
	res.Queued, err = textColumn(t.query(ctx, `UPDATE runs SET status = 'queued' WHERE function_id = ? AND status = 'paused' RETURNING id`, p.FunctionID))
	return res, err
}

func (t *sqlTx) ListPaused(ctx context.Context) ([]store.PausedFunction, error) {
	rows, err := t.query(ctx, `SELECT function_id, paused_at FROM paused_functions ORDER BY function_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.PausedFunction
	for rows.Next() {
		var p store.PausedFunction
		var at int64
		if err := rows.Scan(&p.FunctionID, &at); err != nil {
			return nil, err
		}
		p.Since = time.Unix(0, at)
		out = append(out, p)
	}
	return out, rows.Err()
}

func (t *sqlTx) InsertStartedRun(ctx context.Context, p store.StartRunParams) (bool, error) {
	var paused bool
	if err := t.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM paused_functions WHERE function_id = ?)`, p.Run.FunctionID).Scan(&paused); err != nil {
		return false, err
	}
	if !paused {
		return true, t.InsertRun(ctx, p.Run)
	}
	r := p.Run
	r.Status, r.LeaseOwner, r.LeaseUntil, r.StartedAt, r.Deadline = store.StatusQueued, "", time.Time{}, time.Time{}, p.HeldDeadline
	if err := t.InsertRun(ctx, r); err != nil {
		return false, err
	}
	_, err := t.exec(ctx, `DELETE FROM slots WHERE run_id = ?`, r.ID)
	return false, err
}
