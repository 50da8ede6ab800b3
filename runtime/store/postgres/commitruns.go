package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/durable-go/durable/runtime/store"
	"github.com/jackc/pgx/v5/pgtype"
)

var _ store.RunCommitter = (*Store)(nil)

// commitRuns is CommitRuns' statement: the runs' changes and their steps as
// arrays, one row per run and per step. Updating a run's row is its fence:
// UPDATE re-checks status and owner on the newest version of the row after
// waiting for a concurrent writer, and the steps are written only for the
// runs it updated. One statement is one implicit transaction: no BEGIN, no
// COMMIT, one round trip for every run of the batch.
const commitRuns = `WITH c AS (
	SELECT * FROM unnest($2::text[], $3::bool[], $4::int8[], $5::int8[], $6::bool[], $7::text[], $8::int8[], $9::bytea[], $10::text[])
		AS c(run_id, start, started_at, deadline, clear_interrupted, end_status, ended_at, output, error)
), upd AS (
	UPDATE $S.runs r SET
		started_at = CASE WHEN c.start THEN c.started_at ELSE r.started_at END,
		deadline = CASE WHEN c.start THEN c.deadline ELSE r.deadline END,
		interrupted = CASE WHEN c.clear_interrupted THEN 0 ELSE r.interrupted END,
		status = COALESCE(c.end_status, r.status),
		ended_at = CASE WHEN c.end_status IS NULL THEN r.ended_at ELSE c.ended_at END,
		output = CASE WHEN c.end_status IS NULL THEN r.output ELSE COALESCE(c.output, r.output) END,
		error = CASE WHEN c.end_status IS NULL THEN r.error ELSE c.error END,
		lease_owner = CASE WHEN c.end_status IS NULL THEN r.lease_owner END,
		lease_until = CASE WHEN c.end_status IS NULL THEN r.lease_until END,
		blocked_on = CASE WHEN c.end_status IS NULL THEN r.blocked_on END
	FROM c
	WHERE r.id = c.run_id AND r.status = 'running' AND r.lease_owner = $1
		AND (c.end_status IS NULL OR r.limits IS NULL)
	RETURNING r.id
), s AS (
	INSERT INTO $S.steps (run_id, key, id, scope, pos, kind, status, output, error, attempts, wake_at, started_at, updated_at)
	SELECT s.run_id, s.key, s.id, s.scope, s.pos, s.kind, s.status, s.output, s.error, s.attempts, s.wake_at, s.started_at, s.updated_at
	FROM unnest($11::text[], $12::text[], $13::text[], $14::text[], $15::int4[], $16::text[], $17::text[], $18::bytea[], $19::text[], $20::int4[], $21::int8[], $22::int8[], $23::int8[])
		WITH ORDINALITY AS s(run_id, key, id, scope, pos, kind, status, output, error, attempts, wake_at, started_at, updated_at, ord)
	WHERE s.run_id IN (SELECT id FROM upd)
	ORDER BY s.ord
	ON CONFLICT (run_id, key) DO UPDATE SET status = excluded.status, output = excluded.output, error = excluded.error,
		attempts = excluded.attempts, wake_at = excluded.wake_at, updated_at = excluded.updated_at
)
SELECT id FROM upd`

