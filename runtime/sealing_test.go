package runtime_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/internal/vclock"
	"github.com/durable-go/durable/runtime/step"
)

// Secrets long enough that no ID, timestamp or ciphertext contains them by
// chance. The card number is short, so it is looked for as a JSON string.
const (
	secretStreet = "221B Secret Street"
	secretSerial = "SN-CONFIDENTIAL-0042"
	secretToken  = "tok_live_PLAINTEXT_9f8e7d"
	secretCard   = "4917"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// storedText returns everything the store keeps about events, runs, steps
// and waits, read through a read-only connection to the SQLite file.
func storedText(t testing.TB, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var all strings.Builder
	for _, q := range []string{
		"SELECT envelope FROM events",
		"SELECT events || coalesce(output, '') || coalesce(error, '') FROM runs",
		"SELECT coalesce(output, '') || coalesce(error, '') FROM steps",
		"SELECT coalesce(trigger, '') FROM waits",
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			all.WriteString(s)
			all.WriteByte('\n')
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return all.String()
}

func secretOrder() ordData {
	return ordData{
		OrderID:   orderID,
		Items:     []lineItm{{SKU: "a", Quantity: 1, Serial: secretSerial}, {SKU: "b", Quantity: 2}},
		CardLast4: secretCard,
		Shipping:  &address{Street: secretStreet, City: "London"},
	}
}

// leaks returns the secrets found in s.
func leaks(s string) []string {
	var out []string
	for _, secret := range []string{secretStreet, secretSerial, secretToken, `"` + secretCard + `"`} {
		if strings.Contains(s, secret) {
			out = append(out, secret)
		}
	}
	return out
}

func TestSensitiveFieldsEncryptedAtRest(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	record := func(s string) {
		mu.Lock()
		seen = append(seen, s)
		mu.Unlock()
	}
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "checkout"}, ordCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[ordData]) (any, error) {
			d := in.Event.Data
			record("order " + d.CardLast4 + "|" + d.Shipping.Street + "|" + d.Items[0].Serial)
			if err := step.Sleep(ctx, "cool-off", time.Hour); err != nil {
				return nil, err
			}
			pay, err := step.WaitForEvent(ctx, "wait-payment", payReceived, step.WaitOpts{Timeout: 24 * time.Hour})
			if err != nil {
				return nil, err
			}
			record("payment " + pay.Data.Token)
			return map[string]any{"paid": pay.Data.OrderID}, nil
		})
	var logs lockedBuffer
	te := newEngineOpts(t, runtime.Options{
		Events: catalog, EncryptionKey: testKey, Functions: []*runtime.Function{fn},
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	te.send(t, ordCreated.Name(), secretOrder())
	runID := te.onlyRun(t, "checkout")
	te.await(t, runID, runtime.RunSleeping)
	te.advanceUntil(t, runID, 30*time.Minute, runtime.RunWaiting)
	te.send(t, payReceived.Name(), payData{OrderID: orderID, Token: secretToken})
	info := te.await(t, runID, runtime.RunCompleted, runtime.RunFailed)
	if info.Status != runtime.RunCompleted {
		t.Fatalf("run %s: %s", info.Status, info.Error)
	}

	wantOrder := "order " + secretCard + "|" + secretStreet + "|" + secretSerial
	mu.Lock()
	got := append([]string(nil), seen...)
	mu.Unlock()
	// Three executions: the first, after the sleep, after the payment; the
	// last one gets the wait's result from the journal.
	want := []string{wantOrder, wantOrder, wantOrder, "payment " + secretToken}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the function saw\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// At rest, in what the engine reports, and in logs: only ciphertexts.
	stored := storedText(t, te.path)
	if l := leaks(stored); len(l) > 0 {
		t.Errorf("the store holds plaintext %q", l)
	}
	if n := strings.Count(stored, `"$enc":"v1:`); n < 5 {
		t.Errorf("the store holds %d encrypted values, want at least 5 (4 in the order, 1 in the payment):\n%s", n, stored)
	}
	for _, f := range []string{te.path, te.path + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		for _, secret := range []string{secretStreet, secretSerial, secretToken} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("%s holds %q in the clear", filepath.Base(f), secret)
			}
		}
	}
	info, err := te.Run(context.Background(), runID)
	if err != nil {
		t.Fatal(err)
	}
	reported, _ := json.Marshal(info)
	if l := leaks(string(reported)); len(l) > 0 {
		t.Errorf("Engine.Run shows plaintext %q", l)
	}
	if !strings.Contains(string(info.Events[0]), `"$enc"`) {
		t.Errorf("RunInfo.Events does not show the encrypted form: %s", info.Events[0])
	}
	if l := leaks(logs.String()); len(l) > 0 {
		t.Errorf("logs hold plaintext %q", l)
	}

	// A replay check sees the plaintext too.
	if err := te.CheckReplay(context.Background(), runID); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	last := seen[len(seen)-1]
	mu.Unlock()
	if last != "payment "+secretToken {
		t.Errorf("replay saw %q", last)
	}
}

