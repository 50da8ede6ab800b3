package runtime_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

// BenchmarkSendWithWaits sends events that 100 parked runs wait for with
// an If that none of them matches: the cost of Send, of reading the waits
// and of evaluating their expressions before the writer transaction.
func BenchmarkSendWithWaits(b *testing.B) {
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	parked := make(chan struct{}, 100)
	done := runtime.NewEventType[map[string]any]("bench/done", "", nil)
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "waiter"}, runtime.EventTrigger("bench/start", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			parked <- struct{}{}
			return waitForDone(ctx, done)
		})
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{fn}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer eng.Stop(ctx)
	for i := range 100 {
		if _, err := eng.Send(ctx, runtime.Event{Name: "bench/start", Data: map[string]any{"i": i}}); err != nil {
			b.Fatal(err)
		}
	}
	for range 100 {
		<-parked
	}
	for b.Loop() {
		if _, err := eng.Send(ctx, runtime.Event{Name: "bench/done", Data: map[string]any{"i": -1}}); err != nil {
			b.Fatal(err)
		}
	}
}

func waitForDone(ctx context.Context, done runtime.EventType[map[string]any]) (any, error) {
	return step.WaitForEvent(ctx, "done", done, step.WaitOpts{Timeout: time.Hour, If: "async.data.i == event.data.i"})
}
