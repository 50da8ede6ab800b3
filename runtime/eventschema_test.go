package runtime_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/internal/vclock"
	"github.com/durable-go/durable/runtime/step"
	_ "modernc.org/sqlite"
)

// orderSchema is shaped like what `durable generate` emits: $defs, $refs,
// arrays, formats and sensitive fields, at the top and inside $defs.
const orderSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://schemas.example.com/test/order.created.json",
  "$defs": {
    "Address": {
      "type": "object",
      "properties": {
        "street": {"type": "string", "writeOnly": true, "x-sensitive": true},
        "city": {"type": "string"}
      },
      "required": ["street", "city"],
      "additionalProperties": false
    },
    "LineItem": {
      "type": "object",
      "properties": {
        "sku": {"type": "string"},
        "quantity": {"type": "integer", "minimum": 1},
        "serial": {"type": "string", "writeOnly": true, "x-sensitive": true}
      },
      "required": ["sku", "quantity"],
      "additionalProperties": false
    }
  },
  "type": "object",
  "properties": {
    "order_id": {"type": "string", "format": "uuid"},
    "items": {"type": "array", "items": {"$ref": "#/$defs/LineItem"}},
    "card_last4": {"type": "string", "pattern": "^[0-9]{4}$", "writeOnly": true, "x-sensitive": true},
    "shipping": {"$ref": "#/$defs/Address"}
  },
  "required": ["order_id", "items"],
  "additionalProperties": false
}`

const paymentSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "order_id": {"type": "string"},
    "token": {"type": "string", "x-sensitive": true}
  },
  "required": ["order_id"],
  "additionalProperties": false
}`

type lineItm struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
	Serial   string `json:"serial,omitempty"`
}

type address struct {
	Street string `json:"street"`
	City   string `json:"city"`
}

type ordData struct {
	OrderID   string    `json:"order_id"`
	Items     []lineItm `json:"items"`
	CardLast4 string    `json:"card_last4,omitempty"`
	Shipping  *address  `json:"shipping,omitempty"`
}

type payData struct {
	OrderID string `json:"order_id"`
	Token   string `json:"token,omitempty"`
}

var (
	ordCreated  = runtime.NewEventType[ordData]("test/order.created", "1", []byte(orderSchema))
	payReceived = runtime.NewEventType[payData]("test/payment.received", "1", []byte(paymentSchema))
	catalog     = []runtime.EventDescriptor{ordCreated, payReceived}
	testKey     = []byte("0123456789abcdef0123456789abcdef")
)

const orderID = "5f0c7a9e-3b1d-4c2e-9a4f-1e2d3c4b5a69"

// newEngineOpts starts an engine with opts (Store, Clock and PollInterval
// are set) on a fresh SQLite file.
func newEngineOpts(t testing.TB, opts runtime.Options) *testEngine {
	t.Helper()
	return startEngineOpts(t, filepath.Join(t.TempDir(), "test.db"), opts)
}

// startEngineOpts starts an engine with opts on the SQLite file at path.
func startEngineOpts(t testing.TB, path string, opts runtime.Options) *testEngine {
	t.Helper()
	st := openStore(t, path)
	clock := vclock.New(epoch)
	opts.Store, opts.Clock, opts.PollInterval = st, clock, 20*time.Millisecond
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
	return &testEngine{Engine: eng, clock: clock, path: path}
}

// countRows counts the rows of table (which may end in a WHERE clause) in
// the SQLite file, opened read-only.
func countRows(t testing.TB, path, table string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func pointers(vs []runtime.Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Pointer)
	}
	return out
}