func TestFailureHandlerSeesPlaintext(t *testing.T) {
	got := make(chan string, 1)
	fn := runtime.NewFunction(runtime.FunctionOpts{
		ID: "doomed", Retries: runtime.Retries(0),
		OnFailure: func(ctx context.Context, in runtime.Input[runtime.FunctionFailedData]) (any, error) {
			ev, err := ordCreated.Decode(in.Event.Data.Event)
			if err != nil {
				return nil, err
			}
			got <- ev.Data.Shipping.Street
			return nil, nil
		},
	}, ordCreated.Trigger(), func(ctx context.Context, in runtime.Input[ordData]) (any, error) {
		return nil, runtime.NonRetriable(errors.New("out of stock"))
	})
	te := newEngineOpts(t, runtime.Options{Events: catalog, EncryptionKey: testKey, Functions: []*runtime.Function{fn}})
	te.send(t, ordCreated.Name(), secretOrder())
	select {
	case street := <-got:
		if street != secretStreet {
			t.Errorf("failure handler saw street %q", street)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("failure handler did not run")
	}
	if l := leaks(storedText(t, te.path)); len(l) > 0 {
		t.Errorf("the store holds plaintext %q", l)
	}
}

// encValue returns the encrypted form stored at the JSON pointer ptr (under
// /data) of envelope env.
func encValue(t testing.TB, env map[string]any, ptr string) any {
	t.Helper()
	var v any = env
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		v = v.(map[string]any)[tok]
	}
	if m, ok := v.(map[string]any); !ok || m["$enc"] == nil {
		t.Fatalf("%s is stored as %v, not encrypted", ptr, v)
	}
	return v
}

func setAt(env map[string]any, ptr string, val any) {
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	var m = env
	for _, tok := range toks[:len(toks)-1] {
		m = m[tok].(map[string]any)
	}
	m[toks[len(toks)-1]] = val
}

func TestMovedCiphertextDoesNotDecrypt(t *testing.T) {
	tests := []struct {
		name string
		// tamper changes the stored envelope a of the run, given the
		// stored envelope b of another event.
		tamper func(t *testing.T, a, b map[string]any)
		ok     bool
	}{
		{name: "untouched", tamper: func(*testing.T, map[string]any, map[string]any) {}, ok: true},
		{name: "from another event", tamper: func(t *testing.T, a, b map[string]any) {
			setAt(a, "/data/card_last4", encValue(t, b, "/data/card_last4"))
		}},
		{name: "from another field", tamper: func(t *testing.T, a, _ map[string]any) {
			setAt(a, "/data/card_last4", encValue(t, a, "/data/shipping/street"))
		}},
		{name: "corrupted", tamper: func(t *testing.T, a, _ map[string]any) {
			enc := encValue(t, a, "/data/card_last4").(map[string]any)
			s := enc["$enc"].(string)
			enc["$enc"] = s[:len(s)-4] + "AAAA"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "test.db")
			ran := make(chan struct{}, 1)
			fn := runtime.NewFunction(runtime.FunctionOpts{ID: "reader", Retries: runtime.Retries(0)}, ordCreated.Trigger(),
				func(ctx context.Context, in runtime.Input[ordData]) (any, error) {
					if in.Event.ID == "evt-a" {
						select {
						case ran <- struct{}{}:
						default:
						}
					}
					return nil, nil
				})
			opts := runtime.Options{Events: catalog, EncryptionKey: testKey, Functions: []*runtime.Function{fn}}

			// Store two events (and their runs) without executing them.
			st := openStore(t, path)
			opts.Store, opts.Clock = st, vclock.New(epoch)
			eng, err := runtime.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			a, b := ordCreated.New(secretOrder()), ordCreated.New(secretOrder())
			a.ID, b.ID = "evt-a", "evt-b"
			if _, err := eng.Send(context.Background(), a, b); err != nil {
				t.Fatal(err)
			}
			st.Close()

			// Tamper with the run of evt-a, as someone with access to the
			// database could.
			db, err := sql.Open("sqlite", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			var envB []byte
			if err := db.QueryRow("SELECT envelope FROM events WHERE id = 'evt-b'").Scan(&envB); err != nil {
				t.Fatal(err)
			}
			var runID string
			var runEvents []map[string]any
			rows, err := db.Query("SELECT id, events FROM runs")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id string
				var evs []byte
				var envs []map[string]any
				if err := rows.Scan(&id, &evs); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(evs, &envs); err != nil {
					t.Fatalf("run %s events %q: %v", id, evs, err)
				}
				if envs[0]["id"] == "evt-a" {
					runID, runEvents = id, envs
				}
			}
			rows.Close()
			if runID == "" {
				t.Fatal("no run for evt-a")
			}
			var envelopeB map[string]any
			if err := json.Unmarshal(envB, &envelopeB); err != nil {
				t.Fatal(err)
			}
			tt.tamper(t, runEvents[0], envelopeB)
			evsA, _ := json.Marshal(runEvents)
			if _, err := db.Exec("UPDATE runs SET events = ? WHERE id = ?", evsA, runID); err != nil {
				t.Fatal(err)
			}
			db.Close()

			opts.Store = nil
			te := startEngineOpts(t, path, opts)
			err = te.CheckReplay(context.Background(), runID)
			info := te.await(t, runID, runtime.RunCompleted, runtime.RunFailed)
			if tt.ok {
				if err != nil || info.Status != runtime.RunCompleted {
					t.Fatalf("untouched run: replay check %v; status %s (%s)", err, info.Status, info.Error)
				}
				return
			}
			var de *runtime.DecryptError
			if !errors.As(err, &de) || de.EventID != "evt-a" || de.Pointer != "/data/card_last4" {
				t.Errorf("replay check: %v, want a DecryptError for evt-a /data/card_last4", err)
			}
			if info.Status != runtime.RunFailed {
				t.Fatalf("status %s, want failed", info.Status)
			}
			for _, w := range []string{"evt-a", "/data/card_last4", "cannot be decrypted"} {
				if !strings.Contains(info.Error, w) {
					t.Errorf("run error %q does not contain %q", info.Error, w)
				}
			}
			select {
			case <-ran:
				t.Error("the function ran on an event that did not decrypt")
			default:
			}
		})
	}
}

