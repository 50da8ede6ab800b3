package storetest

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// testStepStarted: a step recorded as started (an attempt whose outcome is
// not known yet) reads back as written, is replaced by a later attempt's
// start or by its outcome, keeps its place in ListSteps, and is kept or
// dropped with the rest of its Update. The engine records the start of a
// parallel branch's step before its function runs and commits the outcome
// with a later Update, often together with another step's start.
func testStepStarted(t *testing.T, s store.Store) {
	insertRuns(t, s, leased(run("r", "", 0, 0), "me", time.Hour))
	started := func(key, scope string, attempts int) store.Step {
		return store.Step{RunID: "r", Key: key, ID: key, Scope: scope, Kind: "run", Status: store.StepStarted,
			Attempts: attempts, StartedAt: at(time.Second), UpdatedAt: at(time.Second)}
	}
	put := func(steps ...store.Step) error {
		var err error
		update(t, s, func(tx store.Tx) error {
			for _, st := range steps {
				ok, perr := tx.PutOwnedStep(ctx, st, "me")
				if perr != nil {
					return perr
				}
				if !ok {
					err = errors.New("PutOwnedStep: not recorded")
				}
			}
			return nil
		})
		return err
	}
	list := func() []store.Step {
		var out []store.Step
		view(t, s, func(tx store.Tx) error {
			var err error
			out, err = tx.ListSteps(ctx, "r")
			return err
		})
		return out
	}
	a := started(`parallel/0[0]/"a"/0`, "parallel/0[0]/", 1)
	b := started(`parallel/0[1]/"b"/0`, "parallel/0[1]/", 1)
	if err := put(a, b); err != nil {
		t.Fatal(err)
	}
	same(t, "ListSteps of started steps", list(), []store.Step{a, b})

	// a's outcome goes with the start of c; b is attempted again.
	aDone := a
	aDone.Status, aDone.Output, aDone.UpdatedAt = store.StepCompleted, json.RawMessage(`1`), at(2*time.Second)
	c := started(`parallel/0[0]/"c"/0`, "parallel/0[0]/", 1)
	b2 := b
	b2.Attempts, b2.UpdatedAt = 2, at(3*time.Second)
	if err := put(aDone, c, b2); err != nil {
		t.Fatal(err)
	}
	same(t, "ListSteps after outcomes and restarts", list(), []store.Step{aDone, b2, c})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetStep(ctx, "r", b.Key)
		same(t, "GetStep of a restarted step", norm(got), norm(b2))
		return err
	})

	// An Update that fails keeps neither the outcome nor the start.
	cDone := c
	cDone.Status, cDone.Output = store.StepCompleted, json.RawMessage(`2`)
	d := started(`"d"/0`, "", 1)
	errFail := errors.New("fail")
	err := s.Update(ctx, func(tx store.Tx) error {
		for _, st := range []store.Step{cDone, d} {
			if _, err := tx.PutOwnedStep(ctx, st, "me"); err != nil {
				return err
			}
		}
		return errFail
	})
	if !errors.Is(err, errFail) {
		t.Fatalf("Update = %v, want its function's error", err)
	}
	same(t, "ListSteps after a failed Update", list(), []store.Step{aDone, b2, c})
}

// testReleaseOwnRun: what the engine does with a run it gave up after a
// failed commit. An UpdateRun conditioned on the owner and on running
// requeues the run, drops its lease (RenewLeases renews it no more), sets
// its interruption count, and hands its slot to the run blocked on the
// key; the same UpdateRun by another owner, or once the run is no longer
// running, changes nothing.
func testReleaseOwnRun(t *testing.T, s store.Store) {
	k := store.Limit{Key: "k", Limit: 1}
	insertRuns(t, s, limited("held", 1, k), limited("waiting", 2, k), limited("other", 3))
	if got := claim(t, s, "me", at(time.Hour), 10); !slices.Equal(got, []string{"held", "other"}) {
		t.Fatalf("claimed %v, want [held other]", got)
	}
	if r := getRun(t, s, "waiting"); r.Status != store.StatusBlocked {
		t.Fatalf("waiting: %s, want blocked", r.Status)
	}
	release := func(owner string) bool {
		var ok bool
		update(t, s, func(tx store.Tx) error {
			var err error
			ok, err = tx.UpdateRun(ctx, "held", store.RunCond{Owner: owner, Statuses: []store.Status{store.StatusRunning}},
				store.RunUpdate{Status: ptr(store.StatusQueued), AvailableAt: ptr(at(2 * time.Hour)), ClearLease: true, Interrupted: ptr(1)})
			return err
		})
		return ok
	}
	if release("them") {
		t.Errorf("release by another owner: done, want nothing")
	}
	if !release("me") {
		t.Fatalf("release by the owner: nothing done")
	}
	if release("me") {
		t.Errorf("second release: done, want nothing (the run is no longer running)")
	}
	r := getRun(t, s, "held")
	if r.Status != store.StatusQueued || r.LeaseOwner != "" || !r.LeaseUntil.IsZero() || r.Interrupted != 1 || !r.AvailableAt.Equal(at(2*time.Hour)) {
		t.Errorf("released run: %s, lease %q until %v, interrupted %d, available %v; want queued, no lease, 1, %v",
			r.Status, r.LeaseOwner, r.LeaseUntil, r.Interrupted, r.AvailableAt, at(2*time.Hour))
	}
	if w := getRun(t, s, "waiting"); w.Status != store.StatusQueued {
		t.Errorf("run blocked on the released slot: %s, want queued", w.Status)
	}
	var renewed int
	update(t, s, func(tx store.Tx) error {
		var err error
		renewed, err = tx.RenewLeases(ctx, "me", at(3*time.Hour))
		return err
	})
	if renewed != 1 {
		t.Errorf("RenewLeases renewed %d leases, want 1 (other's; not the released run's)", renewed)
	}
	if r := getRun(t, s, "held"); r.LeaseOwner != "" || !r.LeaseUntil.IsZero() {
		t.Errorf("released run after RenewLeases: lease %q until %v, want none", r.LeaseOwner, r.LeaseUntil)
	}
	// The slot went to "waiting": "held" is blocked when it is due again.
	if got := claim(t, s, "me", at(3*time.Hour), 10); !slices.Equal(got, []string{"waiting"}) {
		t.Errorf("claimed %v, want [waiting] (it holds the slot)", got)
	}
	if r := getRun(t, s, "held"); r.Status != store.StatusBlocked {
		t.Errorf("held: %s, want blocked behind waiting", r.Status)
	}
}
