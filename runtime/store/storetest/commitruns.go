package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// testCommitRuns: a store that implements RunCommitter applies each
// commit of a batch on its own: all of it when its run is running under
// the owner's lease, none of it otherwise (another owner, a run no longer
// running, an end of a run with limits); steps are written as PutStep
// writes them, keeping the order they were first recorded in.
func testCommitRuns(t *testing.T, s store.Store) {
	rc := optional[store.RunCommitter](t, s)
	step := func(runID, key string, pos int, status store.StepStatus) store.Step {
		return store.Step{RunID: runID, Key: key, ID: key, Pos: pos, Kind: "run", Status: status,
			Output: json.RawMessage(`"` + runID + key + `"`), Attempts: 1, StartedAt: at(time.Duration(pos) + 1), UpdatedAt: at(time.Duration(pos) + 2)}
	}
	mine := func(id string) store.Run {
		r := leased(run(id, store.StatusQueued, 0, 0), "w", time.Hour)
		r.Interrupted = 2
		r.Deadline = at(time.Hour)
		return r
	}
	theirs := leased(run("theirs", store.StatusQueued, 0, 0), "other", time.Hour)
	queued := run("queued", store.StatusQueued, 0, 0)
	limitedRun := leased(limited("limited", 0, store.Limit{Key: "k", Limit: 1}), "w", time.Hour)
	insertRuns(t, s, mine("flush"), mine("start"), mine("startnodeadline"), mine("clear"), mine("end"), mine("upsert"), theirs, queued, limitedRun)
	// A step recorded before the batch, replaced by it: it keeps its place.
	update(t, s, func(tx store.Tx) error {
		return tx.PutStep(ctx, step("upsert", `"a"/0`, 0, store.StepStarted))
	})

	cases := []struct {
		commit  store.RunCommit
		applied bool
		// want is the run after the commit, wantSteps its journal.
		want      func(r store.Run) store.Run
		wantSteps []store.Step
	}{
		{
			commit:    store.RunCommit{RunID: "flush", Steps: []store.Step{step("flush", `"b"/0`, 0, store.StepCompleted), step("flush", `"a"/0`, 1, store.StepCompleted)}},
			applied:   true,
			want:      func(r store.Run) store.Run { return r },
			wantSteps: []store.Step{step("flush", `"b"/0`, 0, store.StepCompleted), step("flush", `"a"/0`, 1, store.StepCompleted)},
		},
		{
			commit:  store.RunCommit{RunID: "start", Start: &store.RunStart{StartedAt: at(5), Deadline: at(2 * time.Hour)}},
			applied: true,
			want: func(r store.Run) store.Run {
				r.StartedAt, r.Deadline = at(5), at(2*time.Hour)
				return r
			},
		},
		{
			commit:  store.RunCommit{RunID: "startnodeadline", Start: &store.RunStart{StartedAt: at(5)}},
			applied: true,
			want: func(r store.Run) store.Run {
				r.StartedAt, r.Deadline = at(5), time.Time{}
				return r
			},
		},
		{
			commit:  store.RunCommit{RunID: "clear", ClearInterrupted: true},
			applied: true,
			want: func(r store.Run) store.Run {
				r.Interrupted = 0
				return r
			},
		},
		{
			commit: store.RunCommit{RunID: "end", Steps: []store.Step{step("end", `"a"/0`, 0, store.StepCompleted)},
				End: &store.RunEnd{Status: store.StatusCompleted, EndedAt: at(9), Output: json.RawMessage(`{"ok":true}`)}},
			applied: true,
			want: func(r store.Run) store.Run {
				r.Status, r.EndedAt, r.Output, r.LeaseOwner, r.LeaseUntil = store.StatusCompleted, at(9), json.RawMessage(`{"ok":true}`), "", time.Time{}
				return r
			},
			wantSteps: []store.Step{step("end", `"a"/0`, 0, store.StepCompleted)},
		},
		{
			commit:    store.RunCommit{RunID: "upsert", Steps: []store.Step{step("upsert", `"b"/0`, 1, store.StepCompleted), step("upsert", `"a"/0`, 0, store.StepCompleted)}},
			applied:   true,
			want:      func(r store.Run) store.Run { return r },
			wantSteps: []store.Step{step("upsert", `"a"/0`, 0, store.StepCompleted), step("upsert", `"b"/0`, 1, store.StepCompleted)},
		},
		{
			commit: store.RunCommit{RunID: "theirs", Steps: []store.Step{step("theirs", `"a"/0`, 0, store.StepCompleted)},
				Start: &store.RunStart{StartedAt: at(5)}, End: &store.RunEnd{Status: store.StatusCompleted, EndedAt: at(9)}},
			want: func(r store.Run) store.Run { return r },
		},
		{
			commit: store.RunCommit{RunID: "queued", Steps: []store.Step{step("queued", `"a"/0`, 0, store.StepCompleted)}, ClearInterrupted: true},
			want:   func(r store.Run) store.Run { return r },
		},
		{
			commit: store.RunCommit{RunID: "limited", Steps: []store.Step{step("limited", `"a"/0`, 0, store.StepCompleted)},
				End: &store.RunEnd{Status: store.StatusCompleted, EndedAt: at(9)}},
			want: func(r store.Run) store.Run { return r },
		},
	}
	before := map[string]store.Run{}
	var commits []store.RunCommit
	for _, c := range cases {
		before[c.commit.RunID] = getRun(t, s, c.commit.RunID)
		commits = append(commits, c.commit)
	}
	applied, err := rc.CommitRuns(ctx, "w", commits)
	if err != nil {
		t.Fatalf("CommitRuns: %v", err)
	}
	if len(applied) != len(commits) {
		t.Fatalf("CommitRuns reported %d results for %d commits", len(applied), len(commits))
	}
	for i, c := range cases {
		id := c.commit.RunID
		if applied[i] != c.applied {
			t.Errorf("run %s: applied = %v, want %v", id, applied[i], c.applied)
		}
		same(t, "run "+id, getRun(t, s, id), c.want(before[id]))
		var steps []store.Step
		view(t, s, func(tx store.Tx) error {
			var err error
			steps, err = tx.ListSteps(ctx, id)
			return err
		})
		want := c.wantSteps
		if id == "upsert" && !c.applied {
			want = []store.Step{step("upsert", `"a"/0`, 0, store.StepStarted)}
		}
		same(t, "steps of "+id, steps, want)
	}

	if applied, err := rc.CommitRuns(ctx, "w", nil); err != nil || len(applied) != 0 {
		t.Errorf("CommitRuns of no commits = %v, %v; want nothing, no error", applied, err)
	}
}
