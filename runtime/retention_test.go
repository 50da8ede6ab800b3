package runtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/internal/vclock"
	"github.com/durable-go/durable/runtime/store"
)

// The retention sweep deletes finished runs past their status's horizon
// (in batches: more runs than one batch holds), events past theirs and
// expired flow state, and keeps what a negative horizon keeps forever.
func TestRetentionSweep(t *testing.T) {
	ok := runtime.NewFunction(runtime.FunctionOpts{ID: "ok", Idempotency: "event.data.order_id", IdempotencyPeriod: 2 * time.Hour},
		orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) { return "done", nil })
	bad := runtime.NewFunction(runtime.FunctionOpts{ID: "bad", Retries: runtime.Retries(0)}, paymentReceived.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) { return nil, errors.New("no") })
	clock := vclock.New(epoch)
	st := openStore(t, filepath.Join(t.TempDir(), "retention.db"))
	t.Cleanup(func() { st.Close() })

	// Many old runs that ended long ago: the sweep needs several batches.
	const backlog = 1234
	if err := st.Update(context.Background(), func(tx store.Tx) error {
		for i := range backlog {
			r := store.Run{ID: fmt.Sprintf("old-%04d", i), FunctionID: "legacy", Status: store.StatusCompleted, Events: json.RawMessage(`[]`),
				CreatedAt: epoch.Add(-48 * time.Hour), AvailableAt: epoch.Add(-48 * time.Hour), EndedAt: epoch.Add(-47 * time.Hour)}
			if err := tx.InsertRun(context.Background(), r); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{ok, bad}, Clock: clock, PollInterval: 20 * time.Millisecond,
		Retention: runtime.Retention{Completed: time.Hour, Failed: -1, Events: 3 * time.Hour, Interval: 10 * time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := eng.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	te := &testEngine{Engine: eng, clock: clock}
	ctx := context.Background()
	ids, err := eng.Send(ctx, runtime.Event{Name: "shop/order.created", Data: order{OrderID: "o1"}},
		runtime.Event{Name: "shop/payment.received", Data: order{OrderID: "o1"}})
	if err != nil {
		t.Fatal(err)
	}
	okRun, badRun := te.onlyRun(t, "ok"), te.onlyRun(t, "bad")
	te.await(t, okRun, runtime.RunCompleted)
	te.await(t, badRun, runtime.RunFailed)

	// what reports what is still stored.
	what := func() (legacy int, okKept, badKept, stateKept bool, eventsKept int) {
		t.Helper()
		if err := st.View(ctx, func(tx store.Tx) error {
			runs, err := tx.ListRuns(ctx, store.RunFilter{FunctionID: "legacy"})
			if err != nil {
				return err
			}
			legacy = len(runs)
			for id, kept := range map[string]*bool{okRun: &okKept, badRun: &badKept} {
				_, err := tx.GetRun(ctx, id)
				*kept = err == nil
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
			}
			_, err = tx.GetState(ctx, "idempotency/ok/o1")
			stateKept = err == nil
			for _, id := range ids {
				if _, err := tx.GetEvent(ctx, id); err == nil {
					eventsKept++
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return
	}
	// advance moves the clock by step until done holds.
	advance := func(step time.Duration, done func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !done() {
			if time.Now().After(deadline) {
				l, o, b, s, e := what()
				t.Fatalf("at %v: legacy runs %d, ok run kept %v, bad run kept %v, idempotency state kept %v, events kept %d",
					clock.Now().Sub(epoch), l, o, b, s, e)
			}
			clock.Advance(step)
			time.Sleep(5 * time.Millisecond)
		}
	}

	// The first sweep, a minute after Start, deletes the backlog only.
	advance(time.Minute, func() bool { l, _, _, _, _ := what(); return l == 0 })
	if d := clock.Now().Sub(epoch); d >= 10*time.Minute {
		t.Errorf("the backlog took until %v: one sweep should delete it all, batch after batch", d)
	}
	if l, o, b, s, e := what(); !o || !b || !s || e != 2 {
		t.Fatalf("after the first sweep: legacy %d, ok kept %v, bad kept %v, state kept %v, events kept %d; want only the backlog gone", l, o, b, s, e)
	}
	// Then the completed run (1h), the idempotency key (2h) and the
	// events (3h) go; the failed run stays (kept forever).
	advance(10*time.Minute, func() bool { _, o, _, s, e := what(); return !o && !s && e == 0 })
	if _, _, b, _, _ := what(); !b {
		t.Error("the failed run was deleted; its retention is forever")
	}
	if d := clock.Now().Sub(epoch); d < 3*time.Hour {
		t.Errorf("events deleted %v after they came, before their 3h horizon", d)
	}
	// The key expired: the same order starts a new run.
	if _, err := eng.Send(ctx, runtime.Event{Name: "shop/order.created", Data: order{OrderID: "o1"}}); err != nil {
		t.Fatal(err)
	}
	te.await(t, te.onlyRun(t, "ok"), runtime.RunCompleted)
}
