package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

var _ store.CommitObserver = (*Store)(nil)

// ObserveCommits implements store.CommitObserver: fn is called by the
// writer goroutine after each commit, with the Updates of its group.
func (s *Store) ObserveCommits(fn func(store.CommitStats)) {
	if fn == nil {
		s.commitObserver.Store(nil)
		return
	}
	s.commitObserver.Store(&fn)
}

// observeCommit reports a committed group begun at start; errs are the
// outcomes of its Updates (those that failed were rolled back).
func (s *Store) observeCommit(errs []error, start time.Time) {
	fn := s.commitObserver.Load()
	if fn == nil {
		return
	}
	n := 0
	for _, err := range errs {
		if err == nil {
			n++
		}
	}
	(*fn)(store.CommitStats{Updates: n, Duration: time.Since(start)})
}

var _ store.QueueInspector = (*sqlTx)(nil)

// QueueStats implements store.QueueInspector with the indexes claiming
// uses: runs_claimable (partial, available_at) and runs_blocked (partial,
// blocked_on).
func (t *sqlTx) QueueStats(ctx context.Context, p store.QueueStatsParams) (store.QueueStats, error) {
	var qs store.QueueStats
	var oldest sql.NullInt64
	if err := t.queryRow(ctx, `SELECT COUNT(*), MIN(available_at) FROM runs
		WHERE status IN ('queued', 'sleeping', 'waiting') AND available_at <= ?`, p.Now.UnixNano()).Scan(&qs.Ready, &oldest); err != nil {
		return qs, err
	}
	if oldest.Valid {
		qs.OldestReady = time.Unix(0, oldest.Int64)
	}
	rows, err := t.query(ctx, `SELECT blocked_on, COUNT(*) AS n FROM runs WHERE status = 'blocked' GROUP BY blocked_on ORDER BY n DESC, blocked_on`)
	if err != nil {
		return qs, err
	}
	defer rows.Close()
	for rows.Next() {
		var k store.KeyCount
		var key sql.NullString
		if err := rows.Scan(&key, &k.Runs); err != nil {
			return qs, err
		}
		k.Key = key.String
		qs.BlockedKeys++
		qs.BlockedRuns += k.Runs
		if len(qs.Blocked) < p.MaxBlockedKeys {
			qs.Blocked = append(qs.Blocked, k)
		}
	}
	return qs, rows.Err()
}
