package storetest

import (
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
