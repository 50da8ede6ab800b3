package storetest

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

func testWaits(t *testing.T, s store.Store) {
	w1 := store.Wait{RunID: "r1", StepKey: `"pay"/0`, EventName: "shop/payment.received", If: "async.data.id == event.data.id",
		Trigger: json.RawMessage(`{"name":"shop/order.created","data":{"id":1}}`), ExpiresAt: at(time.Hour)}
	w2 := store.Wait{RunID: "r2", StepKey: `"pay"/0`, EventName: "shop/payment.received", Trigger: json.RawMessage(`{}`), ExpiresAt: at(2 * time.Hour)}
	w3 := store.Wait{RunID: "r1", StepKey: `"ship"/0`, EventName: "shop/shipped", ExpiresAt: at(3 * time.Hour)}
	inv := store.Wait{RunID: "r1", StepKey: `"invoke"/0`, ChildRunID: "child", ExpiresAt: at(4*time.Hour + 1)}
	update(t, s, func(tx store.Tx) error {
		for _, w := range []store.Wait{w1, w2, w3, inv} {
			if err := tx.InsertWait(ctx, w); err != nil {
				return err
			}
		}
		return nil
	})
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.InsertWait(ctx, w1) }); err == nil {
		t.Error("InsertWait of an existing (run, step) succeeded, want an error")
	}
	byEvent := func(name string) []store.Wait {
		var out []store.Wait
		view(t, s, func(tx store.Tx) error {
			var err error
			out, err = tx.WaitsForEvent(ctx, name)
			return err
		})
		sortWaits(out)
		return out
	}
	byChild := func(id string) []store.Wait {
		var out []store.Wait
		view(t, s, func(tx store.Tx) error {
			var err error
			out, err = tx.WaitsForChild(ctx, id)
			return err
		})
		sortWaits(out)
		return out
	}
	same(t, "WaitsForEvent", byEvent("shop/payment.received"), []store.Wait{w1, w2})
	same(t, "WaitsForEvent", byEvent("shop/shipped"), []store.Wait{w3})
	if got := byEvent("shop/nothing"); len(got) != 0 {
		t.Errorf("WaitsForEvent of an awaited-by-none event = %v", got)
	}
	same(t, "WaitsForChild", byChild("child"), []store.Wait{inv})
	if got := byChild("other"); len(got) != 0 {
		t.Errorf("WaitsForChild of another run = %v", got)
	}
	deleteWait := func(runID, key string) bool {
		var ok bool
		update(t, s, func(tx store.Tx) error {
			var err error
			ok, err = tx.DeleteWait(ctx, runID, key)
			return err
		})
		return ok
	}
	if !deleteWait("r2", `"pay"/0`) {
		t.Error("DeleteWait of an existing wait = false")
	}
	if deleteWait("r2", `"pay"/0`) {
		t.Error("second DeleteWait of a wait = true")
	}
	if deleteWait("r9", `"pay"/0`) {
		t.Error("DeleteWait of a wait that never existed = true")
	}
	same(t, "WaitsForEvent after delete", byEvent("shop/payment.received"), []store.Wait{w1})
	update(t, s, func(tx store.Tx) error { return tx.DeleteRunWaits(ctx, "r1") })
	if got := append(byEvent("shop/payment.received"), append(byEvent("shop/shipped"), byChild("child")...)...); len(got) != 0 {
		t.Errorf("waits left after DeleteRunWaits: %v", got)
	}
	update(t, s, func(tx store.Tx) error { return tx.DeleteRunWaits(ctx, "r1") }) // none left: no error
	// A deleted wait can be inserted again.
	update(t, s, func(tx store.Tx) error { return tx.InsertWait(ctx, w1) })
	same(t, "WaitsForEvent after re-insert", byEvent("shop/payment.received"), []store.Wait{w1})
}

func sortWaits(ws []store.Wait) {
	sort.Slice(ws, func(i, j int) bool {
		if ws[i].RunID != ws[j].RunID {
			return ws[i].RunID < ws[j].RunID
		}
		return ws[i].StepKey < ws[j].StepKey
	})
}

func testDeleteWaitConcurrent(t *testing.T, s store.Store) {
	const waits, deleters = 20, 8
	update(t, s, func(tx store.Tx) error {
		for i := range waits {
			if err := tx.InsertWait(ctx, store.Wait{RunID: fmt.Sprintf("r%d", i), StepKey: "k", EventName: "e", ExpiresAt: at(time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
	var mu sync.Mutex
	wins := make([]int, waits)
	var wg sync.WaitGroup
	for range deleters {
		wg.Go(func() {
			for i := range waits {
				err := s.Update(ctx, func(tx store.Tx) error {
					ok, err := tx.DeleteWait(ctx, fmt.Sprintf("r%d", i), "k")
					if ok {
						mu.Lock()
						wins[i]++
						mu.Unlock()
					}
					return err
				})
				if err != nil {
					t.Errorf("DeleteWait: %v", err)
				}
			}
		})
	}
	wg.Wait()
	for i, n := range wins {
		if n != 1 {
			t.Errorf("wait r%d: %d deleters were told they deleted it, want exactly 1", i, n)
		}
	}
}
