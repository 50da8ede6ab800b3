package postgres

import (
	"context"
	"fmt"

	"github.com/durable-go/durable/runtime/store"
)

var _ store.RunClaimer = (*Store)(nil)

// ClaimRunBatch implements store.RunClaimer. The runs that need no decision
// of their own (no limits, their function not paused), which is most runs,
// are claimed by claimFree alone in its own implicit transaction: one round
// trip, with no BEGIN and no COMMIT. That statement locks the other
// candidates only while it runs: a transaction of the usual claim (Update,
// ClaimRunsWithJournals) then finds them again and decides them under
// their keys' locks. The journals of the runs claimed first are read after
// their claim committed: leased to p.Owner, their steps are written by no
// one else meanwhile (every write of a run's steps checks its lease).
func (s *Store) ClaimRunBatch(ctx context.Context, p store.ClaimParams) ([]store.ClaimedRun, error) {
	if p.Limit <= 0 {
		return nil, nil
	}
	t := &pgTx{s: s, db: s.pool}
	var candidates []*claimCandidate
	err := s.retry(ctx, func() error {
		var err error
		candidates, err = collect(ctx, t, claimFree, []any{p.Now.UnixNano(), p.Limit, p.Owner, nanos(p.LeaseUntil)}, newCandidateScanner())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: claim runs: %w", err)
	}
	out := make([]store.ClaimedRun, 0, len(candidates))
	undecided := false
	for _, c := range candidates {
		if !c.claimed {
			undecided = true
			continue
		}
		r := c.run
		r.Status, r.LeaseOwner, r.LeaseUntil = store.StatusRunning, p.Owner, p.LeaseUntil
		out = append(out, store.ClaimedRun{Run: r})
	}
	// Journals not read here are read by the engine, run by run: a failure
	// costs round trips, not correctness.
	_ = s.retry(ctx, func() error { return t.readJournals(ctx, out) })
	if !undecided || len(out) == p.Limit {
		return out, nil
	}
	rest := p
	rest.Limit -= len(out)
	var decided []store.ClaimedRun
	err = s.Update(ctx, func(tx store.Tx) error {
		var err error
		decided, err = tx.(store.JournalClaimer).ClaimRunsWithJournals(ctx, rest)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("postgres: claim runs with limits or paused: %w", err)
	}
	return append(out, decided...), nil
}
