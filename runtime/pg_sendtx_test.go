package runtime_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store"
)

// TestPGSendTx: events sent in the application's own transaction exist,
// with their runs, if and only if it commits; a committed one wakes
// another process's engine, whose poll interval is far longer than the
// test waits, so only the NOTIFY of the commit can wake it.
func TestPGSendTx(t *testing.T) {
	schema := pgSchema(t)
	senderStore, workerStore := openPG(t, schema), openPG(t, schema)
	ctx := context.Background()
	if _, err := senderStore.Pool().Exec(ctx, `CREATE TABLE `+schema+`.orders (id text PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	ran := make(chan string, 4)
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "outbox"}, runtime.EventTrigger("outbox/order.placed", ""),
		func(ctx context.Context, in runtime.Input[map[string]string]) (any, error) {
			return step.Run(ctx, "ship", func(ctx context.Context) (string, error) {
				ran <- in.Event.Data["id"]
				return "shipped", nil
			})
		})
	sender, err := runtime.New(runtime.Options{Store: senderStore, Functions: []*runtime.Function{fn}})
	if err != nil {
		t.Fatal(err)
	}
	worker, err := runtime.New(runtime.Options{Store: workerStore, Functions: []*runtime.Function{fn}, PollInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := worker.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer worker.Stop(ctx)
	// The worker's listener connects in the background; a NOTIFY before
	// it listens would be missed, and its first wake-up polls anyway.
	time.Sleep(500 * time.Millisecond)

	place := func(id string, commit bool) string {
		tx, err := senderStore.Pool().Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, `INSERT INTO `+schema+`.orders (id) VALUES ($1)`, id); err != nil {
			t.Fatal(err)
		}
		stx, err := senderStore.InTx(ctx, tx)
		if err != nil {
			t.Fatal(err)
		}
		ids, err := sender.SendTx(ctx, stx, runtime.Event{Name: "outbox/order.placed", Data: map[string]string{"id": id}})
		if err != nil {
			t.Fatal(err)
		}
		if commit {
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
		}
		return ids[0]
	}
	runsOf := func() []store.Run {
		var rs []store.Run
		if err := senderStore.View(ctx, func(tx store.Tx) error {
			var err error
			rs, err = tx.ListRuns(ctx, store.RunFilter{FunctionID: "outbox", Limit: 10})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return rs
	}

	rolledBack := place("o-rolled-back", false)
	err = senderStore.View(ctx, func(tx store.Tx) error {
		_, err := tx.GetEvent(ctx, rolledBack)
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("event of a rolled-back transaction: GetEvent error %v, want not found", err)
	}
	if rs := runsOf(); len(rs) != 0 {
		t.Errorf("a rolled-back transaction left %d runs", len(rs))
	}

	committed := place("o-committed", true)
	select {
	case id := <-ran:
		if id != "o-committed" {
			t.Errorf("the worker ran order %q, want o-committed", id)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the run of a committed transaction did not start within 10 s (its poll interval is an hour: no wake-up)")
	}
	err = senderStore.View(ctx, func(tx store.Tx) error {
		_, err := tx.GetEvent(ctx, committed)
		return err
	})
	if err != nil {
		t.Errorf("event of a committed transaction: %v", err)
	}
	if rs := runsOf(); len(rs) != 1 {
		t.Errorf("%d runs after one committed transaction, want 1", len(rs))
	}
	select {
	case id := <-ran:
		t.Errorf("order %q ran too", id)
	case <-time.After(200 * time.Millisecond):
	}
}
