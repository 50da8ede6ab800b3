package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

// The UI's fixture: an engine on SQLite (wall clock) with runs of every
// kind — completed with a retried step, failed, waiting for an event,
// sleeping, skipped by idempotency — and an event with a sensitive field.

// uiSecret is the value of the sensitive field: no page may show it.
const uiSecret = "SECRET-4242-XYZ"

type uiOrder struct {
	OrderID    string `json:"order_id"`
	CardLast4  string `json:"card_last4"`
	TotalCents int    `json:"total_cents"`
}

var uiOrderCreated = runtime.NewEventType[uiOrder]("shop/order.created", "1", []byte(`{
  "type": "object",
  "properties": {
    "order_id": {"type": "string", "minLength": 3},
    "card_last4": {"type": "string", "x-sensitive": true},
    "total_cents": {"type": "integer", "minimum": 1},
    "note": {"type": "string"}
  },
  "required": ["order_id", "total_cents"],
  "additionalProperties": false
}`))

type uiPaid struct {
	OrderID string `json:"order_id"`
}

var uiPaymentReceived = runtime.NewEventType[uiPaid]("shop/payment.received", "1", []byte(`{
  "type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}`))

type uiFixture struct {
	eng *runtime.Engine
	// Run IDs by role.
	completed, failed, waiting, sleeping, skipped string
	batched                                       string
	// Event IDs.
	orderEvent, nobodyEvent, batchFirst, batchSecond string
}

func uiFunctions() []*runtime.Function {
	var charges atomic.Int32
	order := runtime.NewFunction(runtime.FunctionOpts{ID: "process-order", Name: "Process order",
		Retries:     &runtime.RetryPolicy{Retries: 3, MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond},
		Concurrency: []runtime.Concurrency{{Limit: 5, Key: "event.data.order_id"}}},
		uiOrderCreated.Trigger(),
		func(ctx context.Context, in runtime.Input[uiOrder]) (any, error) {
			if _, err := step.Run(ctx, "reserve", func(ctx context.Context) (map[string]any, error) {
				return map[string]any{"reserved": true, "order": in.Event.Data.OrderID}, nil
			}); err != nil {
				return nil, err
			}
			if _, err := step.Run(ctx, "charge", func(ctx context.Context) (string, error) {
				if charges.Add(1) == 1 {
					return "", errors.New("gateway timeout")
				}
				return "ch_1", nil
			}); err != nil {
				return nil, err
			}
			if in.Event.Data.OrderID == "wait-1" {
				if _, err := step.WaitForEvent(ctx, "wait-payment", uiPaymentReceived, step.WaitOpts{Timeout: time.Hour, If: "async.data.order_id == event.data.order_id"}); err != nil {
					return nil, err
				}
			}
			return map[string]any{"shipped": in.Event.Data.OrderID}, nil
		})
	fail := runtime.NewFunction(runtime.FunctionOpts{ID: "always-fails", Retries: runtime.Retries(0)},
		runtime.EventTrigger("test/fail", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			_, err := step.Run(ctx, "boom", func(ctx context.Context) (int, error) {
				return 0, runtime.NonRetriable(errors.New("card declined"))
			})
			return nil, err
		})
	sleeper := runtime.NewFunction(runtime.FunctionOpts{ID: "sleeper", Idempotency: "event.data.k"},
		runtime.EventTrigger("test/sleep", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			return nil, step.Sleep(ctx, "nap", time.Hour)
		})
	batcher := runtime.NewFunction(runtime.FunctionOpts{ID: "batcher", BatchEvents: &runtime.BatchEvents{MaxSize: 2, Timeout: time.Minute}},
		runtime.EventTrigger("test/batch", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) { return len(in.Events), nil })
	return []*runtime.Function{order, fail, sleeper, batcher}
}

