package postgres

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
	"github.com/jackc/pgx/v5"
)

// roundTrips is a pgx tracer that counts round trips: statements sent
// alone, and batches. The notifier's NOTIFY, sent in the background after
// a commit that made work claimable (the tests' setup), is not part of
// the transaction measured and would land in its window at random.
type roundTrips struct{ n atomic.Int64 }

func (c *roundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, q pgx.TraceQueryStartData) context.Context {
	if !strings.HasPrefix(q.SQL, "SELECT pg_notify(") {
		c.n.Add(1)
	}
	return ctx
}

func (c *roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *roundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *roundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (c *roundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// TestRoundTrips: BEGIN shares the round trip of a transaction's first
// statement (the simple protocol aside), a transaction that sends nothing
// costs nothing, and what the first statement returns, rows or an error,
// still reaches the caller.
func TestRoundTrips(t *testing.T) {
	now := time.Unix(1700000000, 0)
	queued := store.Run{ID: "r1", FunctionID: "f", Status: store.StatusQueued, Events: []byte(`[]`), CreatedAt: now, AvailableAt: now}
	for _, tc := range []struct {
		name   string
		simple bool
		view   bool
		fn     func(store.Tx) error
		want   int64
	}{
		{"empty update", false, false, func(store.Tx) error { return nil }, 0},
		{"empty view", false, true, func(store.Tx) error { return nil }, 0},
		{"update of one statement", false, false, func(tx store.Tx) error {
			_, err := tx.InsertEvent(ctx, store.Event{ID: "e1", Name: "a", Envelope: []byte(`{}`), ReceivedAt: now})
			return err
		}, 2},
		{"update of two statements", false, false, func(tx store.Tx) error {
			if _, err := tx.InsertEvent(ctx, store.Event{ID: "e2", Name: "a", Envelope: []byte(`{}`), ReceivedAt: now}); err != nil {
				return err
			}
			r := queued
			r.ID = "r2"
			return tx.InsertRun(ctx, r)
		}, 3},
		{"view reading a row", false, true, func(tx store.Tx) error {
			r, err := tx.GetRun(ctx, "r1")
			if err == nil && r.FunctionID != "f" {
				err = errors.New("GetRun read function " + r.FunctionID)
			}
			return err
		}, 2},
		{"view reading rows", false, true, func(tx store.Tx) error {
			runs, err := tx.ListRuns(ctx, store.RunFilter{})
			if err == nil && len(runs) != 1 {
				err = errors.New("ListRuns did not read the one run")
			}
			return err
		}, 2},
		{"view missing a row", false, true, func(tx store.Tx) error {
			if _, err := tx.GetRun(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
				return errors.New("GetRun of a missing run: want ErrNotFound")
			}
			return nil
		}, 2},
		{"simple protocol update of one statement", true, false, func(tx store.Tx) error {
			_, err := tx.InsertEvent(ctx, store.Event{ID: "e3", Name: "a", Envelope: []byte(`{}`), ReceivedAt: now})
			return err
		}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var count roundTrips
			opts := []Option{QueryTracer(&count)}
			if tc.simple {
				opts = append(opts, SimpleProtocol())
			}
			s := openTest(t, opts...)
			if err := s.Update(ctx, func(tx store.Tx) error { return tx.InsertRun(ctx, queued) }); err != nil {
				t.Fatal(err)
			}
			run := s.Update
			if tc.view {
				run = s.View
			}
			from := count.n.Load()
			if err := run(ctx, tc.fn); err != nil {
				t.Fatal(err)
			}
			if got := count.n.Load() - from; got != tc.want {
				t.Errorf("%d round trips, want %d", got, tc.want)
			}
		})
	}
}

// TestFailedFirstStatementRollsBack: a transaction whose first statement
// (sent with BEGIN) fails commits nothing, even if fn carries on.
func TestFailedFirstStatementRollsBack(t *testing.T) {
	s := openTest(t)
	now := time.Unix(1700000000, 0)
	run := store.Run{ID: "r1", FunctionID: "f", Status: store.StatusQueued, Events: []byte(`[]`), CreatedAt: now, AvailableAt: now}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.InsertRun(ctx, run) }); err != nil {
		t.Fatal(err)
	}
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.InsertRun(ctx, run); err == nil {
			t.Error("inserting run r1 twice: no error")
		}
		tx.InsertEvent(ctx, store.Event{ID: "e1", Name: "a", Envelope: []byte(`{}`), ReceivedAt: now})
		return nil
	})
	if err == nil {
		t.Error("Update that went on after a failed statement: committed")
	}
	err = s.View(ctx, func(tx store.Tx) error {
		_, err := tx.GetEvent(ctx, "e1")
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("event written after the failed statement: GetEvent = %v, want ErrNotFound", err)
	}
}
