package runtime_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

// limitedEngine starts an engine on a fresh SQLite file with the given
// options (Store, Functions and PollInterval are filled in) and the wall
// clock.
func limitedEngine(t testing.TB, opts runtime.Options, fns ...*runtime.Function) *runtime.Engine {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "test.db"), sqlite.Synchronous("OFF"))
	if err != nil {
		t.Fatal(err)
	}
	opts.Store, opts.Functions, opts.PollInterval = st, fns, 20*time.Millisecond
	eng, err := runtime.New(opts)
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := eng.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
		st.Close()
	})
	return eng
}

func nop(ctx context.Context, in runtime.Input[map[string]any]) (any, error) { return "ok", nil }

// intList is {"l": [0, 1, ..., n-1]}.
func intList(n int) map[string]any {
	l := make([]int, n)
	for i := range l {
		l[i] = i
	}
	return map[string]any{"l": l}
}

// zeros is {"l": [0, 0, ...]} with n zeros, two bytes of JSON each.
func zeros(n int) map[string]any { return map[string]any{"l": make([]int, n)} }

// terms is an expression of n terms: "event.data.a + event.data.a + ...".
func terms(n int) string {
	return strings.Repeat("event.data.a + ", n-1) + "event.data.a"
}

const (
	nestedAll = "event.data.l.all(x, event.data.l.all(y, x + y >= 0))"
	mapOfMap  = "event.data.l.map(x, event.data.l.map(y, [x, y])).size() > 0"
)

// maxErrorBytes bounds what an error message may quote of an input.
const maxErrorBytes = 1024

func TestHostileExpressionsRefusedAtDefinition(t *testing.T) {
	tests := []struct {
		name string
		opts runtime.FunctionOpts
		ifx  string
		want []string // substrings of the definition error
	}{
		{name: "nested all in a trigger If", ifx: nestedAll,
			want: []string{`If expression: "event.data.l.all(x, event.data.l.all(y, x + y >= 0))"`, "worst-case cost", "comprehension inside a comprehension"}},
		{name: "map of map in a trigger If", ifx: mapOfMap, want: []string{"worst-case cost"}},
		{name: "nested comprehension in a concurrency key",
			opts: runtime.FunctionOpts{Concurrency: []runtime.Concurrency{{Limit: 1, Key: "event.data.l.map(x, event.data.l.map(y, y))"}}},
			want: []string{"Concurrency[0].Key", "worst-case cost"}},
		{name: "nested comprehension in an idempotency key",
			opts: runtime.FunctionOpts{Idempotency: "event.data.l.filter(x, event.data.l.exists(y, y == x))"},
			want: []string{"Idempotency", "worst-case cost"}},
		{name: "nested comprehension in a cancel If",
			opts: runtime.FunctionOpts{Cancel: []runtime.Cancel{{Event: "app/stop", If: "async.data.l.all(x, event.data.l.all(y, x != y))"}}},
			want: []string{"Cancel[0].If", "worst-case cost"}},
		{name: "100,000-term expression", ifx: terms(100_000),
			want: []string{"If expression: \"event.data.a + event.data.a", "expression is 1499997 bytes, over the limit of 16384"}},
		{name: "syntax error at the end of a long expression", ifx: "event.data.s == '" + strings.Repeat("a", 14_000) + "' &&",
			want: []string{`If expression: "event.data.s == 'aaaa`, "1:14022: Syntax error: mismatched input '<EOF>'", `aaaa' &&" (bytes 13957-14021 of 14021)`}},
		{name: "too deep", ifx: terms(1000), want: []string{"max recursion depth exceeded"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.ID = "hostile"
			f := runtime.NewFunction(tt.opts, runtime.EventTrigger("app/thing", tt.ifx), nop)
			_, err := runtime.New(runtime.Options{Store: nopStore(t), Functions: []*runtime.Function{f}})
			if err == nil {
				t.Fatal("New accepted the function")
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error does not contain %q:\n%s", w, msg)
				}
			}
			if len(msg) > maxErrorBytes {
				t.Errorf("error is %d bytes, want at most %d:\n%.2000s", len(msg), maxErrorBytes, msg)
			}
		})
	}
}

