package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// eventListTests are the cases of store.EventLister.
var eventListTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"ListEvents", testListEvents},
}

func testListEvents(t *testing.T, s store.Store) {
	ev := func(id, name string, recv time.Duration) store.Event {
		return store.Event{ID: id, Name: name, TS: 1, Envelope: json.RawMessage(`{"name":"` + name + `","data":{}}`), ReceivedAt: at(recv)}
	}
	all := []store.Event{
		ev("e1", "a", 0), ev("e2", "b", time.Second), ev("e4", "a", 2*time.Second), ev("e3", "a", 2*time.Second), ev("e5", "b", 3*time.Second),
	}
	update(t, s, func(tx store.Tx) error {
		for _, e := range all {
			if _, err := tx.InsertEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	ids := func(evs []store.Event) []string {
		var out []string
		for _, e := range evs {
			out = append(out, e.ID)
		}
		return out
	}
	tests := []struct {
		name string
		f    store.EventFilter
		want []string
	}{
		{"all, newest first, ties by ID descending", store.EventFilter{}, []string{"e5", "e4", "e3", "e2", "e1"}},
		{"limit", store.EventFilter{Limit: 2}, []string{"e5", "e4"}},
		{"by name", store.EventFilter{Name: "a"}, []string{"e4", "e3", "e1"}},
		{"before a position (same time, smaller ID)", store.EventFilter{Before: &store.EventPos{ReceivedAt: at(2 * time.Second), ID: "e4"}}, []string{"e3", "e2", "e1"}},
		{"before and name and limit", store.EventFilter{Name: "a", Before: &store.EventPos{ReceivedAt: at(3 * time.Second), ID: "e5"}, Limit: 1}, []string{"e4"}},
		{"unknown name", store.EventFilter{Name: "zzz"}, nil},
	}
	view(t, s, func(tx store.Tx) error {
		l, ok := tx.(store.EventLister)
		if !ok {
			return fmt.Errorf("the store's Tx (%T) does not implement store.EventLister", tx)
		}
		for _, tc := range tests {
			got, err := l.ListEvents(ctx, tc.f)
			if err != nil {
				return fmt.Errorf("%s: %w", tc.name, err)
			}
			same(t, "ListEvents "+tc.name, ids(got), tc.want)
		}
		got, err := l.ListEvents(ctx, store.EventFilter{Limit: 1})
		if err != nil {
			return err
		}
		same(t, "ListEvents returns the whole event", got, []store.Event{all[4]})
		return nil
	})
}
