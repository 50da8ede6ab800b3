package storetest

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// testClaimRunsWithJournals: a store that implements JournalClaimer claims
// as ClaimRuns does (the same runs, in the same order, limits and all) and
// returns each claimed run's steps as ListSteps would, none of another run.
func testClaimRunsWithJournals(t *testing.T, s store.Store) {
	var jc bool
	view(t, s, func(tx store.Tx) error {
		_, jc = tx.(store.JournalClaimer)
		return nil
	})
	if !jc {
		t.Skip("the store's Tx does not implement store.JournalClaimer")
	}
	checkJournalClaim(t, s, func(p store.ClaimParams) []store.ClaimedRun {
		var got []store.ClaimedRun
		update(t, s, func(tx store.Tx) error {
			var err error
			got, err = tx.(store.JournalClaimer).ClaimRunsWithJournals(ctx, p)
			return err
		})
		return got
	})
}

// testClaimRunBatch: a store that implements RunClaimer claims as
// ClaimRunsWithJournals does, the runs with limits or of a paused function
// included.
func testClaimRunBatch(t *testing.T, s store.Store) {
	rc, ok := s.(store.RunClaimer)
	if !ok {
		t.Skip("the store does not implement store.RunClaimer")
	}
	checkJournalClaim(t, s, func(p store.ClaimParams) []store.ClaimedRun {
		got, err := rc.ClaimRunBatch(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return got
	})
}

// checkJournalClaim checks a claim that returns journals, made by claim.
func checkJournalClaim(t *testing.T, s store.Store, claim func(store.ClaimParams) []store.ClaimedRun) {
	journalStep := func(runID, key string, pos int) store.Step {
		return store.Step{RunID: runID, Key: key, ID: key, Pos: pos, Kind: "run", Status: store.StepCompleted,
			Output: json.RawMessage(`"` + runID + key + `"`), Attempts: 1, StartedAt: at(time.Duration(pos) + 1), UpdatedAt: at(time.Duration(pos) + 2)}
	}
	started := func(r store.Run, status store.Status) store.Run {
		r.Status, r.StartedAt = status, at(0)
		return r
	}
	k1 := store.Limit{Key: "k", Limit: 1}
	rerun := run("rerun", store.StatusQueued, 0, 3)
	rerun.RerunFromStep = `"b"/0`
	retried := started(run("retried", store.StatusQueued, 0, 3), store.StatusQueued)
	retried.Attempt = 1
	cases := []struct {
		run     store.Run
		steps   []store.Step // in the order they are recorded
		claimed bool
	}{
		{run: run("fresh", store.StatusQueued, 0, 1), claimed: true},
		{run: started(run("woken", store.StatusSleeping, 0, 2), store.StatusSleeping),
			steps: []store.Step{journalStep("woken", `"b"/0`, 0), journalStep("woken", `"a"/0`, 1)}, claimed: true},
		{run: rerun, steps: []store.Step{journalStep("rerun", `"a"/0`, 0)}, claimed: true},
		// Started, no step recorded yet: an empty journal, read.
		{run: retried, claimed: true},
		{run: started(limited("limited", 4, k1), store.StatusWaiting), steps: []store.Step{journalStep("limited", `"w"/0`, 0)}, claimed: true},
		{run: started(limited("blocked", 5, k1), store.StatusSleeping), steps: []store.Step{journalStep("blocked", `"s"/0`, 0)}},
		{run: started(run("notdue", store.StatusSleeping, 0, 2*time.Hour), store.StatusSleeping), steps: []store.Step{journalStep("notdue", `"s"/0`, 0)}},
	}
	var want []string
	for _, c := range cases {
		insertRuns(t, s, c.run)
		update(t, s, func(tx store.Tx) error {
			for _, st := range c.steps {
				if err := tx.PutStep(ctx, st); err != nil {
					return err
				}
			}
			return nil
		})
		if c.claimed {
			want = append(want, c.run.ID)
		}
	}
	now := at(time.Hour)
	got := claim(store.ClaimParams{Owner: "w", Now: now, LeaseUntil: now.Add(time.Minute), Limit: 10})
	var gotIDs []string
	for _, c := range got {
		gotIDs = append(gotIDs, c.Run.ID)
	}
	if !slices.Equal(gotIDs, want) {
		t.Fatalf("claimed %v, want %v", gotIDs, want)
	}
	journals := map[string][]store.Step{}
	for _, c := range cases {
		journals[c.run.ID] = c.steps
	}
	for i, c := range got {
		if c.Run.Status != store.StatusRunning || c.Run.LeaseOwner != "w" || !c.Run.LeaseUntil.Equal(now.Add(time.Minute)) {
			t.Errorf("claimed run %d (%s): status %s, lease %q until %v; want running, leased to w until %v",
				i, c.Run.ID, c.Run.Status, c.Run.LeaseOwner, c.Run.LeaseUntil, now.Add(time.Minute))
		}
		same(t, "claimed run "+c.Run.ID, c.Run, getRun(t, s, c.Run.ID))
		if !store.FreshJournal(c.Run) && c.Steps == nil {
			t.Errorf("run %s: journal not read (nil), want it read", c.Run.ID)
		}
		if len(journals[c.Run.ID]) == 0 {
			if len(c.Steps) != 0 {
				t.Errorf("run %s: journal %v, want none", c.Run.ID, c.Steps)
			}
			continue
		}
		same(t, "journal of "+c.Run.ID, c.Steps, journals[c.Run.ID])
	}
	if r := getRun(t, s, "blocked"); r.Status != store.StatusBlocked || r.BlockedOn != "k" {
		t.Errorf("run blocked: status %s on %q, want blocked on k", r.Status, r.BlockedOn)
	}
	// Nothing more is due.
	if got = claim(store.ClaimParams{Owner: "w", Now: now, LeaseUntil: now.Add(time.Minute), Limit: 10}); len(got) != 0 {
		t.Errorf("second claim: %d runs, want none", len(got))
	}
}