func TestLinearExpressionsAcceptedAtDefinition(t *testing.T) {
	for _, src := range []string{
		"event.data.amount > 100",
		"event.data.l.all(x, x > 0)",
		"event.data.items.exists(i, i.sku == 'a' && i.quantity > 2)",
		"size(event.data.l.filter(x, x > 2)) > 1",
		"event.data.name.startsWith('a') || event.data.name.matches('^b')",
	} {
		f := runtime.NewFunction(runtime.FunctionOpts{ID: "fine", Idempotency: src}, runtime.EventTrigger("app/thing", src), nop)
		if _, err := runtime.New(runtime.Options{Store: nopStore(t), Functions: []*runtime.Function{f}}); err != nil {
			t.Errorf("%s: %v", src, err)
		}
	}
}

func TestCostlyExpressionRefusesTheEvent(t *testing.T) {
	tests := []struct {
		name      string
		opts      runtime.Options
		fn        runtime.FunctionOpts
		ifx       string
		unchecked bool // the If bypasses the definition-time estimate
		data      map[string]any
		want      []string
	}{
		{name: "nested all over 20,000 elements", ifx: nestedAll, unchecked: true, data: intList(20_000),
			want: []string{`function "costly": trigger If: evaluating "event.data.l.all(x, event.data.l.all(y, x + y >= 0))"`, "cost over 1000000 (Options.ExpressionCostLimit)"}},
		{name: "map of map over 3,000 elements", ifx: mapOfMap, unchecked: true, data: intList(3_000),
			want: []string{"trigger If", "cost over 1000000 (Options.ExpressionCostLimit)"}},
		{name: "nested all stopped by the deadline", ifx: nestedAll, unchecked: true, data: intList(20_000),
			opts: runtime.Options{ExpressionCostLimit: 1 << 62, ExpressionTimeout: 50 * time.Millisecond},
			want: []string{"trigger If", "time over 50ms (Options.ExpressionTimeout)"}},
		{name: "linear If over the largest list", ifx: "event.data.l.all(x, x + 1 >= 0)", data: zeros(200_000),
			want: []string{"trigger If", "cost over 1000000"}},
		{name: "idempotency key over a lowered limit", fn: runtime.FunctionOpts{Idempotency: "event.data.l.map(x, x + 1)"},
			opts: runtime.Options{ExpressionCostLimit: 10_000}, data: intList(20_000),
			want: []string{`flow control: Idempotency "event.data.l.map(x, x + 1)"`, "cost over 10000"}},
		{name: "concurrency key over a lowered limit",
			fn:   runtime.FunctionOpts{Concurrency: []runtime.Concurrency{{Limit: 2, Key: "string(size(event.data.l.filter(x, x % 2 == 0)))"}}},
			opts: runtime.Options{ExpressionCostLimit: 10_000}, data: intList(20_000),
			want: []string{"flow control: Concurrency[0].Key", "cost over 10000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn.ID = "costly"
			if tt.opts.ExpressionTimeout == 0 {
				// The cost limit must be what stops these: under -race,
				// evaluation is slow enough to reach the default 1 s
				// deadline first.
				tt.opts.ExpressionTimeout = time.Minute
			}
			ifx := tt.ifx
			if tt.unchecked {
				ifx = "true" // replaced below
			}
			costly := runtime.NewFunction(tt.fn, runtime.EventTrigger("app/costly", ifx), nop)
			if tt.unchecked {
				if err := runtime.SetTriggerIfUnestimated(costly, tt.ifx); err != nil {
					t.Fatal(err)
				}
			}
			plain := runtime.NewFunction(runtime.FunctionOpts{ID: "plain"}, runtime.EventTrigger("app/plain", ""), nop)
			eng := limitedEngine(t, tt.opts, costly, plain)
			// A safety net only: the Send must fail, not hang.
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			good := runtime.Event{Name: "app/plain", ID: "good-1", Data: map[string]any{}}
			_, err := eng.Send(ctx, good, runtime.Event{Name: "app/costly", ID: "bad-1", Data: tt.data})
			if err == nil {
				t.Fatal("Send accepted the event")
			}
			msg := err.Error()
			for _, w := range append(tt.want, `event 1 ("app/costly", id "bad-1")`) {
				if !strings.Contains(msg, w) {
					t.Errorf("error does not contain %q:\n%s", w, msg)
				}
			}
			if len(msg) > maxErrorBytes {
				t.Errorf("error is %d bytes, want at most %d", len(msg), maxErrorBytes)
			}
			// Nothing of the batch was stored: the good event, sent again
			// with its ID, is new and starts its run.
			if _, err := eng.Send(ctx, good); err != nil {
				t.Fatal(err)
			}
			runs, err := runList(eng.Runs(ctx, runtime.RunFilter{}))
			if err != nil {
				t.Fatal(err)
			}
			if len(runs) != 1 || runs[0].FunctionID != "plain" {
				t.Errorf("runs = %+v, want one run of plain", runs)
			}
		})
	}
}