// CommitRuns implements store.RunCommitter in one statement, again if
// PostgreSQL aborts it for a deadlock (nothing of it is then kept).
func (s *Store) CommitRuns(ctx context.Context, owner string, commits []store.RunCommit) ([]bool, error) {
	if len(commits) == 0 {
		return nil, nil
	}
	// Runs in ID order, so that two statements locking some of the same
	// rows lock them in one order.
	order := make([]int, len(commits))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(commits[a].RunID, commits[b].RunID) })
	var (
		ids                            = make([]string, len(commits))
		starts, clears                 = make([]bool, len(commits)), make([]bool, len(commits))
		startedAt, deadlines, endedAts = make([]pgtype.Int8, len(commits)), make([]pgtype.Int8, len(commits)), make([]pgtype.Int8, len(commits))
		endStatuses, errs              = make([]pgtype.Text, len(commits)), make([]pgtype.Text, len(commits))
		outputs                        = make([][]byte, len(commits))
	)
	n := 0
	for _, c := range commits {
		n += len(c.Steps)
	}
	steps := newStepColumnsArrays(n)
	for j, i := range order {
		c := commits[i]
		ids[j], clears[j] = c.RunID, c.ClearInterrupted
		if c.Start != nil {
			starts[j], startedAt[j], deadlines[j] = true, int8Nanos(c.Start.StartedAt), int8Nanos(c.Start.Deadline)
		}
		if e := c.End; e != nil {
			endStatuses[j] = pgtype.Text{String: string(e.Status), Valid: true}
			endedAts[j], outputs[j], errs[j] = int8Nanos(e.EndedAt), bytesOrNil(e.Output), nullText(e.Error)
		}
		for _, st := range c.Steps {
			steps.add(st)
		}
	}
	args := append([]any{owner, ids, starts, startedAt, deadlines, clears, endStatuses, endedAts, outputs, errs}, steps.args()...)
	start := time.Now()
	var done map[string]bool
	err := s.retry(ctx, func() error {
		rows, err := s.pool.Query(ctx, s.sql(commitRuns), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		done = make(map[string]bool, len(commits))
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			done[id] = true
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: commit runs: %w", err)
	}
	s.observeCommit(start, len(commits))
	applied := make([]bool, len(commits))
	for i, c := range commits {
		applied[i] = done[c.RunID]
	}
	return applied, nil
}

// stepColumnsArrays holds steps column by column, as unnest reads them.
type stepColumnsArrays struct {
	runIDs, keys, ids, scopes, kinds, statuses []string
	pos, attempts                              []int32
	outputs                                    [][]byte
	errs                                       []pgtype.Text
	wakeAts, startedAts, updatedAts            []pgtype.Int8
}

func newStepColumnsArrays(n int) *stepColumnsArrays {
	return &stepColumnsArrays{
		runIDs: make([]string, 0, n), keys: make([]string, 0, n), ids: make([]string, 0, n), scopes: make([]string, 0, n),
		kinds: make([]string, 0, n), statuses: make([]string, 0, n), pos: make([]int32, 0, n), attempts: make([]int32, 0, n),
		outputs: make([][]byte, 0, n), errs: make([]pgtype.Text, 0, n),
		wakeAts: make([]pgtype.Int8, 0, n), startedAts: make([]pgtype.Int8, 0, n), updatedAts: make([]pgtype.Int8, 0, n),
	}
}

func (a *stepColumnsArrays) add(s store.Step) {
	a.runIDs, a.keys, a.ids, a.scopes = append(a.runIDs, s.RunID), append(a.keys, s.Key), append(a.ids, s.ID), append(a.scopes, s.Scope)
	a.pos, a.kinds, a.statuses = append(a.pos, int32(s.Pos)), append(a.kinds, s.Kind), append(a.statuses, string(s.Status))
	a.outputs, a.errs, a.attempts = append(a.outputs, bytesOrNil(s.Output)), append(a.errs, nullText(s.Error)), append(a.attempts, int32(s.Attempts))
	a.wakeAts, a.startedAts, a.updatedAts = append(a.wakeAts, int8Nanos(s.WakeAt)), append(a.startedAts, int8Nanos(s.StartedAt)), append(a.updatedAts, int8Nanos(s.UpdatedAt))
}

// args are the arrays in the order of commitRuns' $11 to $23. An empty
// array is sent as one, not as NULL, so that unnest reads no row.
func (a *stepColumnsArrays) args() []any {
	return []any{orEmpty(a.runIDs), orEmpty(a.keys), orEmpty(a.ids), orEmpty(a.scopes), orEmpty(a.pos), orEmpty(a.kinds), orEmpty(a.statuses),
		orEmpty(a.outputs), orEmpty(a.errs), orEmpty(a.attempts), orEmpty(a.wakeAts), orEmpty(a.startedAts), orEmpty(a.updatedAts)}
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
