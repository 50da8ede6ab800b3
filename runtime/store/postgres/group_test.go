package postgres

import (
	"errors"
	"testing"

	"github.com/durable-go/durable/runtime/store"
)

// TestGroupRollbackForgetsLocks: an Update of a group that fails is rolled
// back to its savepoint, which releases the advisory locks it took; the
// next Update of the group that needs one of them must take it again, not
// trust the transaction's record of held locks.
func TestGroupRollbackForgetsLocks(t *testing.T) {
	s := openTest(t)
	errFail := errors.New("fail")
	var held int
	run := func(fn func(store.Tx) error) *queuedUpdate {
		return &queuedUpdate{ctx: ctx, fn: fn, done: make(chan struct{})}
	}
	qs := []*queuedUpdate{
		run(func(tx store.Tx) error {
			if err := tx.(*pgTx).lock(ctx, "slot/k"); err != nil {
				return err
			}
			return errFail
		}),
		run(func(tx store.Tx) error {
			pt := tx.(*pgTx)
			if err := pt.lock(ctx, "slot/k"); err != nil {
				return err
			}
			return pt.queryRow(ctx, `SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
				AND classid::int4 = $1 AND objid::int4 = $2 AND objsubid = 2 AND granted`,
				[]any{s.lockSpace, hash32("slot/k")}, &held)
		}),
	}
	if again, abort := s.runGroupOnce(qs); len(again) > 0 {
		t.Fatalf("the group was aborted: %v", abort)
	}
	if err := qs[0].err; !errors.Is(err, errFail) {
		t.Errorf("first Update: %v, want its error", err)
	}
	if err := qs[1].err; err != nil {
		t.Fatalf("second Update: %v", err)
	}
	if held != 1 {
		t.Errorf("the second Update holds the lock %d times, want 1 (taken again after the first's rollback released it)", held)
	}
}
