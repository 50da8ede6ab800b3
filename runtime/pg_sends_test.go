package runtime_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/postgres"
	"github.com/jackc/pgx/v5"
)

// statementCounter is a pgx tracer that counts the statements whose SQL
// contains marker.
type statementCounter struct {
	marker string
	n      atomic.Int64
}

func (c *statementCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if strings.Contains(d.SQL, c.marker) {
		c.n.Add(1)
	}
	return ctx
}

func (c *statementCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// onlyRunOf returns the one run whose first event is eventID.
func onlyRunOf(t *testing.T, eng *runtime.Engine, eventID string) runtime.RunInfo {
	t.Helper()
	page, err := eng.Runs(context.Background(), runtime.RunFilter{EventID: eventID, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Runs) != 1 {
		t.Fatalf("event %s started %d runs, want 1", eventID, len(page.Runs))
	}
	return page.Runs[0]
}

// TestPGSendsBatched: on PostgreSQL, sends whose events start only
// functions without flow control are stored together, their events and
// runs in one statement for many sends (store.EventSender): each of 200
// concurrent sends starts its run, which runs once, and fewer statements
// than sends stored them.
func TestPGSendsBatched(t *testing.T) {
	sendStatements := &statementCounter{marker: "waited AS"}
	st := openPG(t, pgSchema(t), postgres.QueryTracer(sendStatements))
	const n = 200
	var ran [n]atomic.Int32
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "job"}, runtime.EventTrigger("test/job", ""),
		func(ctx context.Context, in runtime.Input[map[string]int]) (any, error) {
			return step.Run(ctx, "work", func(ctx context.Context) (int, error) {
				ran[in.Event.Data["i"]].Add(1)
				return in.Event.Data["i"], nil
			})
		})
	eng, err := runtime.New(runtime.Options{Store: st, Functions: []*runtime.Function{fn}, Workers: 64})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer eng.Stop(ctx)
	te := &testEngine{Engine: eng}
	ids := make([]string, n)
	var sent sync.WaitGroup
	for i := range n {
		sent.Go(func() {
			got, err := eng.Send(ctx, runtime.Event{Name: "test/job", Data: map[string]int{"i": i}})
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = got[0]
		})
	}
	sent.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for i, id := range ids {
		te.await(t, onlyRunOf(t, eng, id).ID, runtime.RunCompleted)
		if got := ran[i].Load(); got != 1 {
			t.Errorf("the run of send %d ran its step %d times, want once", i, got)
		}
	}
	switch got := sendStatements.n.Load(); {
	case got == 0:
		t.Error("no send was stored with store.EventSender's statement")
	case got >= n:
		t.Errorf("%d statements stored %d sends: none was batched with another", got, n)
	}
}

// TestPGSendsThatNeedATransaction: what the batched sends may not decide
// alone goes on as before: an event whose name has a wait resolves it, an
// ID sent twice starts one run, a paused function's run is held, and an
// event stamped in the future starts its run then, not now.
func TestPGSendsThatNeedATransaction(t *testing.T) {
	paid := runtime.NewEventType[map[string]any]("test/paid", "", nil)
	waiter := runtime.NewFunction(runtime.FunctionOpts{ID: "waiter"}, runtime.EventTrigger("test/ordered", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			_, err := step.WaitForEvent(ctx, "paid", paid, step.WaitOpts{Timeout: time.Hour})
			return nil, err
		})
	job := runtime.NewFunction(runtime.FunctionOpts{ID: "job"}, runtime.EventTrigger("test/job", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			return step.Run(ctx, "work", func(ctx context.Context) (int, error) { return 1, nil })
		})
	eng, err := runtime.New(runtime.Options{Store: openPG(t, pgSchema(t)), Functions: []*runtime.Function{waiter, job}, PollInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer eng.Stop(ctx)
	te := &testEngine{Engine: eng}
	send := func(t *testing.T, ev runtime.Event) string {
		t.Helper()
		ids, err := eng.Send(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		return ids[0]
	}

	t.Run("an event a run waits for", func(t *testing.T) {
		run := onlyRunOf(t, eng, send(t, runtime.Event{Name: "test/ordered", Data: map[string]any{}}))
		te.await(t, run.ID, runtime.RunWaiting)
		send(t, runtime.Event{Name: "test/paid", Data: map[string]any{}})
		te.await(t, run.ID, runtime.RunCompleted)
	})
	t.Run("an ID sent twice", func(t *testing.T) {
		for range 2 {
			send(t, runtime.Event{ID: "twice", Name: "test/job", Data: map[string]any{}})
		}
		te.await(t, onlyRunOf(t, eng, "twice").ID, runtime.RunCompleted)
	})
	t.Run("a paused function", func(t *testing.T) {
		if err := eng.Pause(ctx, "job"); err != nil {
			t.Fatal(err)
		}
		run := onlyRunOf(t, eng, send(t, runtime.Event{Name: "test/job", Data: map[string]any{}}))
		te.await(t, run.ID, runtime.RunPaused)
		if n, err := eng.Resume(ctx, "job", runtime.ResumeOpts{}); err != nil || n != 1 {
			t.Fatalf("Resume = %d, %v; want the 1 run held", n, err)
		}
		te.await(t, run.ID, runtime.RunCompleted)
	})
	t.Run("an event stamped in the future", func(t *testing.T) {
		ts := time.Now().Add(time.Hour).UnixMilli()
		run := onlyRunOf(t, eng, send(t, runtime.Event{Name: "test/job", TS: ts, Data: map[string]any{}}))
		// Thirty polls: a run due now would have started.
		time.Sleep(300 * time.Millisecond)
		if ri := te.await(t, run.ID, runtime.RunQueued); !ri.StartedAt.IsZero() {
			t.Errorf("the run of an event an hour ahead started at %v", ri.StartedAt)
		}
	})
}
