package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

func testEvents(t *testing.T, s store.Store) {
	first := store.Event{ID: "ev1", Name: "shop/order.created", TS: 1764325800123, Envelope: json.RawMessage(`{"name":"shop/order.created","data":{"a":1}}`), ReceivedAt: at(0)}
	dup := store.Event{ID: "ev1", Name: "other/name", TS: 1, Envelope: json.RawMessage(`{"name":"other/name","data":{}}`), ReceivedAt: at(time.Hour)}
	update(t, s, func(tx store.Tx) error {
		ok, err := tx.InsertEvent(ctx, first)
		if err != nil || !ok {
			return fmt.Errorf("first InsertEvent = %v, %v; want true, nil", ok, err)
		}
		ok, err = tx.InsertEvent(ctx, dup)
		if err != nil || ok {
			return fmt.Errorf("InsertEvent of a known ID in the same transaction = %v, %v; want false, nil", ok, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		ok, err := tx.InsertEvent(ctx, dup)
		if err != nil || ok {
			return fmt.Errorf("InsertEvent of a known ID = %v, %v; want false, nil", ok, err)
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetEvent(ctx, "ev1")
		if err != nil {
			return err
		}
		same(t, "GetEvent keeps the first event", got, first)
		if _, err := tx.GetEvent(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetEvent of a missing ID: err = %v, want ErrNotFound", err)
		}
		return nil
	})
}