// newUIEngine starts the fixture's engine and makes its runs.
func newUIEngine(t testing.TB, uiOpts runtime.UIOptions) *uiFixture {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "ui.db"), sqlite.Synchronous("OFF"))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := runtime.New(runtime.Options{Store: st, Functions: uiFunctions(), PollInterval: 10 * time.Millisecond,
		Events:        []runtime.EventDescriptor{uiOrderCreated, uiPaymentReceived},
		EncryptionKey: []byte("0123456789abcdef0123456789abcdef"), UI: uiOpts})
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
		_ = eng.Stop(ctx)
		st.Close()
	})
	fx := &uiFixture{eng: eng}
	send := func(ev runtime.Event) string {
		ids, err := eng.Send(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		return ids[0]
	}
	fx.orderEvent = send(uiOrderCreated.New(uiOrder{OrderID: "ord-1", CardLast4: uiSecret, TotalCents: 4900}))
	fx.completed = waitRun(t, eng, "process-order", fx.orderEvent, runtime.RunCompleted)
	waitEv := send(uiOrderCreated.New(uiOrder{OrderID: "wait-1", CardLast4: uiSecret, TotalCents: 100}))
	fx.waiting = waitRun(t, eng, "process-order", waitEv, runtime.RunWaiting)
	fx.failed = waitRun(t, eng, "always-fails", send(runtime.Event{Name: "test/fail", Data: map[string]any{"why": "demo"}}), runtime.RunFailed)
	fx.sleeping = waitRun(t, eng, "sleeper", send(runtime.Event{Name: "test/sleep", Data: map[string]any{"k": "same"}}), runtime.RunSleeping)
	fx.skipped = waitRun(t, eng, "sleeper", send(runtime.Event{Name: "test/sleep", Data: map[string]any{"k": "same"}}), runtime.RunSkipped)
	fx.nobodyEvent = send(runtime.Event{Name: "test/nobody", Data: map[string]any{"x": 1}})
	fx.batchFirst = send(runtime.Event{Name: "test/batch", Data: map[string]any{"i": 1}})
	fx.batchSecond = send(runtime.Event{Name: "test/batch", Data: map[string]any{"i": 2}})
	fx.batched = waitRun(t, eng, "batcher", fx.batchFirst, runtime.RunCompleted)
	return fx
}