func TestSendValidatesAgainstSchema(t *testing.T) {
	te := newEngineOpts(t, runtime.Options{Events: catalog, EncryptionKey: testKey})
	tests := []struct {
		name string
		data any
		// want lists the pointers of the violations; nil means valid.
		want []string
		// hidden must appear in no reason (values of sensitive fields).
		hidden []string
	}{
		{
			name: "valid",
			data: ordData{OrderID: orderID, Items: []lineItm{{SKU: "a", Quantity: 1, Serial: "SN-1"}}, CardLast4: "4242", Shipping: &address{"1 Secret Lane", "Paris"}},
		},
		{
			name: "every violation at once",
			data: map[string]any{
				"order_id":   "not-a-uuid",
				"items":      []any{map[string]any{"sku": "a", "quantity": 0}, map[string]any{"quantity": 2, "color": "red"}},
				"card_last4": "12x4",
				"shipping":   map[string]any{"street": 7},
				"extra":      true,
			},
			want: []string{
				"/data/card_last4", "/data/extra", "/data/items/0/quantity", "/data/items/1/color",
				"/data/items/1/sku", "/data/order_id", "/data/shipping/city", "/data/shipping/street",
			},
			hidden: []string{"12x4"},
		},
		{
			name: "wrong types",
			data: map[string]any{"order_id": 5, "items": "none"},
			want: []string{"/data/items", "/data/order_id"},
		},
		{
			name: "empty data",
			data: map[string]any{},
			want: []string{"/data/items", "/data/order_id"},
		},
		{
			name:   "sensitive bound",
			data:   map[string]any{"order_id": orderID, "items": []any{map[string]any{"sku": "a", "quantity": 1, "serial": 123456789}}},
			want:   []string{"/data/items/0/serial"},
			hidden: []string{"123456789"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "evt-" + strings.ReplaceAll(tt.name, " ", "-")
			ids, err := te.Send(context.Background(),
				runtime.Event{Name: "test/uncatalogued", Data: map[string]any{"anything": 1}},
				runtime.Event{Name: ordCreated.Name(), Data: tt.data, ID: id})
			if tt.want == nil {
				if err != nil {
					t.Fatalf("valid event rejected: %v", err)
				}
				if len(ids) != 2 {
					t.Fatalf("ids = %v", ids)
				}
				return
			}
			var ve *runtime.EventValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want an EventValidationError", err)
			}
			if ve.Index != 1 || ve.Name != ordCreated.Name() || ve.ID != id {
				t.Errorf("error names event %d %q %q, want 1 %q %q", ve.Index, ve.Name, ve.ID, ordCreated.Name(), id)
			}
			if got := pointers(ve.Violations); !slices.Equal(got, tt.want) {
				t.Errorf("pointers = %q\nwant       %q\n%v", got, tt.want, err)
			}
			msg := err.Error()
			for _, p := range tt.want {
				if !strings.Contains(msg, "\n\t"+p+": ") {
					t.Errorf("message does not list %s:\n%s", p, msg)
				}
			}
			if !strings.Contains(msg, `event 1 ("test/order.created", id `+id+`)`) {
				t.Errorf("message does not name the event: %s", msg)
			}
			for _, v := range ve.Violations {
				if v.Reason == "" {
					t.Errorf("%s: empty reason", v.Pointer)
				}
				for _, h := range tt.hidden {
					if strings.Contains(v.Reason, h) {
						t.Errorf("%s: reason %q quotes the sensitive value %q", v.Pointer, v.Reason, h)
					}
				}
			}
		})
	}
}

func TestRejectedBatchStoresNothing(t *testing.T) {
	started := make(chan string, 10)
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "on-order"}, ordCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[ordData]) (any, error) {
			started <- in.Event.ID
			return nil, nil
		})
	te := newEngineOpts(t, runtime.Options{Events: catalog, EncryptionKey: testKey, Functions: []*runtime.Function{fn}})
	valid := ordCreated.New(ordData{OrderID: orderID, Items: []lineItm{{SKU: "a", Quantity: 1}}})
	valid.ID = "good"
	for _, batch := range [][]runtime.Event{
		{valid, {Name: ordCreated.Name(), Data: map[string]any{"order_id": orderID}}},
		{{Name: "test/other", Data: map[string]any{}}, valid, {Name: payReceived.Name(), Data: map[string]any{"token": "x"}}},
	} {
		if _, err := te.Send(context.Background(), batch...); err == nil {
			t.Fatal("invalid batch accepted")
		}
	}
	for _, table := range []string{"events", "runs"} {
		if n := countRows(t, te.path, table); n != 0 {
			t.Errorf("%s has %d rows after rejected sends, want 0", table, n)
		}
	}
	select {
	case id := <-started:
		t.Fatalf("a rejected batch started a run for %s", id)
	case <-time.After(50 * time.Millisecond):
	}
	// The same valid event alone is stored and runs.
	if _, err := te.Send(context.Background(), valid); err != nil {
		t.Fatal(err)
	}
	if id := <-started; id != "good" {
		t.Fatalf("run for %q", id)
	}
}

