package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/durable-go/durable/runtime/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// querier is where a transaction's statements go: the application's
// pgx.Tx (InTx) or the connection of a store transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// pgTx implements store.Tx on one PostgreSQL transaction.
type pgTx struct {
	s  *Store
	db querier
	// begin, unless empty, is the BEGIN statement not sent yet: it goes in
	// one round trip with the transaction's first statement (see start).
	begin string
	// begun says whether begin was sent: only then is there a transaction
	// to end.
	begun    bool
	readOnly bool
	// grouped says the transaction is a group's (see Update): savepoint,
	// unless empty, is the SAVEPOINT of the group's current Update, not sent
	// yet (it goes with the Update's first statement), and marked says it
	// was sent.
	grouped   bool
	savepoint string
	marked    bool
	// locked holds the advisory locks taken (they last until the end of the
	// transaction), so each is taken once.
	locked map[int32]bool
	// abort is the first error by which PostgreSQL aborted the transaction
	// for a serialization failure or a deadlock: Update runs fn again even
	// if fn dropped it.
	abort error
	// wake is set when the transaction made a run claimable: the commit then
	// notifies listeners.
	wake bool
}

// check records an abort that calls for a retry and returns err.
func (t *pgTx) check(err error) error {
	if err != nil && t.abort == nil && retryable(err) {
		t.abort = err
	}
	return err
}

// start sends what must precede sql and was not sent yet (BEGIN, a group's
// SAVEPOINT) together with sql in one batch (one round trip), and returns
// the batch positioned at sql's result; nil when nothing preceded sql (sql
// is then the caller's to send). The caller closes the batch after reading
// sql's result. It also returns the context to send sql under.
func (t *pgTx) start(ctx context.Context, sql string, args []any) (context.Context, pgx.BatchResults, error) {
	if t.grouped {
		// The connection carries the group's other Updates: a statement
		// must not be interrupted midway (pgx then closes the connection).
		// A cancelled Update fails before its next statement instead.
		if err := ctx.Err(); err != nil {
			return ctx, nil, err
		}
		ctx = context.WithoutCancel(ctx)
	}
	var prelude []string
	if !t.begun && t.begin != "" {
		prelude = append(prelude, t.begin)
		t.begun = true
	}
	if t.savepoint != "" {
		prelude = append(prelude, t.savepoint)
		t.savepoint, t.marked = "", true
	}
	if len(prelude) == 0 {
		return ctx, nil, nil
	}
	conn, ok := t.db.(*pgxpool.Conn)
	if !ok || conn.Conn().Config().DefaultQueryExecMode == pgx.QueryExecModeSimpleProtocol {
		// The simple protocol sends a batch as one multi-statement string:
		// these go alone there.
		for _, q := range prelude {
			if _, err := t.db.Exec(ctx, q); err != nil {
				return ctx, nil, err
			}
		}
		return ctx, nil, nil
	}
	b := &pgx.Batch{}
	for _, q := range prelude {
		b.Queue(q)
	}
	b.Queue(sql, args...)
	br := conn.SendBatch(ctx, b)
	for range prelude {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return ctx, nil, err
		}
	}
	return ctx, br, nil
}

func (t *pgTx) exec(ctx context.Context, query string, args ...any) (pgconn.CommandTag, error) {
	sql := t.s.sql(query)
	ctx, br, err := t.start(ctx, sql, args)
	if err != nil {
		return pgconn.CommandTag{}, t.check(err)
	}
	if br != nil {
		tag, err := br.Exec()
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		return tag, t.check(err)
	}
	tag, err := t.db.Exec(ctx, sql, args...)
	return tag, t.check(err)
}

// row runs a query of one row; its Scan reports the errors.
func (t *pgTx) row(ctx context.Context, query string, args ...any) pgx.Row {
	sql := t.s.sql(query)
	ctx, br, err := t.start(ctx, sql, args)
	if err != nil {
		return errRow{err}
	}
	if br != nil {
		return batchRow{br.QueryRow(), br}
	}
	return t.db.QueryRow(ctx, sql, args...)
}

// errRow is a row that failed before its query was sent.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// batchRow is the row of the last query of a batch: scanning it ends the
// batch.
type batchRow struct {
	pgx.Row
	br pgx.BatchResults
}

func (r batchRow) Scan(dest ...any) error {
	err := r.Row.Scan(dest...)
	if cerr := r.br.Close(); err == nil || errors.Is(err, pgx.ErrNoRows) && cerr != nil {
		err = cerr
	}
	return err
}

// queryRow runs a query of one row and scans it into dest.
func (t *pgTx) queryRow(ctx context.Context, query string, args []any, dest ...any) error {
	return t.check(t.row(ctx, query, args...).Scan(dest...))
}

// collect runs a query and scans each row with scan.
func collect[T any](ctx context.Context, t *pgTx, query string, args []any, scan func(pgx.Rows) (T, error)) ([]T, error) {
	sql := t.s.sql(query)
	ctx, br, err := t.start(ctx, sql, args)
	if err != nil {
		return nil, t.check(err)
	}
	var rows pgx.Rows
	if br != nil {
		defer br.Close()
		rows, err = br.Query()
	} else {
		rows, err = t.db.Query(ctx, sql, args...)
	}
	if err != nil {
		return nil, t.check(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, t.check(err)
		}
		out = append(out, v)
	}
	return out, t.check(rows.Err())
}

func scanText(rows pgx.Rows) (string, error) {
	var s string
	err := rows.Scan(&s)
	return s, err
}

// lock takes the transaction-scoped advisory lock of name (in this store's
// lock space) unless the transaction holds it. In READ COMMITTED, the
// statements after it see everything committed by the previous holder.
func (t *pgTx) lock(ctx context.Context, name string) error {
	key := hash32(name)
	if t.locked[key] {
		return nil
	}
	if _, err := t.exec(ctx, `SELECT pg_advisory_xact_lock($1::int4, $2::int4)`, t.s.lockSpace, key); err != nil {
		return err
	}
	if t.locked == nil {
		t.locked = map[int32]bool{}
	}
	t.locked[key] = true
	return nil
}

// lockAll takes the locks of names the transaction does not hold, in one
// statement, in the order of lockKeys (sorted by name) so that it cannot
// deadlock with a transaction taking them one at a time.
func (t *pgTx) lockAll(ctx context.Context, names []string) error {
	slices.Sort(names)
	var want []int32
	for _, n := range names {
		if k := hash32(n); !t.locked[k] && !slices.Contains(want, k) {
			want = append(want, k)
		}
	}
	if len(want) == 0 {
		return nil
	}
	// unnest yields the keys in array order, each locked before the next.
	if _, err := t.exec(ctx, `SELECT pg_advisory_xact_lock($1::int4, k) FROM unnest($2::int4[]) AS k`, t.s.lockSpace, want); err != nil {
		return err
	}
	if t.locked == nil {
		t.locked = map[int32]bool{}
	}
	for _, k := range want {
		t.locked[k] = true
	}
	return nil
}

// lockKeys takes the locks of the concurrency keys of limits, in a fixed
// order so that two transactions taking several do not deadlock.
func (t *pgTx) lockKeys(ctx context.Context, limits []store.Limit) error {
	keys := make([]string, len(limits))
	for i, l := range limits {
		keys[i] = l.Key
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := t.lock(ctx, "slot/"+k); err != nil {
			return err
		}
	}
	return nil
}

