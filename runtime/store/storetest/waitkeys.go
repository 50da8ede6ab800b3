package storetest

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/durable-go/durable/runtime/store"
)

// waitKeyTests are the cases of waits found by key.
var waitKeyTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"MatchWaits", testMatchWaits},
	{"InsertEventMatchWaits", testInsertEventMatchWaits},
}

func testMatchWaits(t *testing.T, s store.Store) {
	const name = "shop/payment.received"
	wait := func(run, path, key, ifSrc string) store.Wait {
		return store.Wait{RunID: run, StepKey: `"pay"/0`, EventName: name, If: ifSrc, ExpiresAt: at(0), MatchPath: path, MatchKey: key}
	}
	waits := []store.Wait{
		wait("any", "", "", ""),
		wait("cel", "", "", "async.data.total > 5"),
		wait("o1", "data.order_id", `"o1"`, "async.data.order_id == event.data.order_id"),
		wait("o2", "data.order_id", `"o2"`, "async.data.order_id == event.data.order_id"),
		wait("c1", "data.customer", `"c1"`, "event.data.customer == async.data.customer"),
		wait("n7", "data.n", `7`, "async.data.n == event.data.n"),
	}
	other := wait("elsewhere", "data.order_id", `"o1"`, "")
	other.EventName = "shop/other"
	update(t, s, func(tx store.Tx) error {
		for _, w := range append(waits, other) {
			if err := tx.InsertWait(ctx, w); err != nil {
				return err
			}
		}
		return nil
	})
	// The key fields are kept.
	view(t, s, func(tx store.Tx) error {
		got, err := tx.WaitsForEvent(ctx, name)
		if err != nil {
			return err
		}
		sortWaits(got)
		want := slices.Clone(waits)
		sortWaits(want)
		same(t, "WaitsForEvent", got, want)
		return nil
	})
	for _, tc := range []struct {
		name  string
		event map[string]string // path -> key
		want  []string          // runs
	}{
		{"keys of two paths", map[string]string{"data.order_id": `"o1"`, "data.customer": `"c1"`}, []string{"any", "c1", "cel", "o1"}},
		{"another key, one path missing", map[string]string{"data.order_id": `"o2"`}, []string{"any", "cel", "o2"}},
		{"a number", map[string]string{"data.n": `7`, "data.order_id": `"o3"`}, []string{"any", "cel", "n7"}},
		{"no key", nil, []string{"any", "cel"}},
	} {
		var asked []string
		var got []store.Wait
		view(t, s, func(tx store.Tx) error {
			var err error
			got, err = tx.MatchWaits(ctx, store.MatchWaitsParams{EventName: name, KeyOf: func(path string) (string, bool) {
				asked = append(asked, path)
				k, ok := tc.event[path]
				return k, ok
			}})
			return err
		})
		var runs []string
		for _, w := range got {
			runs = append(runs, w.RunID)
		}
		slices.Sort(runs)
		same(t, tc.name+": runs", runs, tc.want)
		slices.Sort(asked)
		same(t, tc.name+": paths asked", asked, []string{"data.customer", "data.n", "data.order_id"})
	}
}

// testInsertEventMatchWaits: a store whose Tx implements EventMatcher
// stores a new event and returns the waits MatchWaits returns; an event
// whose ID is stored already is not stored again and matches nothing.
func testInsertEventMatchWaits(t *testing.T, s store.Store) {
	var em bool
	view(t, s, func(tx store.Tx) error {
		_, em = tx.(store.EventMatcher)
		return nil
	})
	if !em {
		t.Skip("the store's Tx does not implement store.EventMatcher")
	}
	const name = "shop/payment.received"
	update(t, s, func(tx store.Tx) error {
		for _, w := range []store.Wait{
			{RunID: "any", StepKey: `"pay"/0`, EventName: name, ExpiresAt: at(0)},
			{RunID: "o1", StepKey: `"pay"/0`, EventName: name, ExpiresAt: at(0), MatchPath: "data.order_id", MatchKey: `"o1"`},
			{RunID: "o2", StepKey: `"pay"/0`, EventName: name, ExpiresAt: at(0), MatchPath: "data.order_id", MatchKey: `"o2"`},
			{RunID: "other", StepKey: `"pay"/0`, EventName: "shop/other", ExpiresAt: at(0)},
		} {
			if err := tx.InsertWait(ctx, w); err != nil {
				return err
			}
		}
		return nil
	})
	params := store.MatchWaitsParams{EventName: name, KeyOf: func(path string) (string, bool) {
		return `"o1"`, path == "data.order_id"
	}}
	ev := store.Event{ID: "e1", Name: name, TS: 1, Envelope: json.RawMessage(`{"id":"e1"}`), ReceivedAt: at(1)}
	for _, tc := range []struct {
		name     string
		event    store.Event
		inserted bool
		runs     []string
	}{
		{"new", ev, true, []string{"any", "o1"}},
		{"same ID again", store.Event{ID: "e1", Name: name, TS: 2, Envelope: json.RawMessage(`{"id":"e1","again":true}`), ReceivedAt: at(2)}, false, nil},
	} {
		var inserted bool
		var waits []store.Wait
		update(t, s, func(tx store.Tx) error {
			var err error
			inserted, waits, err = tx.(store.EventMatcher).InsertEventMatchWaits(ctx, tc.event, params)
			return err
		})
		var runs []string
		for _, w := range waits {
			runs = append(runs, w.RunID)
		}
		slices.Sort(runs)
		if inserted != tc.inserted {
			t.Errorf("%s: inserted = %v, want %v", tc.name, inserted, tc.inserted)
		}
		same(t, tc.name+": runs", runs, tc.runs)
	}
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetEvent(ctx, "e1")
		if err != nil {
			return err
		}
		same(t, "stored event", got, ev)
		return nil
	})
}