func TestSendFromStepIsValidated(t *testing.T) {
	tests := []struct {
		name    string
		data    any
		wantErr []string // pointers; nil: the send succeeds
	}{
		{name: "valid", data: ordData{OrderID: orderID, Items: []lineItm{{SKU: "a", Quantity: 3}}}},
		{name: "invalid", data: map[string]any{"items": []any{map[string]any{"sku": "a", "quantity": -1}}},
			wantErr: []string{"/data/items/0/quantity", "/data/order_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stepErr error
			fn := runtime.NewFunction(runtime.FunctionOpts{ID: "emitter", Retries: runtime.Retries(0)}, runtime.EventTrigger("test/go", ""),
				func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
					_, err := step.SendEvent(ctx, "emit", runtime.Event{Name: ordCreated.Name(), Data: tt.data})
					stepErr = err
					return nil, err
				})
			te := newEngineOpts(t, runtime.Options{Events: catalog, EncryptionKey: testKey, Functions: []*runtime.Function{fn}})
			te.send(t, "test/go", map[string]any{})
			info := te.await(t, te.onlyRun(t, "emitter"), runtime.RunCompleted, runtime.RunFailed)
			if tt.wantErr == nil {
				if info.Status != runtime.RunCompleted {
					t.Fatalf("run %s: %s", info.Status, info.Error)
				}
				if n := countRows(t, te.path, "events WHERE name = '"+ordCreated.Name()+"'"); n != 1 {
					t.Errorf("%d events sent from the step stored, want 1", n)
				}
				return
			}
			if info.Status != runtime.RunFailed {
				t.Fatalf("run %s, want failed", info.Status)
			}
			var ve *runtime.EventValidationError
			if !errors.As(stepErr, &ve) {
				t.Fatalf("step error %v is not an EventValidationError", stepErr)
			}
			if got := pointers(ve.Violations); !slices.Equal(got, tt.wantErr) {
				t.Errorf("pointers = %q, want %q", got, tt.wantErr)
			}
			for _, p := range tt.wantErr {
				if !strings.Contains(info.Error, p) {
					t.Errorf("run error does not name %s: %s", p, info.Error)
				}
			}
			if !strings.Contains(info.Error, `step "emit"`) {
				t.Errorf("run error does not name the step: %s", info.Error)
			}
			if n := countRows(t, te.path, "events WHERE name = '"+ordCreated.Name()+"'"); n != 0 {
				t.Errorf("%d invalid events stored, want 0", n)
			}
		})
	}
}

func TestNewChecksSchemas(t *testing.T) {
	tests := []struct {
		name   string
		events []runtime.EventDescriptor
		want   []string // substrings of the error; nil: no error
	}{
		{name: "no schema", events: []runtime.EventDescriptor{runtime.NewEventType[ordData]("test/free", "1", nil)}},
		{name: "not JSON", events: []runtime.EventDescriptor{runtime.NewEventType[ordData]("test/broken", "1", []byte(`{"type":`))},
			want: []string{`event "test/broken"`, "not valid JSON"}},
		{name: "invalid schema", events: []runtime.EventDescriptor{runtime.NewEventType[ordData]("test/bad", "1", []byte(`{"type": "objekt"}`))},
			want: []string{`event "test/bad"`, "invalid JSON Schema"}},
		{name: "remote ref", events: []runtime.EventDescriptor{runtime.NewEventType[ordData]("test/remote", "1", []byte(`{"$ref": "https://example.com/x.json"}`))},
			want: []string{`event "test/remote"`, "self-contained"}},
		{name: "duplicate", events: []runtime.EventDescriptor{ordCreated, ordCreated},
			want: []string{`event "test/order.created": given twice`}},
		{name: "nil", events: []runtime.EventDescriptor{nil}, want: []string{"Options.Events[0] is nil"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runtime.New(runtime.Options{Store: nopStore(t), Events: tt.events, EncryptionKey: testKey})
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("New accepted the events")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestEveryInvalidEventIsReported: a batch with several invalid events gets
// one error listing each of them, with its violations.
func TestEveryInvalidEventIsReported(t *testing.T) {
	te := newEngineOpts(t, runtime.Options{Events: catalog, EncryptionKey: testKey})
	valid := ordCreated.New(ordData{OrderID: orderID, Items: []lineItm{{SKU: "a", Quantity: 1}}})
	_, err := te.Send(context.Background(),
		runtime.Event{Name: ordCreated.Name(), Data: map[string]any{"order_id": orderID}},
		valid,
		runtime.Event{Name: ordCreated.Name(), Data: map[string]any{"items": []any{}}},
	)
	var invalid []int
	for _, e := range unwrapAll(err) {
		var ve *runtime.EventValidationError
		if errors.As(e, &ve) && len(ve.Violations) > 0 {
			invalid = append(invalid, ve.Index)
		}
	}
	if !slices.Equal(invalid, []int{0, 2}) {
		t.Errorf("invalid events reported: %v, want [0 2]; error:\n%v", invalid, err)
	}
}

func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

// TestNullDataRefused: null data is not the empty object, even for a type
// whose schema requires nothing; the generated schemas say so too
// ("type": "object").
func TestNullDataRefused(t *testing.T) {
	te := newEngineOpts(t, runtime.Options{Events: catalog, EncryptionKey: testKey})
	for _, data := range []any{nil, json.RawMessage("null")} {
		_, err := te.Send(context.Background(), runtime.Event{Name: ordCreated.Name(), Data: data})
		if err == nil || !strings.Contains(err.Error(), "data must encode to a JSON object, not null") {
			t.Errorf("data %#v: err = %v", data, err)
		}
	}
}
