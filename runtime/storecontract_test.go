package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store"
)

// errDuplicate stands for a unique-key violation on insert.
var errDuplicate = errors.New("UNIQUE constraint failed: runs.id (injected)")

// executions counts, per function and triggering event ID, how often a
// run's handler started.
type executions struct {
	mu sync.Mutex
	n  map[string]int // "<function> <event ID>"
}

func (x *executions) fn(id string) *runtime.Function {
	return runtime.NewFunction(runtime.FunctionOpts{ID: id, Retries: runtime.Retries(0)}, orderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			x.mu.Lock()
			x.n[id+" "+in.Event.ID]++
			x.mu.Unlock()
			return "ok", nil
		})
}

func (x *executions) of(fn, eventID string) int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.n[fn+" "+eventID]
}

// Store callbacks may run more than once and their commits may fail: the
// engine changes nothing in memory inside them. With one worker, a slot
// taken for a run whose admission was rolled back would stop the engine
// for good; every case ends by running later events to completion, and the
// runs of a failed Send never execute (they do not exist).
func TestStoreCallbackFaultsLeakNoSlot(t *testing.T) {
	for _, tc := range []struct {
		name string
		// arm injects the fault before the first Send, which must fail
		// when failing is set.
		arm     func(fs *faultyStore)
		failing bool
	}{
		{name: "second triggered run's insert fails", failing: true, arm: func(fs *faultyStore) {
			var once atomic.Bool
			fs.insertRun = func(r store.Run) error {
				if r.FunctionID == "second" && once.CompareAndSwap(false, true) {
					return errDuplicate
				}
				return nil
			}
		}},
		{name: "commit fails", failing: true, arm: func(fs *faultyStore) {
			var once atomic.Bool
			fs.fail = func([]store.Step) bool { return once.CompareAndSwap(false, true) }
		}},
		{name: "every callback runs twice", arm: func(fs *faultyStore) { fs.rerun.Store(true) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := &executions{n: map[string]int{}}
			fs := &faultyStore{}
			eng := startFaultyWith(t, fs, runtime.Options{Functions: []*runtime.Function{x.fn("first"), x.fn("second")},
				Workers: 1, LeaseDuration: time.Minute, PollInterval: 20 * time.Millisecond})
			ctx := context.Background()
			tc.arm(fs)
			_, err := eng.Send(ctx, runtime.Event{Name: "shop/order.created", ID: "e0", Data: order{}})
			if tc.failing != (err != nil) {
				t.Fatalf("first send: err = %v, want failure %v", err, tc.failing)
			}
			for i := 1; i <= 3; i++ {
				if _, err := eng.Send(ctx, runtime.Event{Name: "shop/order.created", ID: fmt.Sprintf("e%d", i), Data: order{}}); err != nil {
					t.Fatal(err)
				}
			}
			want := 3
			if !tc.failing {
				want = 4
			}
			for _, fn := range []string{"first", "second"} {
				for _, r := range awaitAll(t, eng, fn, want, 10*time.Second) {
					if r.Status != runtime.RunCompleted {
						t.Errorf("%s run %s: %s (%s)", fn, r.ID, r.Status, r.Error)
					}
				}
				for i := range 4 {
					id := fmt.Sprintf("e%d", i)
					wantN := 1
					if i == 0 && tc.failing {
						wantN = 0
					}
					if n := x.of(fn, id); n != wantN {
						t.Errorf("%s ran %d times for event %s, want %d", fn, n, id, wantN)
					}
				}
			}
		})
	}
}

// step.SendEvent admits runs as Send does: when the commit holding them
// fails, none of them executes, no slot is kept for them, and the step is
// sent again when the run executes again.
func TestStoreCallbackFaultsStepSendEvent(t *testing.T) {
	x := &executions{n: map[string]int{}}
	var sentIDs sync.Map
	sender := runtime.NewFunction(runtime.FunctionOpts{ID: "sender", Retries: runtime.Retries(0)}, paymentReceived.Trigger(),
		func(ctx context.Context, in runtime.Input[order]) (any, error) {
			ids, err := step.SendEvent(ctx, "send", runtime.Event{Name: "shop/order.created", Data: order{OrderID: in.Event.ID}})
			if err == nil {
				sentIDs.Store(in.Event.ID, ids[0])
			}
			return nil, err
		})
	fs := &faultyStore{}
	var failed atomic.Bool
	fs.insertRun = func(r store.Run) error {
		if r.FunctionID == "second" && failed.CompareAndSwap(false, true) {
			return errDuplicate
		}
		return nil
	}
	// Two workers: the sender holds one while its step admits "first"
	// directly into the other.
	eng := startFaultyWith(t, fs, runtime.Options{Functions: []*runtime.Function{sender, x.fn("first"), x.fn("second")},
		Workers: 2, LeaseDuration: time.Minute, PollInterval: 20 * time.Millisecond})
	ctx := context.Background()
	if _, err := eng.Send(ctx, runtime.Event{Name: "shop/payment.received", ID: "p0", Data: order{}}); err != nil {
		t.Fatal(err)
	}
	awaitAll(t, eng, "sender", 1, 10*time.Second)
	if !failed.Load() {
		t.Fatal("the insert was not failed: the fault was not injected")
	}
	for i := 1; i <= 4; i++ {
		if _, err := eng.Send(ctx, runtime.Event{Name: "shop/order.created", ID: fmt.Sprintf("e%d", i), Data: order{}}); err != nil {
			t.Fatal(err)
		}
	}
	v, ok := sentIDs.Load("p0")
	if !ok {
		t.Fatal("the sender's step never committed")
	}
	sent := v.(string)
	for _, fn := range []string{"first", "second"} {
		awaitAll(t, eng, fn, 5, 10*time.Second)
		for _, id := range []string{sent, "e1", "e2", "e3", "e4"} {
			if n := x.of(fn, id); n != 1 {
				t.Errorf("%s ran %d times for event %s, want once", fn, n, id)
			}
		}
	}
}