// waitRun waits for the run of function fn started by event evID to reach
// status want, and returns its ID.
func waitRun(t testing.TB, eng *runtime.Engine, fn, evID string, want runtime.RunStatus) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		page, err := eng.Runs(context.Background(), runtime.RunFilter{FunctionID: fn, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Runs {
			if len(r.Events) > 0 && strings.Contains(string(r.Events[0]), `"id":"`+evID+`"`) {
				if r.Status == want {
					return r.ID
				}
				last = fmt.Sprintf("run %s is %s (%s)", r.ID, r.Status, r.Error)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no run of %s for event %s reached %s: %s", fn, evID, want, last)
	return ""
}

// uiServer mounts the UI under /ui/, as an app would.
func uiServer(t testing.TB, eng *runtime.Engine) *httptest.Server {
	mux := http.NewServeMux()
	mux.Handle("/ui/", http.StripPrefix("/ui", eng.UI()))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// uiClient does not follow redirects: the tests look at them.
func uiClient(t testing.TB) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t testing.TB, c *http.Client, u string) (int, string, http.Header) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func post(t testing.TB, c *http.Client, u string, form url.Values, hdr http.Header) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t testing.TB, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF field in the page:\n%s", body)
	}
	return m[1]
}

func TestUIPages(t *testing.T) {
	fx := newUIEngine(t, runtime.UIOptions{DevMode: true})
	srv := uiServer(t, fx.eng)
	c := uiClient(t)
	base := srv.URL + "/ui/"
	tests := []struct {
		name, path string
		want       []string
	}{
		{"functions", "", []string{"process-order", "Process order", "shop/order.created", "concurrency: 5 per event.data.order_id",
			"idempotency: event.data.k", "completed 1", "waiting 1", "failed 1", "skipped 1", "sleeping 1", `href="./runs?function=process-order&amp;status=completed"`}},
		{"functions by name", "functions", []string{"always-fails", "retries: 0"}},
		{"runs", "runs", []string{fx.completed, fx.failed, fx.waiting, fx.sleeping, fx.skipped, `href="./runs/` + fx.completed + `"`, "card declined"}},
		{"runs by function and status", "runs?function=process-order&status=waiting", []string{fx.waiting}},
		{"runs by event ID", "runs?event=" + fx.orderEvent, []string{fx.completed}},
		{"runs by event name", "runs?event=test/fail", []string{fx.failed}},
		{"runs by time", "runs?from=2000-01-01T00:00&to=2199-01-01", []string{fx.completed, fx.failed}},
		{"runs by time, none", "runs?from=2199-01-01T00:00", []string{"No run matches."}},
		{"run search by ID", "runs?id=" + fx.failed, []string{"always-fails", "card declined", `data-step="boom"`}},
		{"completed run", "runs/" + fx.completed, []string{`data-step="reserve" data-status="completed"`, `data-step="charge" data-status="completed"`,
			"2 attempts", "&#34;shipped&#34;: &#34;ord-1&#34;", `href="../runs?function=process-order"`, "Invoked by:", "<dt>Started</dt>", "<dt>Ended</dt>"}},
		{"waiting run", "runs/" + fx.waiting, []string{`data-step="wait-payment" data-status="waiting"`, "until ", `id="cancel"`, `class="pending"`, "<dt>Started</dt>"}},
		{"sleeping run", "runs/" + fx.sleeping, []string{`data-step="nap" data-status="sleeping"`, "until "}},
		{"skipped run", "runs/" + fx.skipped, []string{"skipped", "idempotency"}},
		{"events", "events", []string{fx.orderEvent, "shop/order.created", "process-order: completed", "sleeper: skipped",
			"No function triggers on test/nobody", "[sensitive: redacted]", "skipped by sleeper: "}},
		{"events by name", "events?name=test/fail", []string{"always-fails: failed"}},
		{"event", "events/" + fx.orderEvent, []string{fx.completed, "[sensitive: redacted]", "ord-1"}},
		{"event without run", "events/" + fx.nobodyEvent, []string{"No function triggers on test/nobody"}},
		{"first event of a batch", "events/" + fx.batchFirst, []string{fx.batched}},
		{"second event of a batch", "events/" + fx.batchSecond, []string{"it may be in a batch or debounced run of batcher"}},
		{"send form from the schema", "send?name=shop/order.created", []string{"prefilled from the event type", "&#34;order_id&#34;: &#34;xxx&#34;", "&#34;total_cents&#34;: 1", "&#34;card_last4&#34;: &#34;&#34;"}},
	}
	absent := map[string][]string{
		"runs by function and status": {fx.completed, fx.failed},
		"runs by event ID":            {fx.waiting, fx.failed},
		"runs by event name":          {fx.completed, fx.sleeping},
		"runs by time, none":          {fx.completed},
		"waiting run":                 {"<dt>Ended</dt>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body, h := get(t, c, base+tc.path)
			if code != 200 {
				t.Fatalf("GET %s = %d:\n%s", tc.path, code, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s: page lacks %q:\n%s", tc.path, w, body)
				}
			}
			for _, w := range absent[tc.name] {
				if strings.Contains(body, w) {
					t.Errorf("GET %s: page shows %q", tc.path, w)
				}
			}
			if got := h.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
			if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("CSP = %q", csp)
			}
			if h.Get("X-Frame-Options") != "DENY" {
				t.Errorf("X-Frame-Options = %q", h.Get("X-Frame-Options"))
			}
			if strings.Contains(body, "<script>") || strings.Contains(body, " style=") {
				t.Errorf("GET %s: inline script or style (the CSP forbids them)", tc.path)
			}
		})
	}
	t.Run("not found", func(t *testing.T) {
		for _, p := range []string{"runs/nope", "events/nope", "nothing-here"} {
			if code, body, _ := get(t, c, base+p); code != 404 {
				t.Errorf("GET %s = %d, want 404:\n%s", p, code, body)
			}
		}
	})
	t.Run("bad time filter", func(t *testing.T) {
		_, body, _ := get(t, c, base+"runs?from=yesterday")
		if !strings.Contains(body, "from: &#34;yesterday&#34; is not a time") || !strings.Contains(body, "No run matches") {
			t.Errorf("page lacks the filter's error:\n%s", body)
		}
	})
	t.Run("partial", func(t *testing.T) {
		_, body, _ := get(t, c, base+"events?partial=1")
		if strings.Contains(body, "<html") || !strings.Contains(body, fx.orderEvent) {
			t.Errorf("the live refresh is not the region alone:\n%s", body)
		}
	})
	t.Run("assets", func(t *testing.T) {
		for _, p := range []string{"assets/app.css", "assets/app.js"} {
			if code, body, _ := get(t, c, base+p); code != 200 || len(body) < 100 {
				t.Errorf("GET %s = %d (%d bytes)", p, code, len(body))
			}
		}
	})
}

