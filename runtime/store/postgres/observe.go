package postgres

import (
	"context"
	"time"

	"github.com/durable-go/durable/runtime/store"
	"github.com/jackc/pgx/v5"
)

var _ store.CommitObserver = (*Store)(nil)

// ObserveCommits implements store.CommitObserver: every Update is its own
// transaction, so each report counts one Update, except CommitRuns': one per
// run it commits.
func (s *Store) ObserveCommits(fn func(store.CommitStats)) {
	if fn == nil {
		s.commitObserver.Store(nil)
		return
	}
	s.commitObserver.Store(&fn)
}

// observeCommit reports a committed transaction of updates begun at start.
func (s *Store) observeCommit(start time.Time, updates int) {
	if fn := s.commitObserver.Load(); fn != nil {
		(*fn)(store.CommitStats{Updates: updates, Duration: time.Since(start)})
	}
}

var _ store.QueueInspector = (*pgTx)(nil)

// QueueStats implements store.QueueInspector with the indexes claiming
// uses: runs_claimable (partial, available_at) and runs_blocked (partial,
// blocked_on).
func (t *pgTx) QueueStats(ctx context.Context, p store.QueueStatsParams) (store.QueueStats, error) {
	var qs store.QueueStats
	var oldest *int64
	var ready int64
	if err := t.queryRow(ctx, `SELECT COUNT(*), MIN(available_at) FROM $S.runs
		WHERE status IN ('queued', 'sleeping', 'waiting') AND available_at <= $1::int8`, []any{p.Now.UnixNano()}, &ready, &oldest); err != nil {
		return qs, err
	}
	qs.Ready = int(ready)
	if oldest != nil {
		qs.OldestReady = time.Unix(0, *oldest)
	}
	keys, err := collect(ctx, t, `SELECT COALESCE(blocked_on, ''), COUNT(*) AS n FROM $S.runs WHERE status = 'blocked' GROUP BY blocked_on ORDER BY n DESC, blocked_on`, nil,
		func(rows pgx.Rows) (store.KeyCount, error) {
			var k store.KeyCount
			var n int64
			err := rows.Scan(&k.Key, &n)
			k.Runs = int(n)
			return k, err
		})
	if err != nil {
		return qs, err
	}
	for _, k := range keys {
		qs.BlockedKeys++
		qs.BlockedRuns += k.Runs
		if len(qs.Blocked) < p.MaxBlockedKeys {
			qs.Blocked = append(qs.Blocked, k)
		}
	}
	return qs, nil
}