// TestCostlyExpressionDoesNotStallOtherRuns evaluates an expression that
// runs until its deadline while other events are sent: their runs commit
// meanwhile, because trigger expressions are evaluated outside the store's
// writer.
func TestCostlyExpressionDoesNotStallOtherRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for an expression deadline of 5s")
	}
	const deadline = 5 * time.Second
	costly := runtime.NewFunction(runtime.FunctionOpts{ID: "costly"}, runtime.EventTrigger("app/costly", "true"), nop)
	if err := runtime.SetTriggerIfUnestimated(costly, nestedAll); err != nil {
		t.Fatal(err)
	}
	plain := runtime.NewFunction(runtime.FunctionOpts{ID: "plain"}, runtime.EventTrigger("app/plain", ""), nop)
	eng := limitedEngine(t, runtime.Options{ExpressionCostLimit: 1 << 62, ExpressionTimeout: deadline}, costly, plain)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	costlyErr := make(chan error, 1)
	go func() {
		_, err := eng.Send(ctx, runtime.Event{Name: "app/costly", Data: intList(20_000)})
		costlyErr <- err
	}()
	const n = 5
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if _, err := eng.Send(ctx, runtime.Event{Name: "app/plain", Data: map[string]any{"i": i}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for {
		runs, err := runList(eng.Runs(ctx, runtime.RunFilter{FunctionID: "plain", Statuses: []runtime.RunStatus{runtime.RunCompleted}}))
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == n {
			break
		}
		select {
		case err := <-costlyErr:
			t.Fatalf("the costly Send returned (%v) before the other runs completed (%d of %d)", err, len(runs), n)
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
	err := <-costlyErr
	if err == nil || !strings.Contains(err.Error(), "time over 5s (Options.ExpressionTimeout)") {
		t.Errorf("costly Send: err = %v, want the expression deadline named", err)
	}
}

func TestHostileEventsRefused(t *testing.T) {
	big := strings.Repeat("x", 10<<20)
	tests := []struct {
		name string
		opts runtime.Options
		ev   runtime.Event
		want []string
	}{
		{name: "10 MB data", ev: runtime.Event{Name: "app/plain", ID: "e1", Data: map[string]any{"s": big}},
			want: []string{`event 1 ("app/plain", id "e1"): data is 10485768 bytes of JSON, over the limit of 524288 (Options.MaxEventDataBytes)`}},
		{name: "data over a lowered limit", opts: runtime.Options{MaxEventDataBytes: 100},
			ev:   runtime.Event{Name: "app/plain", Data: map[string]any{"s": strings.Repeat("x", 100)}},
			want: []string{`event 1 ("app/plain"): data is 108 bytes of JSON, over the limit of 100`}},
		{name: "1 MB name", ev: runtime.Event{Name: "app/" + big[:1<<20], Data: map[string]any{}},
			want: []string{"event 1: name is 1048580 bytes, over the limit of 256 (Options.MaxEventNameBytes)", `"app/xxxx`, "(bytes 0-64 of 1048580)"}},
		{name: "1 MB ID", ev: runtime.Event{Name: "app/plain", ID: big[:1<<20], Data: map[string]any{}},
			want: []string{`event 1 ("app/plain"): ID is 1048576 bytes, over the limit of 128 (Options.MaxEventIDBytes)`}},
		{name: "NUL in the name", ev: runtime.Event{Name: "app/pl\x00ain", Data: map[string]any{}},
			want: []string{`event 1: name has a control or invalid character at byte 6: "app/pl\x00ain"`}},
		{name: "newline in the name", ev: runtime.Event{Name: "app/plain\nlevel=ERROR msg=forged", Data: map[string]any{}},
			want: []string{`name has a control or invalid character at byte 9: "app/plain\nlevel=ERROR msg=forged"`}},
		{name: "ANSI escape in the name", ev: runtime.Event{Name: "app/\x1b[2Jplain", Data: map[string]any{}},
			want: []string{`name has a control or invalid character at byte 4: "app/\x1b[2Jplain"`}},
		{name: "invalid UTF-8 in the name", ev: runtime.Event{Name: "app/\xffplain", Data: map[string]any{}},
			want: []string{`name has a control or invalid character at byte 4`}},
		{name: "escape in the ID", ev: runtime.Event{Name: "app/plain", ID: "id\x1b]0;pwned\x07", Data: map[string]any{}},
			want: []string{`event 1 (id "id\x1b]0;pwned\a") ("app/plain"): ID has a control or invalid character at byte 2`}},
		{name: "null data", ev: runtime.Event{Name: "app/plain", ID: "e2"},
			want: []string{`event 1 ("app/plain"): data must encode to a JSON object, not null`}},
		{name: "name over a lowered limit", opts: runtime.Options{MaxEventNameBytes: 9}, ev: runtime.Event{Name: "app/plain2", Data: map[string]any{}},
			want: []string{"name is 10 bytes, over the limit of 9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain := runtime.NewFunction(runtime.FunctionOpts{ID: "plain"}, runtime.EventTrigger("app/plain", ""), nop)
			eng := limitedEngine(t, tt.opts, plain)
			ctx := context.Background()
			good := runtime.Event{Name: "app/plain", ID: "good-1", Data: map[string]any{}}
			_, err := eng.Send(ctx, good, tt.ev)
			if err == nil {
				t.Fatal("Send accepted the event")
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error does not contain %q:\n%.2000s", w, msg)
				}
			}
			if len(msg) > maxErrorBytes {
				t.Errorf("error is %d bytes, want at most %d", len(msg), maxErrorBytes)
			}
			if _, err := eng.Send(ctx, good); err != nil {
				t.Fatal(err)
			}
			runs, err := runList(eng.Runs(ctx, runtime.RunFilter{}))
			if err != nil {
				t.Fatal(err)
			}
			if len(runs) != 1 {
				t.Errorf("%d runs, want 1 (the good event, sent again)", len(runs))
			}
		})
	}
}

// TestEventsAtTheLimitsAccepted sends events exactly at each limit.
func TestEventsAtTheLimitsAccepted(t *testing.T) {
	plain := runtime.NewFunction(runtime.FunctionOpts{ID: "plain"}, runtime.EventTrigger("app/plain", ""), nop)
	name := "app/" + strings.Repeat("é", 126) // 256 bytes, printable
	named := runtime.NewFunction(runtime.FunctionOpts{ID: "named"}, runtime.EventTrigger(name, ""), nop)
	eng := limitedEngine(t, runtime.Options{}, plain, named)
	data := map[string]any{"s": strings.Repeat("x", runtime.DefaultMaxEventDataBytes-8)} // {"s":"..."} is 8 bytes more
	events := []runtime.Event{
		{Name: "app/plain", ID: strings.Repeat("i", runtime.DefaultMaxEventIDBytes), Data: data},
		{Name: name, ID: "named-1", Data: map[string]any{"tab\tin": "a value\nwith lines"}},
	}
	if _, err := eng.Send(context.Background(), events...); err != nil {
		t.Fatal(err)
	}
}

// TestCostlyWaitIfIgnoresTheEvent: a wait's If over the cost limit does
// not match (the sender is not refused for a waiting run's expression, and
// the run keeps waiting for an event that fits).
func TestCostlyWaitIfIgnoresTheEvent(t *testing.T) {
	done := runtime.NewEventType[map[string]any]("app/done", "", nil)
	waiter := runtime.NewFunction(runtime.FunctionOpts{ID: "waiter"}, runtime.EventTrigger("app/start", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			ev, err := step.WaitForEvent(ctx, "done", done, step.WaitOpts{Timeout: time.Hour, If: "async.data.l.all(x, x >= 0)"})
			if err != nil {
				return nil, err
			}
			return len(ev.Data["l"].([]any)), nil
		})
	eng := limitedEngine(t, runtime.Options{ExpressionCostLimit: 10_000}, waiter)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := eng.Send(ctx, runtime.Event{Name: "app/start", Data: map[string]any{}}); err != nil {
		t.Fatal(err)
	}
	var runID string
	for runID == "" {
		runs, err := runList(eng.Runs(ctx, runtime.RunFilter{FunctionID: "waiter", Statuses: []runtime.RunStatus{runtime.RunWaiting}}))
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == 1 {
			runID = runs[0].ID
		}
		time.Sleep(2 * time.Millisecond)
	}
	for _, n := range []int{20_000, 3} {
		if _, err := eng.Send(ctx, runtime.Event{Name: "app/done", Data: zeros(n)}); err != nil {
			t.Fatalf("Send of %d elements: %v", n, err)
		}
	}
	for {
		info, err := eng.Run(ctx, runID)
		if err != nil {
			t.Fatal(err)
		}
		if info.Status == runtime.RunCompleted {
			if string(info.Output) != "3" {
				t.Errorf("output = %s, want 3 (the event of 20,000 elements over the cost limit ignored)", info.Output)
			}
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestSchemaErrorsBounded: a schema violation error lists at most 20
// violations and quotes hostile keys bounded and escaped.
func TestSchemaErrorsBounded(t *testing.T) {
	item := runtime.NewEventType[map[string]any]("app/items", "", []byte(`{
		"type": "object",
		"properties": {"items": {"type": "array", "items": {"type": "integer"}}},
		"additionalProperties": {"type": "integer"}
	}`))
	items := make([]any, 1000)
	for i := range items {
		items[i] = "not a number"
	}
	hostileKey := "k\x1b[31m" + strings.Repeat("x", 100_000)
	st := nopStore(t)
	eng, err := runtime.New(runtime.Options{Store: st, Events: []runtime.EventDescriptor{item}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = eng.Send(context.Background(), runtime.Event{Name: "app/items", Data: map[string]any{"items": items, hostileKey: "y"}})
	var ve *runtime.EventValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want an EventValidationError", err)
	}
	if len(ve.Violations) != 1001 {
		t.Errorf("%d violations, want 1001", len(ve.Violations))
	}
	msg := err.Error()
	if !strings.Contains(msg, "and 981 more") || strings.Contains(msg, "\x1b") || len(msg) > 4096 {
		t.Errorf("error is %d bytes, want at most 20 violations listed, escaped:\n%.3000s", len(msg), msg)
	}
}
