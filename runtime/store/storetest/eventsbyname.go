package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// eventsByNameTests are the cases of the events query of waits with a lookback.
var eventsByNameTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"EventsByName", testEventsByName},
}

func testEventsByName(t *testing.T, s store.Store) {
	const name = "shop/payment.received"
	ev := func(id, name string, received time.Duration) store.Event {
		return store.Event{ID: id, Name: name, TS: at(received).UnixMilli(),
			Envelope: json.RawMessage(fmt.Sprintf(`{"name":%q,"data":{},"id":%q}`, name, id)), ReceivedAt: at(received)}
	}
	all := []store.Event{
		ev("before", name, -time.Hour),
		ev("b", name, 0), // two events received at the same instant: ID order
		ev("a", name, 0),
		ev("other", "shop/order.created", time.Minute),
		ev("c", name, 2*time.Minute),
		ev("d", name, 3*time.Minute),
	}
	update(t, s, func(tx store.Tx) error {
		for _, e := range all {
			if _, err := tx.InsertEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	byID := map[string]store.Event{}
	for _, e := range all {
		byID[e.ID] = e
	}
	tests := []struct {
		name string
		p    store.EventsByNameParams
		want []string
	}{
		{"from an instant, inclusive, oldest first then by ID", store.EventsByNameParams{Name: name, ReceivedFrom: at(0), Limit: 10}, []string{"a", "b", "c", "d"}},
		{"limit", store.EventsByNameParams{Name: name, ReceivedFrom: at(-2 * time.Hour), Limit: 2}, []string{"before", "a"}},
		{"cursor within a tie", store.EventsByNameParams{Name: name, ReceivedFrom: at(0), AfterID: "a", Limit: 2}, []string{"b", "c"}},
		{"cursor at the last of a tie", store.EventsByNameParams{Name: name, ReceivedFrom: at(0), AfterID: "b", Limit: 10}, []string{"c", "d"}},
		{"after the newest", store.EventsByNameParams{Name: name, ReceivedFrom: at(3 * time.Minute), AfterID: "d", Limit: 10}, nil},
		{"another name", store.EventsByNameParams{Name: "shop/order.created", ReceivedFrom: at(-time.Hour), Limit: 10}, []string{"other"}},
		{"unknown name", store.EventsByNameParams{Name: "nope/x.y", ReceivedFrom: at(-time.Hour), Limit: 10}, nil},
	}
	view(t, s, func(tx store.Tx) error {
		for _, tc := range tests {
			got, err := tx.EventsByName(ctx, tc.p)
			if err != nil {
				return fmt.Errorf("%s: %w", tc.name, err)
			}
			var want []store.Event
			for _, id := range tc.want {
				want = append(want, byID[id])
			}
			same(t, tc.name, got, want)
		}
		return nil
	})
}