// TestUIRedaction: the sensitive field's plaintext and its ciphertext
// appear in no page, and the redaction marker does where it was.
func TestUIRedaction(t *testing.T) {
	fx := newUIEngine(t, runtime.UIOptions{DevMode: true})
	srv := uiServer(t, fx.eng)
	c := uiClient(t)
	// A payment resumes the waiting run: the wait step's output is the
	// payment's envelope; and a durable/function.failed event carries a
	// failed run's event.
	if _, err := fx.eng.Send(context.Background(), uiPaymentReceived.New(uiPaid{OrderID: "wait-1"})); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, fx.eng, fx.waiting, runtime.RunCompleted)
	pages := []string{"", "runs", "events", "events/" + fx.orderEvent, "runs/" + fx.completed, "runs/" + fx.waiting, "runs?event=shop/order.created", "send?name=shop/order.created"}
	for _, p := range pages {
		_, body, _ := get(t, c, srv.URL+"/ui/"+p)
		for _, bad := range []string{uiSecret, "$enc", "v1:"} {
			if strings.Contains(body, bad) {
				t.Errorf("GET /ui/%s shows %q", p, bad)
			}
		}
	}
	// A send that fails comes back without the sensitive value typed.
	_, page, _ := get(t, c, srv.URL+"/ui/send")
	for _, data := range []string{`{"order_id": "x", "card_last4": "` + uiSecret + `", "total_cents": 0}`, `{"card_last4": "` + uiSecret + `", `} {
		code, body, _ := post(t, c, srv.URL+"/ui/send", url.Values{"csrf": {csrfOf(t, page)}, "name": {"shop/order.created"}, "data": {data}}, nil)
		if code != http.StatusUnprocessableEntity || strings.Contains(body, uiSecret) || !strings.Contains(body, "sensitive fields were cleared") {
			t.Errorf("POST send %s = %d; the page shows the secret, or does not say it was cleared:\n%s", data, code, body)
		}
	}
	_, body, _ := get(t, c, srv.URL+"/ui/events/"+fx.orderEvent)
	if !strings.Contains(body, "&#34;card_last4&#34;: &#34;[sensitive: redacted]&#34;") {
		t.Errorf("the event page does not mark the redacted field:\n%s", body)
	}
}

func waitStatus(t testing.TB, eng *runtime.Engine, runID string, want runtime.RunStatus) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ri, err := eng.Run(context.Background(), runID)
		if err != nil {
			t.Fatal(err)
		}
		if ri.Status == want {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("run %s did not reach %s", runID, want)
}

func TestUISendAndCancel(t *testing.T) {
	fx := newUIEngine(t, runtime.UIOptions{DevMode: true})
	srv := uiServer(t, fx.eng)
	c := uiClient(t)
	base := srv.URL + "/ui/"
	_, page, _ := get(t, c, base+"send?name=shop/order.created")
	csrf := csrfOf(t, page)

	t.Run("violations by JSON pointer; nothing sent", func(t *testing.T) {
		code, body, _ := post(t, c, base+"send", url.Values{"csrf": {csrf}, "name": {"shop/order.created"},
			"data": {`{"order_id": "x", "total_cents": 0, "extra": true}`}}, nil)
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("POST send = %d, want 422:\n%s", code, body)
		}
		for _, w := range []string{"<code>/data/order_id</code>", "<code>/data/total_cents</code>", "<code>/data/extra</code>", "nothing was sent"} {
			if !strings.Contains(body, w) {
				t.Errorf("page lacks %q:\n%s", w, body)
			}
		}
	})
	t.Run("not JSON", func(t *testing.T) {
		code, body, _ := post(t, c, base+"send", url.Values{"csrf": {csrf}, "name": {"test/fail"}, "data": {`{"a":`}}, nil)
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, "The data is not JSON") {
			t.Errorf("POST send of bad JSON = %d:\n%s", code, body)
		}
	})
	t.Run("sent: its run appears", func(t *testing.T) {
		code, _, h := post(t, c, base+"send", url.Values{"csrf": {csrf}, "name": {"shop/order.created"},
			"data": {`{"order_id": "ord-9", "card_last4": "` + uiSecret + `", "total_cents": 500}`}}, nil)
		loc := h.Get("Location")
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, "./events/") {
			t.Fatalf("POST send = %d, Location %q", code, loc)
		}
		evID := strings.TrimSuffix(strings.TrimPrefix(loc, "./events/"), "?sent=1")
		runID := waitRun(t, fx.eng, "process-order", evID, runtime.RunCompleted)
		_, body, _ := get(t, c, base+"events/"+evID)
		if !strings.Contains(body, runID) || strings.Contains(body, uiSecret) {
			t.Errorf("the sent event's page lacks its run %s, or shows the secret:\n%s", runID, body)
		}
	})
	t.Run("cancel a waiting run", func(t *testing.T) {
		code, body, h := post(t, c, base+"runs/"+fx.waiting+"/cancel", url.Values{"csrf": {csrf}}, nil)
		if code != http.StatusSeeOther || h.Get("Location") != "../../runs/"+fx.waiting {
			t.Fatalf("POST cancel = %d, Location %q:\n%s", code, h.Get("Location"), body)
		}
		waitStatus(t, fx.eng, fx.waiting, runtime.RunCancelled)
	})
	t.Run("CSRF", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			form url.Values
			hdr  http.Header
		}{
			{"no token", url.Values{}, nil},
			{"wrong token", url.Values{"csrf": {otherToken(csrf)}}, nil},
			{"other origin", url.Values{"csrf": {csrf}}, http.Header{"Origin": {"https://evil.example"}}},
			{"cross-site fetch", url.Values{"csrf": {csrf}}, http.Header{"Sec-Fetch-Site": {"cross-site"}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				code, _, _ := post(t, c, base+"runs/"+fx.sleeping+"/cancel", tc.form, tc.hdr)
				if code != http.StatusForbidden {
					t.Errorf("POST cancel = %d, want 403", code)
				}
			})
		}
		ri, _ := fx.eng.Run(context.Background(), fx.sleeping)
		if ri.Status != runtime.RunSleeping {
			t.Errorf("a refused cancel cancelled the run: %s", ri.Status)
		}
	})
}

