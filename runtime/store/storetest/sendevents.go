package storetest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime/store"
)

// testSendEvents: a store that implements EventSender stores each send of
// a batch on its own: nothing of a send one of whose event names has a wait,
// no event whose ID exists (in the store or earlier in the batch) and none
// of its runs, the runs of a paused function queued with their held
// deadline, and every other run as given.
func testSendEvents(t *testing.T, s store.Store) {
	es := optional[store.EventSender](t, s)
	event := func(id, name string) store.Event {
		return store.Event{ID: id, Name: name, TS: 1700, Envelope: json.RawMessage(`{"name":"` + name + `","id":"` + id + `"}`), ReceivedAt: at(time.Second)}
	}
	// newRun is a run of fn started by the event eventID, leased to "w"
	// when lease is set, queued otherwise.
	newRun := func(id, fn, eventID string, lease bool) store.StartRunParams {
		r := store.Run{ID: id, FunctionID: fn, Status: store.StatusQueued, Events: json.RawMessage(`[{"id":"` + eventID + `"}]`),
			CreatedAt: at(time.Second), AvailableAt: at(time.Second), Deadline: at(time.Minute)}
		if !lease {
			return store.StartRunParams{Run: r}
		}
		held := r.Deadline
		r = leased(r, "w", time.Hour)
		r.StartedAt, r.Deadline = at(time.Second), at(time.Hour)
		return store.StartRunParams{Run: r, HeldDeadline: held}
	}
	waitingRun := run("waiting", store.StatusWaiting, 0, time.Hour)
	insertRuns(t, s, waitingRun)
	update(t, s, func(tx store.Tx) error {
		if err := tx.InsertWait(ctx, store.Wait{RunID: "waiting", StepKey: `"pay"/0`, EventName: "shop/paid", ExpiresAt: at(time.Hour)}); err != nil {
			return err
		}
		if _, err := tx.InsertEvent(ctx, event("old", "shop/ordered")); err != nil {
			return err
		}
		_, err := tx.PauseFunction(ctx, store.PauseParams{FunctionID: "paused", At: at(0)})
		return err
	})

	cases := []struct {
		name string
		send store.EventSend
		want store.EventSendResult
		// runs are the runs stored afterwards, as GetRun reads them; absent
		// the runs that must not exist.
		runs   []store.Run
		absent []string
		// events says, for each event, whether it exists afterwards.
		events []bool
	}{{
		name: "a leased and a queued run",
		send: store.EventSend{Events: []store.Event{event("e1", "shop/ordered")},
			Runs: []store.SentRun{{Event: 0, StartRunParams: newRun("r1", "fn", "e1", true)}, {Event: 0, StartRunParams: newRun("r1q", "other", "e1", false)}}},
		want:   store.EventSendResult{Stored: []bool{true}, Started: []bool{true, true}},
		runs:   []store.Run{newRun("r1", "fn", "e1", true).Run, newRun("r1q", "other", "e1", false).Run},
		events: []bool{true},
	}, {
		name: "an event whose name has a wait holds back its whole send",
		send: store.EventSend{Events: []store.Event{event("e2", "shop/ordered"), event("e2p", "shop/paid")},
			Runs: []store.SentRun{{Event: 0, StartRunParams: newRun("r2", "fn", "e2", true)}}},
		want:   store.EventSendResult{Waited: true, Stored: []bool{false, false}, Started: []bool{false}},
		absent: []string{"r2"},
		events: []bool{false, false},
	}, {
		name: "an event that exists starts nothing",
		send: store.EventSend{Events: []store.Event{event("old", "shop/ordered")},
			Runs: []store.SentRun{{Event: 0, StartRunParams: newRun("r3", "fn", "old", true)}}},
		want:   store.EventSendResult{Stored: []bool{false}, Started: []bool{false}},
		absent: []string{"r3"},
		events: []bool{true},
	}, {
		name: "a paused function's run is held",
		send: store.EventSend{Events: []store.Event{event("e4", "shop/ordered")},
			Runs: []store.SentRun{{Event: 0, StartRunParams: newRun("r4", "paused", "e4", true)}, {Event: 0, StartRunParams: newRun("r4q", "paused", "e4", false)}}},
		want:   store.EventSendResult{Stored: []bool{true}, Started: []bool{false, true}},
		runs:   []store.Run{newRun("r4", "paused", "e4", false).Run, newRun("r4q", "paused", "e4", false).Run},
		events: []bool{true},
	}, {
		name: "an ID sent earlier in the batch starts nothing",
		send: store.EventSend{Events: []store.Event{event("e1", "shop/ordered")},
			Runs: []store.SentRun{{Event: 0, StartRunParams: newRun("r5", "fn", "e1", true)}}},
		want:   store.EventSendResult{Stored: []bool{false}, Started: []bool{false}},
		absent: []string{"r5"},
		events: []bool{true},
	}, {
		name: "runs of the second event of a send",
		send: store.EventSend{Events: []store.Event{event("e6a", "shop/ordered"), event("e6b", "shop/shipped")},
			Runs: []store.SentRun{{Event: 1, StartRunParams: newRun("r6", "fn", "e6b", false)}}},
		want:   store.EventSendResult{Stored: []bool{true, true}, Started: []bool{true}},
		runs:   []store.Run{newRun("r6", "fn", "e6b", false).Run},
		events: []bool{true, true},
	}, {
		name:   "an event alone",
		send:   store.EventSend{Events: []store.Event{event("e7", "shop/noticed")}},
		want:   store.EventSendResult{Stored: []bool{true}, Started: []bool{}},
		events: []bool{true},
	}}
	sends := make([]store.EventSend, len(cases))
	for i, tc := range cases {
		sends[i] = tc.send
	}
	res, err := es.SendEvents(ctx, sends)
	if err != nil {
		t.Fatalf("SendEvents: %v", err)
	}
	if len(res) != len(cases) {
		t.Fatalf("SendEvents reported %d results for %d sends", len(res), len(cases))
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			same(t, "result", res[i], tc.want)
			view(t, s, func(tx store.Tx) error {
				for j, ev := range tc.send.Events {
					got, err := tx.GetEvent(ctx, ev.ID)
					switch {
					case errors.Is(err, store.ErrNotFound):
						if tc.events[j] {
							t.Errorf("event %s was not stored", ev.ID)
						}
					case err != nil:
						return err
					case !tc.events[j]:
						t.Errorf("event %s was stored, want it not to be", ev.ID)
					default:
						same(t, "event "+ev.ID, got, ev)
					}
				}
				for _, want := range tc.runs {
					got, err := tx.GetRun(ctx, want.ID)
					if err != nil {
						return err
					}
					same(t, "run "+want.ID, got, want)
				}
				for _, id := range tc.absent {
					if _, err := tx.GetRun(ctx, id); !errors.Is(err, store.ErrNotFound) {
						t.Errorf("run %s: GetRun = %v, want ErrNotFound (it must not be stored)", id, err)
					}
				}
				return nil
			})
		})
	}

	t.Run("refused runs", func(t *testing.T) {
		limitedRun := newRun("limited", "fn", "e8", false)
		limitedRun.Run.Limits = []store.Limit{{Key: "k", Limit: 1}}
		_, err := es.SendEvents(ctx, []store.EventSend{
			{Events: []store.Event{event("e8", "shop/ordered")}, Runs: []store.SentRun{{Event: 0, StartRunParams: limitedRun}}},
		})
		if err == nil {
			t.Error("SendEvents of a run with limits succeeded, want an error (such runs go through Update)")
		}
		_, err = es.SendEvents(ctx, []store.EventSend{
			{Events: []store.Event{event("e9", "shop/ordered")}, Runs: []store.SentRun{{Event: 1, StartRunParams: newRun("r9", "fn", "e9", false)}}},
		})
		if err == nil {
			t.Error("SendEvents of a run naming no event of its send succeeded, want an error")
		}
		view(t, s, func(tx store.Tx) error {
			for _, id := range []string{"e8", "e9"} {
				if _, err := tx.GetEvent(ctx, id); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("event %s of a refused send: GetEvent = %v, want ErrNotFound", id, err)
				}
			}
			return nil
		})
	})

	if res, err := es.SendEvents(ctx, nil); err != nil || len(res) != 0 {
		t.Errorf("SendEvents of no sends = %v, %v; want nothing, no error", res, err)
	}
}
