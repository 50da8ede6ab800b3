package runtime_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store"
)

// notifyingStore is a store whose wake-ups the test sends by hand, as
// another process's commits would.
type notifyingStore struct {
	store.Store
	wakeups chan struct{}
}

func (s notifyingStore) Wakeups() <-chan struct{} { return s.wakeups }

// TestNotifierWakesPollLoop: an engine whose store is a store.Notifier
// claims a run queued behind its back (by an engine that is not started,
// as another process would) when the store's wake-up fires, not before:
// its poll interval is an hour.
func TestNotifierWakesPollLoop(t *testing.T) {
	st := notifyingStore{Store: openStore(t, filepath.Join(t.TempDir(), "notify.db")), wakeups: make(chan struct{}, 1)}
	t.Cleanup(func() { st.Close() })
	started := make(chan struct{}, 1)
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "woken"}, runtime.EventTrigger("notify/ping", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			return step.Run(ctx, "first", func(ctx context.Context) (bool, error) {
				started <- struct{}{}
				return true, nil
			})
		})
	worker, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{fn}, PollInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	sender, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{fn}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := worker.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer worker.Stop(ctx)
	// Let the worker's first poll find nothing and go to sleep for an hour
	// (generously: a poll after the Send would start the run unwoken).
	time.Sleep(500 * time.Millisecond)
	if _, err := sender.Send(ctx, runtime.Event{Name: "notify/ping", Data: map[string]any{}}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
		t.Fatal("the run started before any wake-up: the test cannot tell the notifier from polling")
	case <-time.After(300 * time.Millisecond):
	}
	st.wakeups <- struct{}{}
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not start within 10 s of the store's wake-up")
	}
}