// otherToken returns a token that differs from token in its first
// character (a fixed replacement would be the token itself when the random
// token starts with it).
func otherToken(token string) string {
	if token[0] == 'x' {
		return "y" + token[1:]
	}
	return "x" + token[1:]
}

func TestUIAuth(t *testing.T) {
	const token = "mgmt-token-0123456789"
	t.Run("token: login form, cookie, bearer, logout", func(t *testing.T) {
		fx := newUIEngine(t, runtime.UIOptions{ManagementTokens: []string{"old-token-0123456789", token}})
		srv := uiServer(t, fx.eng)
		c := uiClient(t)
		base := srv.URL + "/ui/"
		code, _, h := get(t, c, base+"runs")
		if code != http.StatusSeeOther || h.Get("Location") != "./login" {
			t.Fatalf("GET runs without a session = %d, Location %q", code, h.Get("Location"))
		}
		_, page, _ := get(t, c, base+"login")
		csrf := csrfOf(t, page)
		if code, body, _ := post(t, c, base+"login", url.Values{"csrf": {csrf}, "token": {"wrong-token-0123456789"}}, nil); code != http.StatusUnauthorized || !strings.Contains(body, "not one of the management tokens") {
			t.Errorf("login with a wrong token = %d", code)
		}
		if code, _, _ := post(t, c, base+"login", url.Values{"token": {token}}, nil); code != http.StatusForbidden {
			t.Errorf("login without the CSRF field = %d, want 403", code)
		}
		code, _, h = post(t, c, base+"login", url.Values{"csrf": {csrf}, "token": {token}}, nil)
		if code != http.StatusSeeOther {
			t.Fatalf("login = %d", code)
		}
		ck := h.Get("Set-Cookie")
		for _, w := range []string{"durable_ui_session=", "HttpOnly", "SameSite=Strict", "Path=/ui/"} {
			if !strings.Contains(ck, w) {
				t.Errorf("session cookie %q lacks %s", ck, w)
			}
		}
		if strings.Contains(ck, token) {
			t.Errorf("the session cookie holds the token: %q", ck)
		}
		code, body, _ := get(t, c, base+"runs")
		if code != 200 || !strings.Contains(body, fx.completed) || !strings.Contains(body, "Log out") {
			t.Fatalf("GET runs with a session = %d", code)
		}
		// Bearer, without a cookie.
		req, _ := http.NewRequest("GET", base+"runs/"+fx.failed, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET with a Bearer token = %d", resp.StatusCode)
		}
		req.Header.Set("Authorization", "Bearer nope-nope-nope-nope")
		resp, _ = uiClient(t).Do(req)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("GET with a wrong Bearer token = %d, want 303 to the login", resp.StatusCode)
		}
		// A forged cookie.
		c2 := uiClient(t)
		u, _ := url.Parse(base)
		c2.Jar.SetCookies(u, []*http.Cookie{{Name: "durable_ui_session", Value: "99999999999.deadbeef"}})
		if code, _, _ := get(t, c2, base+"runs"); code != http.StatusSeeOther {
			t.Errorf("GET with a forged session = %d, want 303", code)
		}
		_, body, _ = get(t, c, base+"runs")
		if code, _, _ := post(t, c, base+"logout", url.Values{"csrf": {csrfOf(t, body)}}, nil); code != http.StatusSeeOther {
			t.Errorf("logout = %d", code)
		}
		if code, _, _ := get(t, c, base+"runs"); code != http.StatusSeeOther {
			t.Errorf("GET after logout = %d, want 303", code)
		}
	})
	t.Run("hook", func(t *testing.T) {
		fx := newUIEngine(t, runtime.UIOptions{Authorize: func(r *http.Request) bool { return r.Header.Get("X-Staff") == "yes" }})
		srv := uiServer(t, fx.eng)
		req, _ := http.NewRequest("GET", srv.URL+"/ui/runs", nil)
		resp, _ := http.DefaultClient.Do(req)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("refused by the hook: %d, want 403", resp.StatusCode)
		}
		req.Header.Set("X-Staff", "yes")
		resp, _ = http.DefaultClient.Do(req)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("admitted by the hook: %d", resp.StatusCode)
		}
	})
	t.Run("nothing configured", func(t *testing.T) {
		fx := newUIEngine(t, runtime.UIOptions{})
		srv := uiServer(t, fx.eng)
		code, body, _ := get(t, uiClient(t), srv.URL+"/ui/")
		if code != http.StatusServiceUnavailable || !strings.Contains(body, "Options.UI.ManagementTokens") {
			t.Errorf("GET with no way in = %d:\n%s", code, body)
		}
	})
	t.Run("dev mode answers loopback only", func(t *testing.T) {
		fx := newUIEngine(t, runtime.UIOptions{DevMode: true})
		h := fx.eng.UI()
		for _, tc := range []struct {
			remote string
			want   int
		}{{"127.0.0.1:5000", 200}, {"[::1]:5000", 200}, {"192.0.2.7:5000", 403}} {
			req := httptest.NewRequest("GET", "/runs", nil)
			req.RemoteAddr = tc.remote
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Errorf("from %s: %d, want %d", tc.remote, rec.Code, tc.want)
			}
		}
	})
	t.Run("the HTTP API's management token", func(t *testing.T) {
		st, err := sqlite.Open(filepath.Join(t.TempDir(), "x.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		eng, err := runtime.New(runtime.Options{Store: st, HTTP: runtime.HTTPOptions{EventKeys: []string{"event-key-0123456789"}, ManagementTokens: []string{token}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			auth string
			want int
		}{{"Bearer " + token, 200}, {"Bearer event-key-0123456789", http.StatusSeeOther}, {"", http.StatusSeeOther}} {
			req := httptest.NewRequest("GET", "/functions", nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			rec := httptest.NewRecorder()
			eng.UI().ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Errorf("Authorization %q: %d, want %d", tc.auth, rec.Code, tc.want)
			}
		}
	})
	t.Run("short token refused by New", func(t *testing.T) {
		st, err := sqlite.Open(filepath.Join(t.TempDir(), "x.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		_, err = runtime.New(runtime.Options{Store: st, UI: runtime.UIOptions{ManagementTokens: []string{"short"}}})
		if err == nil || !strings.Contains(err.Error(), "Options.UI.ManagementTokens[0]: 5 characters") {
			t.Errorf("New = %v", err)
		}
	})
}

// TestUIOperations: rerun, rerun from a step, lineage, pause and resume,
// and the runs page's pages.
func TestUIOperations(t *testing.T) {
	fx := newUIEngine(t, runtime.UIOptions{DevMode: true})
	srv := uiServer(t, fx.eng)
	c := uiClient(t)
	base := srv.URL + "/ui/"
	_, page, _ := get(t, c, base+"runs/"+fx.completed)
	csrf := csrfOf(t, page)
	for _, w := range []string{`id="rerun"`, `data-rerun-from="charge"`} {
		if !strings.Contains(page, w) {
			t.Errorf("the finished run's page lacks %s", w)
		}
	}
	if _, p, _ := get(t, c, base+"runs/"+fx.waiting); strings.Contains(p, `id="rerun"`) {
		t.Error("a waiting run's page offers a rerun")
	}

	t.Run("rerun from a step", func(t *testing.T) {
		code, body, h := post(t, c, base+"runs/"+fx.completed+"/rerun", url.Values{"csrf": {csrf}, "step": {"charge"}}, nil)
		loc := h.Get("Location")
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, "../../runs/") {
			t.Fatalf("POST rerun = %d, Location %q:\n%s", code, loc, body)
		}
		newID := strings.TrimPrefix(loc, "../../runs/")
		waitStatus(t, fx.eng, newID, runtime.RunCompleted)
		_, p, _ := get(t, c, base+"runs/"+newID)
		ri, _ := fx.eng.Run(context.Background(), newID)
		if ri.RerunOf != fx.completed || !strings.Contains(ri.RerunFromStep, "charge") {
			t.Errorf("the rerun is of %q from %q, want of %s from charge", ri.RerunOf, ri.RerunFromStep, fx.completed)
		}
		for _, w := range []string{`id="rerun-of"`, fx.completed, "from step <code>charge</code>"} {
			if !strings.Contains(p, w) {
				t.Errorf("the rerun's page lacks %q", w)
			}
		}
		_, p, _ = get(t, c, base+"runs/"+fx.completed)
		if !strings.Contains(p, `id="rerun-by"`) || !strings.Contains(p, newID) {
			t.Errorf("the original run's page does not name its rerun %s", newID)
		}
	})
	t.Run("rerun of a run in progress", func(t *testing.T) {
		code, body, _ := post(t, c, base+"runs/"+fx.sleeping+"/rerun", url.Values{"csrf": {csrf}}, nil)
		if code != http.StatusConflict || !strings.Contains(body, "not finished") {
			t.Errorf("POST rerun of a sleeping run = %d:\n%s", code, body)
		}
	})
	t.Run("rerun from an unknown step", func(t *testing.T) {
		code, body, _ := post(t, c, base+"runs/"+fx.failed+"/rerun", url.Values{"csrf": {csrf}, "step": {"nope"}}, nil)
		if code != http.StatusConflict || !strings.Contains(body, "step not found") {
			t.Errorf("POST rerun from an unknown step = %d:\n%s", code, body)
		}
	})
	t.Run("pause and resume", func(t *testing.T) {
		code, body, h := post(t, c, base+"functions/always-fails/pause", url.Values{"csrf": {csrf}}, nil)
		if code != http.StatusSeeOther || h.Get("Location") != "../../functions" {
			t.Fatalf("POST pause = %d, Location %q:\n%s", code, h.Get("Location"), body)
		}
		_, p, _ := get(t, c, base+"functions")
		if !strings.Contains(p, `class="badge paused"`) || !strings.Contains(p, `data-resume="always-fails"`) {
			t.Errorf("the functions page does not show always-fails paused:\n%s", p)
		}
		if _, err := fx.eng.Send(context.Background(), runtime.Event{Name: "test/fail", Data: map[string]any{}}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, p, _ = get(t, c, base+"runs?function=always-fails&status=paused")
			if strings.Contains(p, `data-status="paused"`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no paused run of always-fails:\n%s", p)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if code, _, _ := post(t, c, base+"functions/always-fails/pause", url.Values{"csrf": {csrf}, "resume": {"1"}, "skip": {"1"}}, nil); code != http.StatusSeeOther {
			t.Fatalf("POST resume = %d", code)
		}
		_, p, _ = get(t, c, base+"functions")
		if strings.Contains(p, `data-resume="always-fails"`) {
			t.Error("always-fails still shown paused after resume")
		}
		_, p, _ = get(t, c, base+"runs?function=always-fails&status=skipped")
		if !strings.Contains(p, "was paused when its event arrived") {
			t.Errorf("the held run was not skipped with its reason:\n%s", p)
		}
		if code, _, _ := post(t, c, base+"functions/nope/pause", url.Values{"csrf": {csrf}}, nil); code != http.StatusNotFound {
			t.Errorf("POST pause of an unknown function = %d, want 404", code)
		}
	})
	t.Run("pages of runs", func(t *testing.T) {
		for i := range 55 {
			if _, err := fx.eng.Send(context.Background(), runtime.Event{Name: "test/sleep", Data: map[string]any{"k": i}}); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]bool{}
		next := "runs"
		for pages := 0; next != ""; pages++ {
			if pages > 5 {
				t.Fatal("more pages than runs")
			}
			_, p, _ := get(t, c, base+next)
			for _, m := range regexp.MustCompile(`data-run="([^"]+)"`).FindAllStringSubmatch(p, -1) {
				if seen[m[1]] {
					t.Errorf("run %s on two pages", m[1])
				}
				seen[m[1]] = true
			}
			next = ""
			if m := regexp.MustCompile(`href="\./(runs\?[^"]*cursor=[^"]+)" id="older-runs"`).FindStringSubmatch(p); m != nil {
				next = strings.ReplaceAll(m[1], "&amp;", "&")
			}
		}
		page, err := fx.eng.Runs(context.Background(), runtime.RunFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != len(page.Runs) || len(seen) <= 50 {
			t.Errorf("the pages listed %d runs, the engine has %d", len(seen), len(page.Runs))
		}
	})
}

// TestUIEventWaits: an event's page judges each wait open now for its name
// against it (If false, began after the event); a wait's step on its run's
// page names the event that resolved it.
func TestUIEventWaits(t *testing.T) {
	fx := newUIEngine(t, runtime.UIOptions{DevMode: true})
	srv := uiServer(t, fx.eng)
	c := uiClient(t)
	base := srv.URL + "/ui/"
	send := func(ev runtime.Event) string {
		ids, err := fx.eng.Send(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		return ids[0]
	}
	page := func(path string) string {
		code, body, _ := get(t, c, base+path)
		if code != 200 {
			t.Fatalf("GET %s = %d:\n%s", path, code, body)
		}
		return body
	}
	other := send(uiPaymentReceived.New(uiPaid{OrderID: "other"}))
	paid := send(uiPaymentReceived.New(uiPaid{OrderID: "wait-1"}))
	waitStatus(t, fx.eng, fx.waiting, runtime.RunCompleted)
	// A run that begins to wait after the payment it awaits arrived.
	late := waitRun(t, fx.eng, "process-order", send(uiOrderCreated.New(uiOrder{OrderID: "wait-1", TotalCents: 100})), runtime.RunWaiting)

	for _, tc := range []struct {
		name, path string
		want, not  []string
	}{
		{"If false", "events/" + other, []string{
			`data-wait-run="` + late + `" data-matches="false"`, "step <code>wait-payment</code>",
			"If <code>async.data.order_id == event.data.order_id</code>", "Its If expression is false for this event."}, nil},
		{"began after the event", "events/" + paid, []string{
			`data-wait-run="` + late + `" data-matches="false"`, "It matches, but it began after this event was received"},
			// The wait it resolved is closed: not listed.
			[]string{`data-wait-run="` + fx.waiting + `"`}},
		{"resolved by", "runs/" + fx.waiting, []string{`data-resolved-by="` + paid + `"`, `href="../events/` + paid + `"`}, nil},
		{"no open wait", "events/" + fx.orderEvent, []string{`id="event-waits-none"`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := page(tc.path)
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s: page lacks %q:\n%s", tc.path, w, body)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(body, w) {
					t.Errorf("GET %s: page shows %q", tc.path, w)
				}
			}
		})
	}
	// The list of events does not judge waits (one store read per event).
	if body := page("events"); strings.Contains(body, "data-wait-run") {
		t.Errorf("the events list judges waits")
	}
}

// TestUIEventWaitsExpiredOrFailing: a Cancel watch past its timeout and a
// wait whose If fails on the event are said so.
func TestUIEventWaitsExpiredOrFailing(t *testing.T) {
	reply := runtime.NewEventType[map[string]any]("test/reply", "", nil)
	expiringFn := runtime.NewFunction(runtime.FunctionOpts{ID: "expiring", Cancel: []runtime.Cancel{{Event: "test/reply", Timeout: time.Hour}}},
		runtime.EventTrigger("test/expiring.requested", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			return nil, step.Sleep(ctx, "nap", 10*time.Hour)
		})
	failingFn := runtime.NewFunction(runtime.FunctionOpts{ID: "failing"}, runtime.EventTrigger("test/failing.requested", ""),
		func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
			return step.WaitForEvent(ctx, "reply", reply, step.WaitOpts{Timeout: 10 * time.Hour, If: "async.data.n > 1"})
		})
	te := startObserved(t, runtime.Options{UI: runtime.UIOptions{DevMode: true}, Functions: []*runtime.Function{expiringFn, failingFn}}, true)
	te.send(t, "test/expiring.requested", map[string]any{})
	te.send(t, "test/failing.requested", map[string]any{})
	expiring, failing := te.onlyRun(t, "expiring"), te.onlyRun(t, "failing")
	te.await(t, expiring, runtime.RunSleeping)
	te.await(t, failing, runtime.RunWaiting)
	te.clock.Advance(2 * time.Hour)
	// A string where the If compares a number: its evaluation fails.
	ev := te.send(t, "test/reply", map[string]any{"n": "many"})
	srv := uiServer(t, te.Engine)
	_, body, _ := get(t, uiClient(t), srv.URL+"/ui/events/"+ev)
	for _, w := range []string{
		`data-wait-run="` + expiring + `" data-matches="false"`, "Cancel watch", "this Cancel watch no longer cancels its run",
		`data-wait-run="` + failing + `" data-matches="false"`, "Its If expression failed on this event: ",
	} {
		if !strings.Contains(body, w) {
			t.Errorf("the event's page lacks %q:\n%s", w, body)
		}
	}
}