// nanos stores a time as nanoseconds since the epoch; the zero time is NULL.
func nanos(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := t.UnixNano()
	return &n
}

// int8Nanos is nanos without an allocation, for arrays of many values.
func int8Nanos(t time.Time) pgtype.Int8 {
	if t.IsZero() {
		return pgtype.Int8{}
	}
	return pgtype.Int8{Int64: t.UnixNano(), Valid: true}
}

// nullText is nullString without an allocation.
func nullText(s string) pgtype.Text {
	return pgtype.Text{String: s, Valid: s != ""}
}

func fromInt8(n pgtype.Int8) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64)
}

func fromNanos(n *int64) time.Time {
	if n == nil {
		return time.Time{}
	}
	return time.Unix(0, *n)
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func bytesOrNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

func statusStrings(ss []store.Status) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

// claimable reports whether a run in status s can be claimed when due.
func claimable(s store.Status) bool {
	return s == store.StatusQueued || s == store.StatusSleeping || s == store.StatusWaiting
}

func (t *pgTx) InsertEvent(ctx context.Context, ev store.Event) (bool, error) {
	tag, err := t.exec(ctx, `INSERT INTO $S.events (id, name, ts, envelope, received_at) VALUES ($1, $2, $3::int8, $4::bytea, $5::int8)
		ON CONFLICT (id) DO NOTHING`,
		ev.ID, ev.Name, ev.TS, []byte(ev.Envelope), nanos(ev.ReceivedAt))
	return tag.RowsAffected() == 1, err
}

func (t *pgTx) GetEvent(ctx context.Context, id string) (store.Event, error) {
	var ev store.Event
	var recv *int64
	var env []byte
	err := t.queryRow(ctx, `SELECT id, name, ts, envelope, received_at FROM $S.events WHERE id = $1`, []any{id},
		&ev.ID, &ev.Name, &ev.TS, &env, &recv)
	ev.Envelope, ev.ReceivedAt = env, fromNanos(recv)
	return ev, notFound(err)
}

func (t *pgTx) EventsByName(ctx context.Context, p store.EventsByNameParams) ([]store.Event, error) {
	from := p.ReceivedFrom.UnixNano()
	return collect(ctx, t, `SELECT id, name, ts, envelope, received_at FROM $S.events
		WHERE name = $1 AND (received_at, id) > ($2, $3)
		ORDER BY received_at, id LIMIT $4`, []any{p.Name, from, p.AfterID, p.Limit},
		func(rows pgx.Rows) (store.Event, error) {
			var ev store.Event
			var recv *int64
			var env []byte
			err := rows.Scan(&ev.ID, &ev.Name, &ev.TS, &env, &recv)
			ev.Envelope, ev.ReceivedAt = env, fromNanos(recv)
			return ev, err
		})
}

const runColumns = `id, function_id, status, events, attempt, created_at, started_at, ended_at, available_at,
	lease_owner, lease_until, output, error, parent_run_id, parent_step_key, deadline, limits, blocked_on, interrupted,
	rerun_of, rerun_from_step, rerun_by`

// qualified prefixes each column of a list of columns with table.
func qualified(table, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = table + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// runScanner scans rows of runColumns, then extra. Its targets are
// reused from row to row, so that a row allocates only its strings and
// bytes: a claim scans a thousand rows at a time.
type runScanner struct {
	r                                      store.Run
	status                                 string
	created, avail                         int64
	started, ended, leaseUntil, deadline   pgtype.Int8
	owner, errText, parent, parentKey      pgtype.Text
	blockedOn, rerunOf, rerunFrom, rerunBy pgtype.Text
	events, output, limits                 []byte
	dest                                   []any
}

func newRunScanner(extra ...any) *runScanner {
	s := &runScanner{}
	s.dest = append([]any{&s.r.ID, &s.r.FunctionID, &s.status, &s.events, &s.r.Attempt, &s.created, &s.started, &s.ended, &s.avail,
		&s.owner, &s.leaseUntil, &s.output, &s.errText, &s.parent, &s.parentKey, &s.deadline, &s.limits, &s.blockedOn, &s.r.Interrupted,
		&s.rerunOf, &s.rerunFrom, &s.rerunBy}, extra...)
	return s
}

func (s *runScanner) scan(row pgx.Row) (store.Run, error) {
	s.r = store.Run{}
	s.events, s.output, s.limits = nil, nil, nil
	if err := row.Scan(s.dest...); err != nil {
		return store.Run{}, err
	}
	r := s.r
	if len(s.limits) > 0 {
		if err := json.Unmarshal(s.limits, &r.Limits); err != nil {
			return r, fmt.Errorf("run %s: limits: %w", r.ID, err)
		}
	}
	r.Status, r.Events = store.Status(s.status), s.events
	r.CreatedAt, r.StartedAt, r.EndedAt, r.AvailableAt = time.Unix(0, s.created), fromInt8(s.started), fromInt8(s.ended), time.Unix(0, s.avail)
	r.LeaseOwner, r.LeaseUntil = s.owner.String, fromInt8(s.leaseUntil)
	r.Output, r.Error = s.output, s.errText.String
	r.ParentRunID, r.ParentStepKey, r.Deadline = s.parent.String, s.parentKey.String, fromInt8(s.deadline)
	r.BlockedOn = s.blockedOn.String
	r.RerunOf, r.RerunFromStep, r.RerunBy = s.rerunOf.String, s.rerunFrom.String, s.rerunBy.String
	return r, nil
}

// scanRun scans one row of runColumns.
func scanRun(row pgx.Row) (store.Run, error) { return newRunScanner().scan(row) }

func (t *pgTx) InsertRun(ctx context.Context, r store.Run) error {
	var limits []byte
	if len(r.Limits) > 0 {
		limits, _ = json.Marshal(r.Limits)
	}
	_, err := t.exec(ctx, `WITH r AS (
			INSERT INTO $S.runs (`+runColumns+`, event_id) VALUES ($1, $2, $3, $4::bytea, $5::int4, $6::int8, $7::int8, $8::int8, $9::int8,
			$10, $11::int8, $12::bytea, $13, $14, $15, $16::int8, $17::bytea, $18, $19::int4, $20, $21, $22, $23)
			RETURNING id, function_id, created_at, event_id
		)
		`+indexRuns,
		r.ID, r.FunctionID, string(r.Status), []byte(r.Events), r.Attempt, nanos(r.CreatedAt), nanos(r.StartedAt), nanos(r.EndedAt),
		nanos(r.AvailableAt), nullString(r.LeaseOwner), nanos(r.LeaseUntil), bytesOrNil(r.Output), nullString(r.Error),
		nullString(r.ParentRunID), nullString(r.ParentStepKey), nanos(r.Deadline), limits, nullString(r.BlockedOn), r.Interrupted,
		nullString(r.RerunOf), nullString(r.RerunFromStep), nullString(r.RerunBy), nullString(store.FirstEventID(r.Events)))
	if err == nil && claimable(r.Status) {
		t.wake = true
	}
	return err
}

// indexRuns records in run_index the runs a statement's WITH query r
// inserted (returning id, function_id, created_at and event_id). Every
// insert of a run goes with it: the run's function, creation and first
// event are found through run_index (migration 8).
const indexRuns = `INSERT INTO $S.run_index (id, function_id, created_at, event_id) SELECT id, function_id, created_at, event_id FROM r`

func (t *pgTx) GetRun(ctx context.Context, id string) (store.Run, error) {
	r, err := scanRun(t.row(ctx, `SELECT `+runColumns+` FROM $S.runs WHERE id = $1`, id))
	return r, notFound(t.check(err))
}

func (t *pgTx) ListRuns(ctx context.Context, f store.RunFilter) ([]store.Run, error) {
	// Function, creation and first event are matched and ordered in
	// run_index, the rest in runs.
	q := `SELECT ` + qualified("r", runColumns) + ` FROM $S.run_index i JOIN $S.runs r ON r.id = i.id WHERE true`
	var args []any
	if f.FunctionID != "" {
		args = append(args, f.FunctionID)
		q += fmt.Sprintf(` AND i.function_id = $%d`, len(args))
	}
	if len(f.Statuses) > 0 {
		args = append(args, statusStrings(f.Statuses))
		q += fmt.Sprintf(` AND r.status = ANY($%d::text[])`, len(args))
	}
	if !f.CreatedFrom.IsZero() {
		args = append(args, f.CreatedFrom.UnixNano())
		q += fmt.Sprintf(` AND i.created_at >= $%d::int8`, len(args))
	}
	if !f.CreatedBefore.IsZero() {
		args = append(args, f.CreatedBefore.UnixNano())
		q += fmt.Sprintf(` AND i.created_at < $%d::int8`, len(args))
	}
	if f.EventID != "" {
		args = append(args, f.EventID)
		q += fmt.Sprintf(` AND i.event_id = $%d`, len(args))
	}
	if f.ParentRunID != "" {
		args = append(args, f.ParentRunID)
		q += fmt.Sprintf(` AND r.parent_run_id = $%d`, len(args))
	}
	if f.NotRerun {
		q += ` AND r.rerun_by IS NULL`
	}
	if f.After != nil {
		args = append(args, f.After.CreatedAt.UnixNano(), f.After.ID)
		q += fmt.Sprintf(` AND (i.created_at, i.id) < ($%d::int8, $%d)`, len(args)-1, len(args))
	}
	q += ` ORDER BY i.created_at DESC, i.id DESC`
	if f.Limit > 0 {
		args = append(args, f.Limit)
		q += fmt.Sprintf(` LIMIT $%d::int8`, len(args))
	}
	sc := newRunScanner()
	return collect(ctx, t, q, args, func(rows pgx.Rows) (store.Run, error) { return sc.scan(rows) })
}

func (t *pgTx) UpdateRun(ctx context.Context, id string, cond store.RunCond, u store.RunUpdate) (bool, error) {
	var sets []string
	var args []any
	set := func(col, typ string, v any) {
		args = append(args, v)
		sets = append(sets, fmt.Sprintf("%s = $%d::%s", col, len(args), typ))
	}
	if u.Status != nil {
		set("status", "text", string(*u.Status))
	}
	if u.Attempt != nil {
		set("attempt", "int4", *u.Attempt)
	}
	if u.StartedAt != nil {
		set("started_at", "int8", nanos(*u.StartedAt))
	}
	if u.EndedAt != nil {
		set("ended_at", "int8", nanos(*u.EndedAt))
	}
	if u.AvailableAt != nil {
		set("available_at", "int8", nanos(*u.AvailableAt))
	}
	if u.ClearLease {
		sets = append(sets, "lease_owner = NULL", "lease_until = NULL")
	}
	if u.Output != nil {
		set("output", "bytea", []byte(u.Output))
	}
	if u.Error != nil {
		set("error", "text", nullString(*u.Error))
	}
	if u.Deadline != nil {
		set("deadline", "int8", nanos(*u.Deadline))
	}
	if u.Events != nil {
		set("events", "bytea", []byte(u.Events))
		set("event_id", "text", nullString(store.FirstEventID(u.Events)))
	}
	if u.RerunBy != nil {
		set("rerun_by", "text", nullString(*u.RerunBy))
	}
	if u.Interrupted != nil {
		set("interrupted", "int4", *u.Interrupted)
	}
	if u.Status != nil && *u.Status != store.StatusBlocked {
		sets = append(sets, "blocked_on = NULL")
	}
	if len(sets) == 0 {
		return false, errors.New("postgres: UpdateRun with nothing to update")
	}
	args = append(args, id)
	q := fmt.Sprintf(`UPDATE $S.runs SET %s WHERE id = $%d`, strings.Join(sets, ", "), len(args))
	// One statement: PostgreSQL re-checks the condition on the newest version
	// of the row after waiting for a concurrent writer, so the condition and
	// the change are atomic (the fence of a stale owner).
	if cond.Owner != "" {
		args = append(args, cond.Owner)
		q += fmt.Sprintf(` AND lease_owner = $%d`, len(args))
	}
	if len(cond.Statuses) > 0 {
		args = append(args, statusStrings(cond.Statuses))
		q += fmt.Sprintf(` AND status = ANY($%d::text[])`, len(args))
	}
	if cond.NotRerun {
		q += ` AND rerun_by IS NULL`
	}
	var limits []byte
	var status string
	err := t.queryRow(ctx, q+` RETURNING limits, status`, args, &limits, &status)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if claimable(store.Status(status)) && (u.Status != nil || u.AvailableAt != nil) {
		t.wake = true
	}
	if u.Events != nil {
		if _, err := t.exec(ctx, `UPDATE $S.run_index SET event_id = $1 WHERE id = $2`, nullString(store.FirstEventID(u.Events)), id); err != nil {
			return false, err
		}
	}
	if len(limits) > 0 && u.Status != nil && *u.Status != store.StatusRunning {
		var rl []store.Limit
		if err := json.Unmarshal(limits, &rl); err != nil {
			return false, fmt.Errorf("run %s: limits: %w", id, err)
		}
		err = t.releaseSlots(ctx, id, rl)
	}
	return true, err
}

// releaseSlots gives back the slots runID holds of the keys of limits. Each
// goes straight to the oldest run blocked on its key, which is requeued
// holding it: a run created meanwhile cannot take it first, so blocked runs
// start in order. The key's lock serializes this with every other count and
// hand-over of the key.
func (t *pgTx) releaseSlots(ctx context.Context, runID string, limits []store.Limit) error {
	if err := t.lockKeys(ctx, limits); err != nil {
		return err
	}
	keys, err := collect(ctx, t, `DELETE FROM $S.slots WHERE run_id = $1 RETURNING key`, []any{runID}, scanText)
	if err != nil {
		return err
	}
	slices.Sort(keys)
	for _, k := range keys {
		// A run may hold a slot of a key no longer in its limits (it cannot
		// today; this keeps the count right if it ever does).
		if err := t.lock(ctx, "slot/"+k); err != nil {
			return err
		}
		// FOR UPDATE: a blocked run being changed by another transaction is
		// waited for and re-checked, never handed a slot it cannot use.
		next, err := collect(ctx, t, `UPDATE $S.runs SET status = 'queued', blocked_on = NULL WHERE id = (
			SELECT id FROM $S.runs WHERE status = 'blocked' AND blocked_on = $1 ORDER BY available_at, id LIMIT 1 FOR UPDATE)
			RETURNING id`, []any{k}, scanText)
		if err != nil {
			return err
		}
		if len(next) == 0 {
			continue
		}
		t.wake = true
		if _, err := t.exec(ctx, `INSERT INTO $S.slots (key, run_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, k, next[0]); err != nil {
			return err
		}
	}
	return nil
}

func (t *pgTx) TakeSlots(ctx context.Context, runID string, limits []store.Limit) (bool, error) {
	if err := t.lockKeys(ctx, limits); err != nil {
		return false, err
	}
	// Under the keys' locks, counts cannot change until commit: check every
	// key first, so that a full one leaves nothing to give back.
	var take []string
	for _, l := range limits {
		var n int
		var held bool
		if err := t.queryRow(ctx, `SELECT COUNT(*), COALESCE(bool_or(run_id = $2), false) FROM $S.slots WHERE key = $1`,
			[]any{l.Key, runID}, &n, &held); err != nil {
			return false, err
		}
		if held {
			continue
		}
		if n >= l.Limit {
			return false, nil
		}
		take = append(take, l.Key)
	}
	for _, k := range take {
		if _, err := t.exec(ctx, `INSERT INTO $S.slots (key, run_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, k, runID); err != nil {
			return false, err
		}
	}
	return true, nil
}

func (t *pgTx) ClaimRuns(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]store.Run, error) {
	claimed, err := t.claimRuns(ctx, store.ClaimParams{Owner: owner, Now: now, LeaseUntil: leaseUntil, Limit: limit})
	runs := make([]store.Run, len(claimed))
	for i, c := range claimed {
		runs[i] = c.Run
	}
	return runs, err
}

// ClaimRunsWithJournals claims as ClaimRuns, then reads the steps of the
// claimed runs that have any in one statement.
func (t *pgTx) ClaimRunsWithJournals(ctx context.Context, p store.ClaimParams) ([]store.ClaimedRun, error) {
	out, err := t.claimRuns(ctx, p)
	if err != nil || len(out) == 0 {
		return nil, err
	}
	return out, t.readJournals(ctx, out)
}

// readJournals sets the Steps of the claimed runs that may have any (not
// FreshJournal), read in one statement.
func (t *pgTx) readJournals(ctx context.Context, claimed []store.ClaimedRun) error {
	var index map[string]int
	var ids []string
	for i, c := range claimed {
		if !store.FreshJournal(c.Run) {
			if index == nil {
				index = map[string]int{}
			}
			index[c.Run.ID] = i
			ids = append(ids, c.Run.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	steps, err := collect(ctx, t, `SELECT `+stepColumns+` FROM $S.steps WHERE run_id = ANY($1::text[]) ORDER BY run_id, seq`, []any{ids},
		func(rows pgx.Rows) (store.Step, error) { return scanStep(rows) })
	if err != nil {
		return err
	}
	for _, i := range index {
		claimed[i].Steps = []store.Step{}
	}
	for _, s := range steps {
		i := index[s.RunID]
		claimed[i].Steps = append(claimed[i].Steps, s)
	}
	return nil
}

// claimFree locks up to limit due runs, oldest first, and in the same
// statement claims those that need no decision of their own: no limits,
// and no pause of their function (as of the statement's snapshot, as the
// candidates are read). It returns every candidate, in order, saying which
// it claimed; the others are locked for the caller to decide. The runs'
// columns come from the locking SELECT: a row changed by a transaction
// that committed after the statement began is read in its newest version
// (as FOR UPDATE re-checks it), not in the snapshot's.
var claimFree = `WITH cand AS (
		SELECT ` + runColumns + `,
			started_at IS NULL AND EXISTS (SELECT 1 FROM $S.paused_functions p WHERE p.function_id = runs.function_id) AS paused
		FROM $S.runs WHERE status IN ('queued', 'sleeping', 'waiting') AND available_at <= $1::int8
		ORDER BY available_at, id LIMIT $2::int8 FOR UPDATE OF runs SKIP LOCKED
	), claimed AS (
		UPDATE $S.runs r SET status = 'running', lease_owner = $3, lease_until = $4::int8
		FROM cand WHERE r.id = cand.id AND NOT cand.paused AND cand.limits IS NULL
		RETURNING r.id
	)
	SELECT ` + qualified("cand", runColumns) + `, cand.paused, claimed.id IS NOT NULL
	FROM cand LEFT JOIN claimed ON claimed.id = cand.id
	ORDER BY cand.available_at, cand.id`

// claimRuns is ClaimRuns. The runs without limits and not paused, the
// common case, are claimed by one statement for the whole batch; only the
// runs with limits (which take slots or become blocked, in order, under
// their keys' locks) and those a pause may hold take statements of their
// own.
func (t *pgTx) claimRuns(ctx context.Context, p store.ClaimParams) ([]store.ClaimedRun, error) {
	var out []store.ClaimedRun
	used := map[string]int{} // slots held per key, counted under the key's lock
	for len(out) < p.Limit {
		want := p.Limit - len(out)
		// SKIP LOCKED: runs another claimer (or any writer) holds are left
		// to it; a run changed since this statement's snapshot is re-checked
		// on its newest version before it is locked.
		candidates, err := collect(ctx, t, claimFree, []any{p.Now.UnixNano(), want, p.Owner, nanos(p.LeaseUntil)}, newCandidateScanner())
		if err != nil || len(candidates) == 0 {
			return out, err
		}
		// Runs passed over here (held by a pause, or blocked) may have
		// handed their slots to runs now queued, or left room for more:
		// look again. Otherwise fewer candidates than asked for means no
		// more are due.
		passedOver := false
		claimed := make([]bool, len(candidates))
		var decide []store.Run // runs with limits, and runs a pause no longer holds
		var decideAt []int     // their places among candidates
		for i, c := range candidates {
			if c.claimed {
				claimed[i] = true
				continue
			}
			if c.paused {
				held, err := t.holdPaused(ctx, c.run)
				if err != nil {
					return out, err
				}
				if held {
					passedOver = true
					continue
				}
			}
			decide = append(decide, c.run)
			decideAt = append(decideAt, i)
		}
		if len(decide) > 0 {
			took, blocked, err := t.claimLimited(ctx, p, decide, used)
			if err != nil {
				return out, err
			}
			for j, ok := range took {
				claimed[decideAt[j]] = ok
			}
			passedOver = passedOver || blocked
		}
		if out == nil {
			out = make([]store.ClaimedRun, 0, len(candidates))
		}
		for i, c := range candidates {
			if claimed[i] {
				r := c.run
				r.Status, r.LeaseOwner, r.LeaseUntil = store.StatusRunning, p.Owner, p.LeaseUntil
				out = append(out, store.ClaimedRun{Run: r})
			}
		}
		if len(candidates) < want && !passedOver {
			return out, nil
		}
	}
	return out, nil
}

// claimLimited decides, oldest first, which of runs (locked candidates of
// a claim) take a slot of each key of their limits and which become
// blocked on their first key with no free slot, in a fixed number of
// statements whatever the number of runs: the keys' locks in one, their
// counts in one, the claims, the slots and the blocks in one. used holds
// the slots held per key as counted under its lock by this claim so far.
// It reports which runs it claimed, and whether it blocked any.
func (t *pgTx) claimLimited(ctx context.Context, p store.ClaimParams, runs []store.Run, used map[string]int) ([]bool, bool, error) {
	var names, keys, ids []string
	for _, r := range runs {
		ids = append(ids, r.ID)
		for _, l := range r.Limits {
			if !slices.Contains(keys, l.Key) {
				keys = append(keys, l.Key)
				names = append(names, "slot/"+l.Key)
			}
		}
	}
	held := map[string]map[string]bool{} // run ID -> keys of its limits whose slot it holds
	if len(keys) > 0 {
		if err := t.lockAll(ctx, names); err != nil {
			return nil, false, err
		}
		type keySlots struct {
			key     string
			n       int
			holders []string
		}
		counts, err := collect(ctx, t, `SELECT key, COUNT(*), COALESCE(array_agg(run_id) FILTER (WHERE run_id = ANY($2::text[])), '{}')
			FROM $S.slots WHERE key = ANY($1::text[]) GROUP BY key`, []any{keys, ids}, func(rows pgx.Rows) (keySlots, error) {
			var k keySlots
			err := rows.Scan(&k.key, &k.n, &k.holders)
			return k, err
		})
		if err != nil {
			return nil, false, err
		}
		for _, k := range keys {
			used[k] = 0 // a key with no slot held has no row
		}
		for _, k := range counts {
			used[k.key] = k.n // under the key's lock: this claim's own slots included
			for _, id := range k.holders {
				if held[id] == nil {
					held[id] = map[string]bool{}
				}
				held[id][k.key] = true
			}
		}
	}
	took := make([]bool, len(runs))
	var claimIDs, slotKeys, slotRuns, blockIDs, blockKeys []string
	taking := map[string]int{} // slots this call will insert, per key
	for i, r := range runs {
		full := ""
		for _, l := range r.Limits {
			if !held[r.ID][l.Key] && used[l.Key] >= l.Limit {
				full = l.Key
				break
			}
		}
		if full != "" {
			blockIDs, blockKeys = append(blockIDs, r.ID), append(blockKeys, full)
			if len(held[r.ID]) > 0 {
				// Slots it was handed on other keys go on to the next runs
				// (rare: a run requeued holding a slot, blocked on another
				// key). A key left with no run blocked on it gets a slot
				// back: count them again for the runs after this one.
				if err := t.releaseSlots(ctx, r.ID, r.Limits); err != nil {
					return nil, false, err
				}
				if err := t.recount(ctx, slices.Collect(maps.Keys(held[r.ID])), taking, used); err != nil {
					return nil, false, err
				}
			}
			continue
		}
		took[i] = true
		claimIDs = append(claimIDs, r.ID)
		for _, l := range r.Limits {
			if !held[r.ID][l.Key] {
				if held[r.ID] == nil {
					held[r.ID] = map[string]bool{}
				}
				held[r.ID][l.Key] = true
				used[l.Key]++
				taking[l.Key]++
				slotKeys, slotRuns = append(slotKeys, l.Key), append(slotRuns, r.ID)
			}
		}
	}
	// Data-modifying WITH clauses all run, on disjoint rows.
	_, err := t.exec(ctx, `WITH claimed AS (
			UPDATE $S.runs SET status = 'running', lease_owner = $1, lease_until = $2::int8 WHERE id = ANY($3::text[])
		), slots AS (
			INSERT INTO $S.slots (key, run_id) SELECT * FROM unnest($4::text[], $5::text[]) ON CONFLICT DO NOTHING
		)
		UPDATE $S.runs SET status = 'blocked', blocked_on = b.key FROM unnest($6::text[], $7::text[]) AS b(id, key) WHERE runs.id = b.id`,
		p.Owner, nanos(p.LeaseUntil), claimIDs, slotKeys, slotRuns, blockIDs, blockKeys)
	return took, len(blockIDs) > 0, err
}

// recount sets used of keys to the slots held of each (under its lock),
// plus those the claim is about to take (taking).
func (t *pgTx) recount(ctx context.Context, keys []string, taking, used map[string]int) error {
	type keyCount struct {
		key string
		n   int
	}
	counts, err := collect(ctx, t, `SELECT key, COUNT(*) FROM $S.slots WHERE key = ANY($1::text[]) GROUP BY key`, []any{keys},
		func(rows pgx.Rows) (keyCount, error) {
			var k keyCount
			err := rows.Scan(&k.key, &k.n)
			return k, err
		})
	if err != nil {
		return err
	}
	for _, k := range keys {
		used[k] = taking[k]
	}
	for _, c := range counts {
		used[c.key] += c.n
	}
	return nil
}

// claimCandidate is a due run, whether a pause of its function may hold
// it, and whether the claim's statement claimed it already.
type claimCandidate struct {
	run     store.Run
	paused  bool
	claimed bool
}

// newCandidateScanner returns a scan of claimFree's rows, reusing its
// targets from row to row. The candidates are pointers: a claim's slice
// of them grows as its rows arrive, and a run is large to copy.
func newCandidateScanner() func(pgx.Rows) (*claimCandidate, error) {
	var paused, claimed bool
	sc := newRunScanner(&paused, &claimed)
	return func(rows pgx.Rows) (*claimCandidate, error) {
		r, err := sc.scan(rows)
		return &claimCandidate{run: r, paused: paused, claimed: claimed}, err
	}
}

// holdPaused makes r, which never started, paused if its function still
// is once the pause's lock is held (a resume committed since the claim's
// snapshot has queued the paused runs it saw: r must then be claimed, not
// held past it), giving back any slot it holds; it reports whether it did.
func (t *pgTx) holdPaused(ctx context.Context, r store.Run) (bool, error) {
	if err := t.lock(ctx, "pause/"+r.FunctionID); err != nil {
		return false, err
	}
	var paused bool
	if err := t.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM $S.paused_functions WHERE function_id = $1)`, []any{r.FunctionID}, &paused); err != nil || !paused {
		return false, err
	}
	if err := t.releaseSlots(ctx, r.ID, r.Limits); err != nil {
		return false, err
	}
	_, err := t.exec(ctx, `UPDATE $S.runs SET status = 'paused', blocked_on = NULL WHERE id = $1`, r.ID)
	return err == nil, err
}

func (t *pgTx) RenewLeases(ctx context.Context, owner string, leaseUntil time.Time) (int, error) {
	tag, err := t.exec(ctx, `UPDATE $S.runs SET lease_until = $1::int8 WHERE lease_owner = $2 AND status = 'running'`, nanos(leaseUntil), owner)
	return int(tag.RowsAffected()), err
}

func (t *pgTx) ReleaseExpired(ctx context.Context, now time.Time, exceptOwner string) (int, error) {
	type expired struct {
		id     string
		limits []byte
	}
	runs, err := collect(ctx, t, `UPDATE $S.runs SET status = 'queued', lease_owner = NULL, lease_until = NULL, interrupted = interrupted + 1
		WHERE status = 'running' AND lease_until < $1::int8 AND lease_owner <> $2 RETURNING id, limits`,
		[]any{now.UnixNano(), exceptOwner}, func(rows pgx.Rows) (expired, error) {
			var e expired
			err := rows.Scan(&e.id, &e.limits)
			return e, err
		})
	if err != nil {
		return 0, err
	}
	if len(runs) > 0 {
		t.wake = true
	}
	for _, r := range runs {
		var limits []store.Limit
		if len(r.limits) > 0 {
			if err := json.Unmarshal(r.limits, &limits); err != nil {
				return 0, fmt.Errorf("run %s: limits: %w", r.id, err)
			}
		}
		if err := t.releaseSlots(ctx, r.id, limits); err != nil {
			return 0, err
		}
	}
	return len(runs), nil
}

// ownerCheck selects run $1 if it is running under a lease of $2. In a
// read-write transaction it locks the row until commit: a takeover or a
// cancellation (an UPDATE of the row) waits for this transaction, and one
// that committed first makes the check fail. The lock is FOR NO KEY UPDATE,
// the one an UPDATE of the row takes, not FOR SHARE: two commits of one run
// (parallel steps) that check and then update it would each hold a share
// lock and wait for the other's to update — a deadlock, resolved only after
// deadlock_timeout. So the commits of one run take turns.
func (t *pgTx) ownerCheck() string {
	q := `SELECT 1 FROM $S.runs WHERE id = $1 AND status = 'running' AND lease_owner = $2`
	if !t.readOnly {
		q += ` FOR NO KEY UPDATE`
	}
	return q
}

func (t *pgTx) OwnsRun(ctx context.Context, id, owner string) (bool, error) {
	var one int
	err := t.queryRow(ctx, t.ownerCheck(), []any{id, owner}, &one)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func (t *pgTx) NextAvailable(ctx context.Context) (time.Time, bool, error) {
	var n *int64
	err := t.queryRow(ctx, `SELECT MIN(available_at) FROM $S.runs WHERE status IN ('queued', 'sleeping', 'waiting')`, nil, &n)
	if err != nil || n == nil {
		return time.Time{}, false, err
	}
	return time.Unix(0, *n), true, nil
}

const putStep = `INSERT INTO $S.steps (run_id, key, id, scope, pos, kind, status, output, error, attempts, wake_at, started_at, updated_at)
	SELECT $1, $2, $3, $4, $5::int4, $6, $7, $8::bytea, $9, $10::int4, $11::int8, $12::int8, $13::int8 %s
	ON CONFLICT (run_id, key) DO UPDATE SET status = excluded.status, output = excluded.output, error = excluded.error,
		attempts = excluded.attempts, wake_at = excluded.wake_at, updated_at = excluded.updated_at`

func stepArgs(s store.Step) []any {
	return []any{s.RunID, s.Key, s.ID, s.Scope, s.Pos, s.Kind, string(s.Status), bytesOrNil(s.Output), nullString(s.Error), s.Attempts,
		nanos(s.WakeAt), nanos(s.StartedAt), nanos(s.UpdatedAt)}
}

func (t *pgTx) PutStep(ctx context.Context, s store.Step) error {
	_, err := t.exec(ctx, fmt.Sprintf(putStep, ""), stepArgs(s)...)
	return err
}

func (t *pgTx) PutOwnedStep(ctx context.Context, s store.Step, owner string) (bool, error) {
	// The ownership check and the write in one statement; the check's row
	// lock holds until commit (see ownerCheck).
	q := `WITH owned AS (` + strings.ReplaceAll(t.ownerCheck(), "$2", "$14") + `) ` +
		fmt.Sprintf(putStep, `WHERE EXISTS (SELECT 1 FROM owned)`)
	tag, err := t.exec(ctx, q, append(stepArgs(s), owner)...)
	return tag.RowsAffected() == 1, err
}

const stepColumns = `run_id, key, id, scope, pos, kind, status, output, error, attempts, wake_at, started_at, updated_at`

func scanStep(rows pgx.Row) (store.Step, error) {
	var s store.Step
	var status string
	var errText *string
	var wake *int64
	var started, updated int64
	var output []byte
	err := rows.Scan(&s.RunID, &s.Key, &s.ID, &s.Scope, &s.Pos, &s.Kind, &status, &output, &errText, &s.Attempts, &wake, &started, &updated)
	s.Status, s.Output = store.StepStatus(status), output
	if errText != nil {
		s.Error = *errText
	}
	s.WakeAt, s.StartedAt, s.UpdatedAt = fromNanos(wake), time.Unix(0, started), time.Unix(0, updated)
	return s, err
}

func (t *pgTx) GetStep(ctx context.Context, runID, key string) (store.Step, error) {
	s, err := t.getStep(ctx, runID, key)
	if err != nil || t.readOnly || s.Status != store.StepWaiting {
		return s, err
	}
	// A waiting step read to decide whether its run may park: read it
	// again under the run's lock, which DeleteWait takes before it resolves
	// the wait. Otherwise, at READ COMMITTED, a resolution committing
	// between this read and the run's parking (which it finds still
	// running, so leaves alone) would leave the run parked past its result.
	if err := t.lockRun(ctx, runID); err != nil {
		return store.Step{}, err
	}
	return t.getStep(ctx, runID, key)
}

func (t *pgTx) getStep(ctx context.Context, runID, key string) (store.Step, error) {
	s, err := scanStep(t.row(ctx, `SELECT `+stepColumns+` FROM $S.steps WHERE run_id = $1 AND key = $2`, runID, key))
	return s, notFound(t.check(err))
}

// lockRun locks run id's row until the end of the transaction (FOR NO KEY
// UPDATE, as the ownership check does).
func (t *pgTx) lockRun(ctx context.Context, id string) error {
	_, err := t.exec(ctx, `SELECT 1 FROM $S.runs WHERE id = $1 FOR NO KEY UPDATE`, id)
	return err
}

func (t *pgTx) ListSteps(ctx context.Context, runID string) ([]store.Step, error) {
	return collect(ctx, t, `SELECT `+stepColumns+` FROM $S.steps WHERE run_id = $1 ORDER BY seq`, []any{runID},
		func(rows pgx.Rows) (store.Step, error) { return scanStep(rows) })
}

func (t *pgTx) InsertWait(ctx context.Context, w store.Wait) error {
	_, err := t.exec(ctx, `INSERT INTO $S.waits (run_id, step_key, event_name, if_expr, trigger, child_run_id, expires_at, match_path, match_key)
		VALUES ($1, $2, $3, $4, $5::bytea, $6, $7::int8, $8, $9)`,
		w.RunID, w.StepKey, w.EventName, w.If, bytesOrNil(w.Trigger), w.ChildRunID, nanos(w.ExpiresAt), w.MatchPath, w.MatchKey)
	return err
}

func (t *pgTx) DeleteWait(ctx context.Context, runID, stepKey string) (bool, error) {
	// Whoever deletes a wait resolves it: under the run's lock, so that the
	// run's owner, parking it, sees the resolution (see GetStep).
	if err := t.lockRun(ctx, runID); err != nil {
		return false, err
	}
	tag, err := t.exec(ctx, `DELETE FROM $S.waits WHERE run_id = $1 AND step_key = $2`, runID, stepKey)
	return tag.RowsAffected() == 1, err
}

func (t *pgTx) DeleteRunWaits(ctx context.Context, runID string) error {
	_, err := t.exec(ctx, `DELETE FROM $S.waits WHERE run_id = $1`, runID)
	return err
}

func (t *pgTx) queryWaits(ctx context.Context, where string, args ...any) ([]store.Wait, error) {
	return collect(ctx, t, `SELECT run_id, step_key, event_name, if_expr, trigger, child_run_id, expires_at, match_path, match_key FROM $S.waits WHERE `+where,
		args, func(rows pgx.Rows) (store.Wait, error) {
			var w store.Wait
			var exp *int64
			var trig []byte
			err := rows.Scan(&w.RunID, &w.StepKey, &w.EventName, &w.If, &trig, &w.ChildRunID, &exp, &w.MatchPath, &w.MatchKey)
			w.Trigger, w.ExpiresAt = trig, fromNanos(exp)
			return w, err
		})
}

func (t *pgTx) WaitsForEvent(ctx context.Context, name string) ([]store.Wait, error) {
	return t.queryWaits(ctx, `event_name = $1 ORDER BY run_id, step_key`, name)
}

func (t *pgTx) MatchWaits(ctx context.Context, p store.MatchWaitsParams) ([]store.Wait, error) {
	rows, err := collect(ctx, t, matchWaits+` SELECT * FROM m`, []any{p.EventName}, scanMatchRow)
	if err != nil {
		return nil, err
	}
	return t.matchedWaits(ctx, p, rows)
}

var _ store.EventMatcher = (*pgTx)(nil)

// InsertEventMatchWaits implements store.EventMatcher: the insert and the
// first query of MatchWaits in one statement, whose rows are the waits
// only if the insert stored the event.
func (t *pgTx) InsertEventMatchWaits(ctx context.Context, ev store.Event, p store.MatchWaitsParams) (bool, []store.Wait, error) {
	rows, err := collect(ctx, t, matchWaits+`, ins AS (
		INSERT INTO $S.events (id, name, ts, envelope, received_at) VALUES ($2, $1, $3::int8, $4::bytea, $5::int8)
		ON CONFLICT (id) DO NOTHING RETURNING 1)
	SELECT m.* FROM m WHERE EXISTS (SELECT 1 FROM ins)
	UNION ALL
	SELECT 'i', NULL, '', '', '', NULL, '', NULL, '', '' FROM ins`,
		[]any{ev.Name, ev.ID, ev.TS, []byte(ev.Envelope), nanos(ev.ReceivedAt)}, scanMatchRow)
	if err != nil {
		return false, nil, err
	}
	inserted := slices.ContainsFunc(rows, func(r matchRow) bool { return r.kind == "i" })
	if !inserted {
		return false, nil, nil
	}
	waits, err := t.matchedWaits(ctx, p, rows)
	return true, waits, err
}

// matchWaits defines m, the rows of the first query of MatchWaits for the
// event named $1: the unkeyed waits of the event (kind 'w'), then a row
// (kind 'p') for each distinct path its keyed waits use, found by one index
// probe each (a loose index scan), not one row per wait.
const matchWaits = `WITH RECURSIVE p(path) AS (
		SELECT MIN(match_path) FROM $S.waits WHERE event_name = $1 AND match_path > ''
		UNION ALL
		SELECT (SELECT MIN(w.match_path) FROM $S.waits w WHERE w.event_name = $1 AND w.match_path > p.path) FROM p WHERE p.path IS NOT NULL
	), m AS (
		SELECT 'w' AS kind, run_id, step_key, event_name, if_expr, trigger, child_run_id, expires_at, match_path, match_key FROM $S.waits WHERE event_name = $1 AND match_path = ''
		UNION ALL
		SELECT 'p', NULL, '', '', '', NULL, '', NULL, path, '' FROM p WHERE path IS NOT NULL
	)`

// matchRow is a row of m (see matchWaits).
type matchRow struct {
	kind string
	wait store.Wait
}

func scanMatchRow(rows pgx.Rows) (matchRow, error) {
	var r matchRow
	var runID *string
	var exp *int64
	var trig []byte
	w := &r.wait
	err := rows.Scan(&r.kind, &runID, &w.StepKey, &w.EventName, &w.If, &trig, &w.ChildRunID, &exp, &w.MatchPath, &w.MatchKey)
	if runID != nil {
		w.RunID = *runID
	}
	w.Trigger, w.ExpiresAt = trig, fromNanos(exp)
	return r, err
}

// matchedWaits completes MatchWaits from m's rows: the unkeyed waits, and
// for each path, the waits keyed on the event's value there.
func (t *pgTx) matchedWaits(ctx context.Context, p store.MatchWaitsParams, rows []matchRow) ([]store.Wait, error) {
	var out []store.Wait
	for _, r := range rows {
		switch r.kind {
		case "w":
			out = append(out, r.wait)
		case "p":
			key, ok := p.KeyOf(r.wait.MatchPath)
			if !ok {
				continue
			}
			ws, err := t.queryWaits(ctx, `event_name = $1 AND match_path = $2 AND match_key = $3`, p.EventName, r.wait.MatchPath, key)
			if err != nil {
				return nil, err
			}
			out = append(out, ws...)
		}
	}
	store.SortWaits(out)
	return out, nil
}

func (t *pgTx) WaitsForChild(ctx context.Context, childRunID string) ([]store.Wait, error) {
	return t.queryWaits(ctx, `child_run_id = $1 ORDER BY run_id, step_key`, childRunID)
}

// GetState in an Update locks the key first (see the package doc): the
// caller's read-modify-write of the value is then atomic across processes.
func (t *pgTx) GetState(ctx context.Context, key string) ([]byte, error) {
	if !t.readOnly {
		if err := t.lock(ctx, "state/"+key); err != nil {
			return nil, err
		}
	}
	var v []byte
	err := t.queryRow(ctx, `SELECT value FROM $S.state WHERE key = $1`, []any{key}, &v)
	if err == nil && v == nil {
		v = []byte{}
	}
	return v, notFound(err)
}

func (t *pgTx) PutState(ctx context.Context, key string, value []byte) error {
	if t.readOnly {
		return fmt.Errorf("postgres: PutState %q in a read-only View", key)
	}
	if err := t.lock(ctx, "state/"+key); err != nil {
		return err
	}
	if value == nil {
		// A nil []byte binds as NULL; an empty value is still a value.
		value = []byte{}
	}
	_, err := t.exec(ctx, `INSERT INTO $S.state (key, value, expires_at) VALUES ($1, $2::bytea, NULL) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = NULL`, key, value)
	return err
}

func (t *pgTx) PutExpiringState(ctx context.Context, p store.PutStateParams) error {
	if t.readOnly {
		return fmt.Errorf("postgres: PutExpiringState %q in a read-only View", p.Key)
	}
	if err := t.lock(ctx, "state/"+p.Key); err != nil {
		return err
	}
	if p.Value == nil {
		p.Value = []byte{}
	}
	_, err := t.exec(ctx, `INSERT INTO $S.state (key, value, expires_at) VALUES ($1, $2::bytea, $3::int8) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
		p.Key, p.Value, nanos(p.ExpiresAt))
	return err
}

func (t *pgTx) DeleteFinishedRuns(ctx context.Context, p store.DeleteRunsParams) (int, error) {
	if t.readOnly {
		return 0, errors.New("postgres: DeleteFinishedRuns in a read-only View")
	}
	var terminal []store.Status
	for _, st := range p.Statuses {
		if st.Terminal() {
			terminal = append(terminal, st)
		}
	}
	if len(terminal) == 0 || p.Limit <= 0 {
		return 0, nil
	}
	// Every statement of the WITH sees the same snapshot; SKIP LOCKED
	// leaves a run another process's sweep is deleting to that one.
	tag, err := t.exec(ctx, `WITH doomed AS (
		SELECT id FROM $S.runs WHERE status = ANY($1::text[]) AND ended_at < $2::int8 ORDER BY ended_at, id LIMIT $3::int4 FOR UPDATE SKIP LOCKED
	), steps AS (
		DELETE FROM $S.steps WHERE run_id IN (SELECT id FROM doomed)
	), waits AS (
		DELETE FROM $S.waits WHERE run_id IN (SELECT id FROM doomed)
	), slots AS (
		DELETE FROM $S.slots WHERE run_id IN (SELECT id FROM doomed)
	), indexed AS (
		DELETE FROM $S.run_index WHERE id IN (SELECT id FROM doomed)
	)
	DELETE FROM $S.runs WHERE id IN (SELECT id FROM doomed)`, statusStrings(terminal), nanos(p.EndedBefore), p.Limit)
	return int(tag.RowsAffected()), err
}

func (t *pgTx) DeleteEvents(ctx context.Context, p store.DeleteEventsParams) (int, error) {
	if t.readOnly {
		return 0, errors.New("postgres: DeleteEvents in a read-only View")
	}
	if p.Limit <= 0 {
		return 0, nil
	}
	tag, err := t.exec(ctx, `DELETE FROM $S.events WHERE id IN (
		SELECT id FROM $S.events WHERE received_at < $1::int8
		AND received_at < COALESCE(LEAST(
			(SELECT MIN(created_at) FROM $S.runs WHERE status NOT IN ('completed', 'failed', 'cancelled', 'skipped', 'running')),
			(SELECT MIN(created_at) FROM $S.runs WHERE status = 'running')), 9223372036854775807)
		ORDER BY received_at LIMIT $2::int4 FOR UPDATE SKIP LOCKED)`, nanos(p.ReceivedBefore), p.Limit)
	return int(tag.RowsAffected()), err
}

func (t *pgTx) DeleteExpiredState(ctx context.Context, p store.DeleteStateParams) (int, error) {
	if t.readOnly {
		return 0, errors.New("postgres: DeleteExpiredState in a read-only View")
	}
	if p.Limit <= 0 {
		return 0, nil
	}
	// An admission that took the key's lock and renewed the value since
	// the subquery looked makes the DELETE's recheck of expires_at fail:
	// the renewed value stays.
	tag, err := t.exec(ctx, `DELETE FROM $S.state WHERE key IN (
		SELECT key FROM $S.state WHERE expires_at < $1::int8 ORDER BY expires_at LIMIT $2::int4 FOR UPDATE SKIP LOCKED)
		AND expires_at < $1::int8`, nanos(p.Now), p.Limit)
	return int(tag.RowsAffected()), err
}

// Pauses and resumes of a function, and the claims that hold its runs,
// take the function's pause lock: a resume then sees every run a claim
// held, and a claim after a resume sees the function resumed.

func (t *pgTx) PauseFunction(ctx context.Context, p store.PauseParams) (bool, error) {
	if err := t.lock(ctx, "pause/"+p.FunctionID); err != nil {
		return false, err
	}
	tag, err := t.exec(ctx, `INSERT INTO $S.paused_functions (function_id, paused_at) VALUES ($1, $2::int8) ON CONFLICT DO NOTHING`,
		p.FunctionID, p.At.UnixNano())
	return tag.RowsAffected() == 1, err
}

func (t *pgTx) ResumeFunction(ctx context.Context, p store.ResumeParams) (store.ResumeResult, error) {
	var res store.ResumeResult
	if err := t.lock(ctx, "pause/"+p.FunctionID); err != nil {
		return res, err
	}
	var since int64
	err := t.queryRow(ctx, `DELETE FROM $S.paused_functions WHERE function_id = $1 RETURNING paused_at`, []any{p.FunctionID}, &since)
	if errors.Is(err, pgx.ErrNoRows) {
		return res, nil
	}
	if err != nil {
		return res, err
	}
	res.WasPaused = true
	if p.Skip {
		type skipped struct {
			id     string
			limits []byte
		}
		runs, err := collect(ctx, t, `UPDATE $S.runs SET status = 'skipped', ended_at = $1::int8, error = $2, lease_owner = NULL, lease_until = NULL, blocked_on = NULL
			FROM $S.run_index i WHERE i.id = runs.id AND i.function_id = $3 AND i.created_at >= $4::int8
			AND runs.status IN ('paused', 'queued', 'blocked') AND runs.started_at IS NULL
			RETURNING runs.id, runs.limits`, []any{p.At.UnixNano(), nullString(p.Reason), p.FunctionID, since},
			func(rows pgx.Rows) (skipped, error) {
				var s skipped
				err := rows.Scan(&s.id, &s.limits)
				return s, err
			})
		if err != nil {
			return res, err
		}
		for _, r := range runs {
			res.Skipped = append(res.Skipped, r.id)
			if len(r.limits) == 0 {
				continue
			}
			var limits []store.Limit
			if err := json.Unmarshal(r.limits, &limits); err != nil {
				return res, fmt.Errorf("run %s: limits: %w", r.id, err)
			}
			if err := t.releaseSlots(ctx, r.id, limits); err != nil {
				return res, err
			}
		}
	}
	res.Queued, err = collect(ctx, t, `UPDATE $S.runs SET status = 'queued' WHERE function_id = $1 AND status = 'paused' RETURNING id`,
		[]any{p.FunctionID}, scanText)
	if len(res.Queued) > 0 {
		t.wake = true
	}
	return res, err
}

func (t *pgTx) ListPaused(ctx context.Context) ([]store.PausedFunction, error) {
	return collect(ctx, t, `SELECT function_id, paused_at FROM $S.paused_functions ORDER BY function_id`, nil,
		func(rows pgx.Rows) (store.PausedFunction, error) {
			var p store.PausedFunction
			var at int64
			err := rows.Scan(&p.FunctionID, &at)
			p.Since = time.Unix(0, at)
			return p, err
		})
}

func (t *pgTx) InsertStartedRun(ctx context.Context, p store.StartRunParams) (bool, error) {
	r := p.Run
	var limits []byte
	if len(r.Limits) > 0 {
		limits, _ = json.Marshal(r.Limits)
	}
	// One statement: the run as given, or held (queued, never started)
	// when its function is paused.
	var status string
	err := t.queryRow(ctx, `WITH p AS (SELECT EXISTS (SELECT 1 FROM $S.paused_functions WHERE function_id = $2) AS paused), r AS (
		INSERT INTO $S.runs (`+runColumns+`, event_id) SELECT $1, $2, CASE WHEN p.paused THEN 'queued' ELSE $3 END, $4::bytea, $5::int4, $6::int8,
			CASE WHEN p.paused THEN NULL ELSE $7::int8 END, $8::int8, $9::int8,
			CASE WHEN p.paused THEN NULL ELSE $10 END, CASE WHEN p.paused THEN NULL ELSE $11::int8 END,
			$12::bytea, $13, $14, $15, CASE WHEN p.paused THEN $24::int8 ELSE $16::int8 END, $17::bytea, $18, $19::int4, $20, $21, $22, $23
		FROM p RETURNING id, function_id, created_at, event_id, status
	), indexed AS (
		`+indexRuns+`
	)
	SELECT status FROM r`,
		[]any{r.ID, r.FunctionID, string(r.Status), []byte(r.Events), r.Attempt, nanos(r.CreatedAt), nanos(r.StartedAt), nanos(r.EndedAt),
			nanos(r.AvailableAt), nullString(r.LeaseOwner), nanos(r.LeaseUntil), bytesOrNil(r.Output), nullString(r.Error),
			nullString(r.ParentRunID), nullString(r.ParentStepKey), nanos(r.Deadline), limits, nullString(r.BlockedOn), r.Interrupted,
			nullString(r.RerunOf), nullString(r.RerunFromStep), nullString(r.RerunBy), nullString(store.FirstEventID(r.Events)), nanos(p.HeldDeadline)},
		&status)
	if err != nil {
		return false, err
	}
	if status == string(r.Status) {
		return true, nil
	}
	t.wake = true
	if len(r.Limits) > 0 {
		return false, t.releaseSlots(ctx, r.ID, r.Limits)
	}
	return false, nil
}