func TestEncryptionKeyConfiguration(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString
	plainCatalog := []runtime.EventDescriptor{runtime.NewEventType[payData]("test/plain", "1", []byte(`{"type":"object"}`))}
	tests := []struct {
		name   string
		env    string
		key    []byte
		events []runtime.EventDescriptor
		want   []string // substrings of New's error; nil: New succeeds
		hidden string   // must not appear in the error
	}{
		{name: "key from options", key: testKey, events: catalog},
		{name: "key from the environment", env: b64(testKey), events: catalog},
		{name: "options win over the environment", env: "garbage", key: testKey, events: catalog},
		{name: "no sensitive field needs no key", events: plainCatalog},
		{name: "sensitive fields without a key", events: catalog,
			want: []string{"sensitive fields", "test/order.created", "test/payment.received", "no encryption key is set", "DURABLE_ENCRYPTION_KEY"}},
		{name: "options key too short", key: testKey[:16], events: catalog,
			want: []string{"Options.EncryptionKey is 16 bytes"}},
		{name: "environment not base64", env: "s3cr3t-n0t-b@se64!", events: catalog,
			want: []string{"DURABLE_ENCRYPTION_KEY is not valid standard base64"}, hidden: "s3cr3t-n0t-b@se64!"},
		{name: "environment key too short", env: b64([]byte("short-key-material")), events: catalog,
			want: []string{"DURABLE_ENCRYPTION_KEY decodes to 18 bytes"}, hidden: b64([]byte("short-key-material"))},
		{name: "bad environment key with nothing to encrypt", env: "%%%", events: plainCatalog,
			want: []string{"DURABLE_ENCRYPTION_KEY"}, hidden: "%%%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(runtime.EncryptionKeyEnv, tt.env)
			eng, err := runtime.New(runtime.Options{Store: nopStore(t), Events: tt.events, EncryptionKey: tt.key})
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("New succeeded: %v", eng)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if tt.hidden != "" && strings.Contains(err.Error(), tt.hidden) {
				t.Errorf("error %q echoes the key", err)
			}
		})
	}
}

// An engine with the key from the environment stores ciphertexts that an
// engine with the same key in Options reads.
func TestEnvironmentKeyEncrypts(t *testing.T) {
	t.Setenv(runtime.EncryptionKeyEnv, base64.StdEncoding.EncodeToString(testKey))
	got := make(chan string, 1)
	fn := runtime.NewFunction(runtime.FunctionOpts{ID: "env-key"}, ordCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[ordData]) (any, error) {
			got <- in.Event.Data.Items[0].Serial
			return nil, nil
		})
	te := newEngineOpts(t, runtime.Options{Events: catalog, Functions: []*runtime.Function{fn}})
	te.send(t, ordCreated.Name(), secretOrder())
	if s := <-got; s != secretSerial {
		t.Errorf("function saw serial %q", s)
	}
	if l := leaks(storedText(t, te.path)); len(l) > 0 {
		t.Errorf("the store holds plaintext %q", l)
	}
}
