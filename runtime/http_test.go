package runtime_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/httpapi"
	"github.com/durable-go/durable/runtime/internal/vclock"
	"github.com/durable-go/durable/runtime/step"
	"github.com/durable-go/durable/runtime/store/sqlite"
)

const (
	testEventKey = "evtkey-0123456789abcdef"
	testOldKey   = "evtkey-old-0123456789"
	testToken    = "mgmt-token-0123456789abcdef"
	testHookKey  = "hookkey-0123456789abcdef"
	testSecret   = "whsec-0123456789abcdef"
)

var orderType = runtime.NewEventType[map[string]any]("test/order", "1", []byte(`{
	"type": "object",
	"required": ["order_id"],
	"properties": {"order_id": {"type": "string"}, "amount": {"type": "integer", "minimum": 0}}
}`))

var httpGreet = runtime.NewFunction(runtime.FunctionOpts{ID: "http-greet"},
	runtime.EventTrigger("test/hello", ""),
	func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
		return step.Run(ctx, "say", func(ctx context.Context) (string, error) {
			return fmt.Sprintf("hello %v", in.Event.Data["who"]), nil
		})
	})

var httpSleeper = runtime.NewFunction(runtime.FunctionOpts{ID: "http-sleeper"},
	runtime.Triggers(runtime.EventTrigger("test/sleep", "event.data.n > 0"), runtime.CronTrigger("@daily")),
	func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
		if err := step.Sleep(ctx, "nap", time.Hour); err != nil {
			return nil, err
		}
		return "rested", nil
	})

type httpEnv struct {
	eng   *runtime.Engine
	clock *vclock.Clock
	srv   *httptest.Server
}

// newHTTPEnv starts an engine on a fresh SQLite file with opts as its
// HTTP options and serves its handler.
func newHTTPEnv(t *testing.T, opts runtime.HTTPOptions) *httpEnv {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "http.db"), sqlite.Synchronous("OFF"))
	if err != nil {
		t.Fatal(err)
	}
	clock := vclock.New(epoch)
	eng, err := runtime.New(runtime.Options{
		Store: st, Clock: clock, PollInterval: 20 * time.Millisecond,
		Functions: []*runtime.Function{httpGreet, httpSleeper},
		Events:    []runtime.EventDescriptor{orderType},
		HTTP:      opts,
	})
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(eng.Handler())
	t.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		eng.Stop(ctx)
		st.Close()
	})
	return &httpEnv{eng: eng, clock: clock, srv: srv}
}

func prodOpts() runtime.HTTPOptions {
	return runtime.HTTPOptions{
		EventKeys:        []string{testEventKey, testOldKey},
		ManagementTokens: []string{testToken},
		Webhooks:         []runtime.WebhookKey{{Key: testHookKey, SigningSecrets: []string{testSecret}}},
		RateLimit:        -1,
	}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

func (r response) apiError(t *testing.T) httpapi.Error {
	t.Helper()
	var e httpapi.Error
	r.decode(t, &e)
	if e.Code == "" || e.Status != r.status {
		t.Fatalf("error body without code or with another status: %s", r.body)
	}
	return e
}

func (env *httpEnv) do(t *testing.T, method, path string, body []byte, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, env.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := env.srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func (env *httpEnv) api(t *testing.T, method, path string, body []byte) response {
	return env.do(t, method, path, body, map[string]string{"Authorization": "Bearer " + testToken})
}

// stored reports whether event id is stored.
func (env *httpEnv) stored(t *testing.T, id string) bool {
	t.Helper()
	res := env.api(t, "GET", "/api/v1/events/"+id, nil)
	switch res.status {
	case 200:
		return true
	case 404:
		return false
	}
	t.Fatalf("GET event %s: %d %s", id, res.status, res.body)
	return false
}

func (env *httpEnv) runCount(t *testing.T) int {
	t.Helper()
	res := env.api(t, "GET", "/api/v1/runs", nil)
	if res.status != 200 {
		t.Fatalf("GET runs: %d %s", res.status, res.body)
	}
	var list httpapi.RunList
	res.decode(t, &list)
	return len(list.Runs)
}

func TestHTTPIngest(t *testing.T) {
	env := newHTTPEnv(t, prodOpts())
	tests := []struct {
		name   string
		key    string
		body   string
		status int
		code   string
		// stored lists event IDs that must (or, on error, must not) be stored.
		ids []string
		// problems are substrings of "pointer: message" every problem list must contain.
		problems []string
	}{
		{name: "one event", key: testEventKey, body: `{"name":"test/hello","data":{"who":"ada"},"id":"ok-1"}`, status: 200, ids: []string{"ok-1"}},
		{name: "array", key: testEventKey, body: `[{"name":"test/hello","data":{},"id":"ok-2"},{"name":"test/hello","id":"ok-3","ts":1700000000000,"v":"2"}]`, status: 200, ids: []string{"ok-2", "ok-3"}},
		{name: "rotated key", key: testOldKey, body: `{"name":"test/hello","id":"ok-4"}`, status: 200, ids: []string{"ok-4"}},
		{name: "wrong key", key: "nope-0123456789abcdef", body: `{"name":"test/hello","id":"bad-key"}`, status: 401, code: httpapi.CodeInvalidEventKey, ids: []string{"bad-key"}},
		{name: "key prefix", key: testEventKey[:len(testEventKey)-1], body: `{"name":"test/hello","id":"bad-key2"}`, status: 401, code: httpapi.CodeInvalidEventKey, ids: []string{"bad-key2"}},
		{name: "token is not a key", key: testToken, body: `{"name":"test/hello","id":"bad-key3"}`, status: 401, code: httpapi.CodeInvalidEventKey, ids: []string{"bad-key3"}},
		{name: "bad JSON", key: testEventKey, body: "[{\"name\":\"test/hello\",\"id\":\"bj\"},\n {\"name\": }]", status: 400, code: httpapi.CodeInvalidJSON, ids: []string{"bj"},
			problems: []string{": invalid JSON at byte 44 (line 2, column 11)"}},
		{name: "invalid UTF-8", key: testEventKey, body: "{\"name\":\"test/hello\",\"id\":\"u8\",\"data\":{\"x\":\"\xff\"}}", status: 400, code: httpapi.CodeInvalidJSON, ids: []string{"u8"},
			problems: []string{"invalid JSON at byte 44 (line 1, column 45): invalid UTF-8"}},
		{name: "empty", key: testEventKey, body: ``, status: 400, code: httpapi.CodeInvalidJSON, problems: []string{"the body is empty"}},
		{name: "not an event", key: testEventKey, body: `"hello"`, status: 400, code: httpapi.CodeInvalidJSON, problems: []string{"not a string"}},
		{name: "envelope problems, all named", key: testEventKey, status: 400, code: httpapi.CodeInvalidEvents, ids: []string{"good-1"},
			body: `[{"name":"test/hello","id":"good-1"},{"data":{}},{"name":5,"data":[],"ts":1.5,"extra":1,"id":"x","id":"y"},"str",{"name":"test/hello","data":null,"ts":-1}]`,
			problems: []string{"/1/name: name is required", "/2/name: must be a string, not a number", "/2/data: data must be an object, not an array",
				"/2/ts: ts must be an integer", "/2/extra: unknown field \"extra\"", "/2/id: field \"id\" is repeated", "/3: an event must be an object, not a string",
				"/4/data: data must be an object (use {} for no data), not null", "/4/ts: ts must be an integer number of milliseconds since the Unix epoch, not negative"}},
		{name: "schema violations with index and pointer", key: testEventKey, status: 400, code: httpapi.CodeInvalidEvents, ids: []string{"s-0", "s-1"},
			body:     `[{"name":"test/order","id":"s-0","data":{"order_id":"A"}},{"name":"test/order","id":"s-1","data":{"amount":-3}}]`,
			problems: []string{"/1/data/order_id: ", "/1/data/amount: "}},
		{name: "schema violation, single event", key: testEventKey, status: 400, code: httpapi.CodeInvalidEvents, ids: []string{"s-2"},
			body: `{"name":"test/order","id":"s-2","data":{"order_id":7}}`, problems: []string{"/data/order_id: "}},
		{name: "name limits from the engine", key: testEventKey, status: 400, code: httpapi.CodeInvalidEvents, ids: []string{"lim-0"},
			body: `[{"name":"test/hello","id":"lim-0"},{"name":"bad\nname","id":"lim-1"}]`, problems: []string{"/1: runtime: event 1 (id \"lim-1\"): name has a control"}},
		{name: "ts in microseconds", key: testEventKey, status: 400, code: httpapi.CodeInvalidEvents, body: `{"name":"test/hello","ts":1700000000000000000}`,
			problems: []string{"/ts: ts 1700000000000000000 is after the year 9999"}},
		{name: "unsigned webhook", key: testHookKey, body: `{"name":"test/hello","id":"wh-0"}`, status: 401, code: httpapi.CodeInvalidSignature, ids: []string{"wh-0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := env.do(t, "POST", "/e/"+tt.key, []byte(tt.body), nil)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
			}
			if tt.status == 200 {
				var ok httpapi.SendResponse
				res.decode(t, &ok)
				if fmt.Sprint(ok.IDs) != fmt.Sprint(tt.ids) || ok.Status != 200 {
					t.Fatalf("response %s, want ids %v", res.body, tt.ids)
				}
				for _, id := range tt.ids {
					if !env.stored(t, id) {
						t.Errorf("event %s not stored", id)
					}
				}
				return
			}
			e := res.apiError(t)
			if e.Code != tt.code {
				t.Errorf("code %q, want %q: %s", e.Code, tt.code, res.body)
			}
			var got []string
			for _, p := range e.Problems {
				got = append(got, p.Pointer+": "+p.Message)
			}
			all := strings.Join(got, "\n")
			for _, want := range tt.problems {
				if !strings.Contains(all, want) {
					t.Errorf("problems lack %q:\n%s", want, all)
				}
			}
			for _, id := range tt.ids {
				if env.stored(t, id) {
					t.Errorf("event %s stored after an error", id)
				}
			}
		})
	}
}

// TestHTTPIngestStartsRuns: an event sent over HTTP starts its run, whose
// steps the management API shows.
func TestHTTPIngestStartsRuns(t *testing.T) {
	env := newHTTPEnv(t, prodOpts())
	res := env.do(t, "POST", "/e/"+testEventKey, []byte(`{"name":"test/hello","data":{"who":"ada"}}`), nil)
	if res.status != 200 {
		t.Fatalf("%d %s", res.status, res.body)
	}
	var sent httpapi.SendResponse
	res.decode(t, &sent)
	var run httpapi.Run
	deadline := time.Now().Add(10 * time.Second)
	for run.Status != "completed" {
		if time.Now().After(deadline) {
			t.Fatalf("run did not complete: %+v", run)
		}
		var list httpapi.RunList
		env.api(t, "GET", "/api/v1/runs?function=http-greet", nil).decode(t, &list)
		if len(list.Runs) == 1 {
			env.api(t, "GET", "/api/v1/runs/"+list.Runs[0].ID, nil).decode(t, &run)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(run.Steps) != 1 || run.Steps[0].ID != "say" || string(run.Steps[0].Output) != `"hello ada"` || string(run.Output) != `"hello ada"` {
		t.Fatalf("run %+v", run)
	}
	var ev struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(run.Events[0], &ev); err != nil || ev.ID != sent.IDs[0] {
		t.Fatalf("run's event %s, want id %s", run.Events[0], sent.IDs[0])
	}
}

func TestHTTPWebhookSignature(t *testing.T) {
	env := newHTTPEnv(t, prodOpts())
	body := []byte(`{"name":"test/hello","id":"wh-%d"}`)
	now := env.clock.Now()
	tests := []struct {
		name   string
		header string
		status int
		msg    string
	}{
		{"valid", httpapi.Sign([]byte(testSecret), []byte(fmt.Sprintf(string(body), 0)), now), 200, ""},
		{"rotating sender: one of two matches", httpapi.Sign([]byte("other-secret-0123456789"), []byte(fmt.Sprintf(string(body), 1)), now) + ",v1=" +
			strings.Split(httpapi.Sign([]byte(testSecret), []byte(fmt.Sprintf(string(body), 1)), now), "v1=")[1], 200, ""},
		{"wrong secret", httpapi.Sign([]byte("other-secret-0123456789"), []byte(fmt.Sprintf(string(body), 2)), now), 401, "no signature matches"},
		{"other body", httpapi.Sign([]byte(testSecret), []byte(`{"name":"test/hello"}`), now), 401, "no signature matches"},
		{"stale", httpapi.Sign([]byte(testSecret), []byte(fmt.Sprintf(string(body), 4)), now.Add(-6*time.Minute)), 401, "over the tolerance of 5m0s"},
		{"future", httpapi.Sign([]byte(testSecret), []byte(fmt.Sprintf(string(body), 5)), now.Add(6*time.Minute)), 401, "over the tolerance"},
		{"malformed", "sha256=abc", 401, "no t=<unix seconds>"},
		{"bad hex", "t=1,v1=zz", 401, "v1 must be 64 hex digits"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("wh-%d", i)
			res := env.do(t, "POST", "/e/"+testHookKey, []byte(fmt.Sprintf(string(body), i)), map[string]string{httpapi.SignatureHeader: tt.header})
			if res.status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
			}
			if tt.status != 200 {
				if e := res.apiError(t); e.Code != httpapi.CodeInvalidSignature || !strings.Contains(e.Message, tt.msg) {
					t.Errorf("error %+v, want %s containing %q", e, httpapi.CodeInvalidSignature, tt.msg)
				}
			}
			if got := env.stored(t, id); got != (tt.status == 200) {
				t.Errorf("event %s stored: %v", id, got)
			}
		})
	}
}

func TestHTTPIngestLimits(t *testing.T) {
	opts := prodOpts()
	opts.MaxBodyBytes = 4 << 10
	opts.MaxBatchEvents = 10
	env := newHTTPEnv(t, opts)
	events := func(n int, prefix string) []byte {
		var b strings.Builder
		b.WriteString("[")
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"name":"test/hello","id":"%s-%d"}`, prefix, i)
		}
		b.WriteString("]")
		return []byte(b.String())
	}
	t.Run("batch over the limit", func(t *testing.T) {
		res := env.do(t, "POST", "/e/"+testEventKey, events(11, "many"), nil)
		if e := res.apiError(t); res.status != 413 || e.Code != httpapi.CodeTooManyEvents || !strings.Contains(e.Message, "11 events in one request, over the limit of 10") {
			t.Fatalf("%d %s", res.status, res.body)
		}
		if env.stored(t, "many-0") || env.runCount(t) != 0 {
			t.Fatal("something was stored")
		}
	})
	t.Run("body over the limit", func(t *testing.T) {
		body := []byte(`{"name":"test/hello","id":"big","data":{"x":"` + strings.Repeat("a", 5000) + `"}}`)
		res := env.do(t, "POST", "/e/"+testEventKey, body, nil)
		if e := res.apiError(t); res.status != 413 || e.Code != httpapi.CodeBodyTooLarge {
			t.Fatalf("%d %s", res.status, res.body)
		}
		if env.stored(t, "big") {
			t.Fatal("stored")
		}
	})
	t.Run("body over the limit without Content-Length", func(t *testing.T) {
		pr, pw := io.Pipe()
		go func() {
			pw.Write([]byte(`{"name":"test/hello","id":"chunked","data":{"x":"`))
			for range 100 {
				pw.Write(bytes.Repeat([]byte("a"), 100))
			}
			pw.Write([]byte(`"}}`))
			pw.Close()
		}()
		res, err := env.srv.Client().Post(env.srv.URL+"/e/"+testEventKey, "application/json", pr)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 413 {
			t.Fatalf("status %d", res.StatusCode)
		}
		if env.stored(t, "chunked") {
			t.Fatal("stored")
		}
	})
}

// TestHTTPIngestTenThousandEvents: the default batch limit refuses 10,000
// events in one request, whole.
func TestHTTPIngestTenThousandEvents(t *testing.T) {
	env := newHTTPEnv(t, prodOpts())
	var b bytes.Buffer
	b.WriteString("[")
	for i := range 10000 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"name":"test/hello","id":"tt-%d"}`, i)
	}
	b.WriteString("]")
	res := env.do(t, "POST", "/e/"+testEventKey, b.Bytes(), nil)
	if e := res.apiError(t); res.status != 413 || e.Code != httpapi.CodeTooManyEvents || !strings.Contains(e.Message, "10000 events in one request, over the limit of 1000") {
		t.Fatalf("%d %s", res.status, res.body)
	}
	if env.stored(t, "tt-0") || env.stored(t, "tt-9999") || env.runCount(t) != 0 {
		t.Fatal("something was stored")
	}
	// 60 events with two problems each: all counted, 100 listed.
	body := bytes.Repeat([]byte(`{"data":{},"x":1},`), 60)
	body = append(append([]byte("["), body[:len(body)-1]...), ']')
	res = env.do(t, "POST", "/e/"+testEventKey, body, nil)
	if e := res.apiError(t); res.status != 400 || e.ProblemsTotal != 120 || len(e.Problems) != httpapi.MaxProblems {
		t.Fatalf("%d: %d problems of %d", res.status, len(e.Problems), e.ProblemsTotal)
	}
}

// TestHTTPSlowBody: a client that trickles its body is cut off after
// BodyReadTimeout with 408, and nothing is stored.
func TestHTTPSlowBody(t *testing.T) {
	opts := prodOpts()
	opts.BodyReadTimeout = 300 * time.Millisecond
	env := newHTTPEnv(t, opts)
	conn, err := net.Dial("tcp", env.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"name":"test/hello","id":"slow","data":{"pad":"` + strings.Repeat("x", 60) + `"}}`
	fmt.Fprintf(conn, "POST /e/%s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", testEventKey, len(body))
	began := time.Now()
	// One byte every 100ms: the body would take 10s.
	go func() {
		for i := range len(body) {
			if _, err := conn.Write([]byte{body[i]}); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 408 || !strings.Contains(string(b), httpapi.CodeBodyTimeout) {
		t.Fatalf("%d %s", res.StatusCode, b)
	}
	if el := time.Since(began); el > 5*time.Second {
		t.Errorf("answered after %v", el)
	}
	if env.stored(t, "slow") {
		t.Fatal("stored")
	}
}

func TestHTTPRateLimit(t *testing.T) {
	opts := prodOpts()
	opts.RateLimit = 2
	opts.RateBurst = 3
	env := newHTTPEnv(t, opts)
	send := func(key string) response {
		return env.do(t, "POST", "/e/"+key, []byte(`{"name":"test/hello"}`), nil)
	}
	for i := range 3 {
		if res := send(testEventKey); res.status != 200 {
			t.Fatalf("request %d: %d %s", i, res.status, res.body)
		}
	}
	res := send(testEventKey)
	if e := res.apiError(t); res.status != 429 || e.Code != httpapi.CodeRateLimited || res.header.Get("Retry-After") != "1" {
		t.Fatalf("%d %v %s", res.status, res.header, res.body)
	}
	// Another key has its own bucket.
	if res := send(testOldKey); res.status != 200 {
		t.Fatalf("other key: %d %s", res.status, res.body)
	}
	// The bucket refills at 2 per second (virtual time).
	env.clock.Advance(500 * time.Millisecond)
	if res := send(testEventKey); res.status != 200 {
		t.Fatalf("after refill: %d %s", res.status, res.body)
	}
	if res := send(testEventKey); res.status != 429 {
		t.Fatalf("refill gave more than one: %d", res.status)
	}
}

func TestHTTPRouting(t *testing.T) {
	env := newHTTPEnv(t, prodOpts())
	auth := map[string]string{"Authorization": "Bearer " + testToken}
	tests := []struct {
		method, path string
		header       map[string]string
		status       int
		code         string
		allow        string
	}{
		{"GET", "/e/" + testEventKey, nil, 405, httpapi.CodeMethodNotAllowed, "POST"},
		{"DELETE", "/api/v1/runs", auth, 405, httpapi.CodeMethodNotAllowed, "GET, HEAD"},
		{"GET", "/api/v1/runs/x/cancel", auth, 405, httpapi.CodeMethodNotAllowed, "POST"},
		{"GET", "/nope", nil, 404, httpapi.CodeNotFound, ""},
		{"GET", "/api/v1/runs/..%2F..%2Fetc%2Fpasswd", auth, 404, httpapi.CodeNotFound, ""},
		{"GET", "/api/v1/events/..%2F..", auth, 404, httpapi.CodeNotFound, ""},
		// The mux redirects to the clean path (no file system is involved).
		{"GET", "/api/v1/runs/../functions", auth, 307, "", ""},
		{"GET", "/api/v1/functions/%00", auth, 404, httpapi.CodeNotFound, ""},
		{"POST", "/api/v1/runs/" + strings.Repeat("x", 5000) + "/cancel", auth, 404, httpapi.CodeNotFound, ""},
		{"GET", "/api/v1/runs", nil, 401, httpapi.CodeUnauthorized, ""},
		{"GET", "/api/v1/runs", map[string]string{"Authorization": "Bearer " + testEventKey}, 401, httpapi.CodeUnauthorized, ""},
		{"GET", "/api/v1/runs", map[string]string{"Authorization": "Basic " + testToken}, 401, httpapi.CodeUnauthorized, ""},
		{"GET", "/api/v1/runs?status=bogus", auth, 400, httpapi.CodeInvalidRequest, ""},
		{"GET", "/api/v1/runs?limit=0", auth, 400, httpapi.CodeInvalidRequest, ""},
		{"GET", "/healthz", nil, 200, "", ""},
		{"GET", "/readyz", nil, 200, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path[:min(len(tt.path), 40)], func(t *testing.T) {
			res := env.do(t, tt.method, tt.path, nil, tt.header)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
			}
			if ct := res.header.Get("Content-Type"); ct != "application/json" && tt.status != 307 {
				t.Errorf("Content-Type %q", ct)
			}
			if tt.code != "" {
				if e := res.apiError(t); e.Code != tt.code {
					t.Errorf("code %q, want %q", e.Code, tt.code)
				}
			}
			if got := res.header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
		})
	}
}

func TestHTTPOptionsChecked(t *testing.T) {
	tests := []struct {
		name string
		opts runtime.HTTPOptions
		want []string
	}{
		{"limits without keys", runtime.HTTPOptions{MaxBatchEvents: 5}, []string{"no event key", "no management token", "or DevMode"}},
		{"keys without token", runtime.HTTPOptions{EventKeys: []string{testEventKey}}, []string{"no management token"}},
		{"short key", runtime.HTTPOptions{EventKeys: []string{"short"}, ManagementTokens: []string{testToken}}, []string{"EventKeys[0]: 5 characters; at least 16"}},
		{"key with a slash", runtime.HTTPOptions{EventKeys: []string{"abc/0123456789abcdef"}, ManagementTokens: []string{testToken}}, []string{"EventKeys[0]: character 3"}},
		{"token with a space", runtime.HTTPOptions{EventKeys: []string{testEventKey}, ManagementTokens: []string{"has space 0123456789"}}, []string{"ManagementTokens[0]: character 3"}},
		{"webhook without secret", runtime.HTTPOptions{Webhooks: []runtime.WebhookKey{{Key: testHookKey}}, ManagementTokens: []string{testToken}}, []string{"Webhooks[0].SigningSecrets: at least one"}},
		{"negative", runtime.HTTPOptions{DevMode: true, MaxBodyBytes: -1}, []string{"MaxBodyBytes is negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runtime.New(runtime.Options{Store: nopStore(t), HTTP: tt.opts})
			if err == nil {
				t.Fatal("New accepted the options")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
	for _, ok := range []runtime.HTTPOptions{{}, {DevMode: true}, prodOpts()} {
		if _, err := runtime.New(runtime.Options{Store: nopStore(t), HTTP: ok}); err != nil {
			t.Errorf("New(%+v): %v", ok, err)
		}
	}
}

func TestHTTPNotConfiguredAndDevMode(t *testing.T) {
	t.Run("not configured", func(t *testing.T) {
		env := newHTTPEnv(t, runtime.HTTPOptions{})
		res := env.do(t, "POST", "/e/anything", []byte(`{"name":"test/hello"}`), nil)
		if e := res.apiError(t); res.status != 503 || e.Code != httpapi.CodeNotConfigured {
			t.Fatalf("%d %s", res.status, res.body)
		}
		if res := env.do(t, "GET", "/healthz", nil, nil); res.status != 200 {
			t.Fatalf("healthz %d", res.status)
		}
	})
	t.Run("dev mode", func(t *testing.T) {
		env := newHTTPEnv(t, runtime.HTTPOptions{DevMode: true})
		if res := env.do(t, "POST", "/e/any", []byte(`{"name":"test/hello","id":"dev-1"}`), nil); res.status != 200 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		if res := env.do(t, "GET", "/api/v1/events/dev-1", nil, nil); res.status != 200 {
			t.Fatalf("%d %s", res.status, res.body)
		}
	})
	t.Run("dev mode refuses other machines", func(t *testing.T) {
		st := nopStore(t)
		eng, err := runtime.New(runtime.Options{Store: st, HTTP: runtime.HTTPOptions{DevMode: true}})
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("POST", "/e/any", strings.NewReader(`{"name":"test/hello"}`))
		req.RemoteAddr = "192.0.2.7:4444"
		rec := httptest.NewRecorder()
		eng.Handler().ServeHTTP(rec, req)
		if rec.Code != 403 || !strings.Contains(rec.Body.String(), httpapi.CodeForbidden) {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
}

func TestHTTPReadyz(t *testing.T) {
	st := nopStore(t)
	eng, err := runtime.New(runtime.Options{Store: st, HTTP: prodOpts()})
	if err != nil {
		t.Fatal(err)
	}
	h := eng.Handler()
	get := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		return rec
	}
	if rec := get(); rec.Code != 503 || !strings.Contains(rec.Body.String(), "not started") {
		t.Fatalf("before start: %d %s", rec.Code, rec.Body)
	}
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rec := get(); rec.Code != 200 {
		t.Fatalf("started: %d %s", rec.Code, rec.Body)
	}
	st.Close()
	if rec := get(); rec.Code != 503 || !strings.Contains(rec.Body.String(), "store") {
		t.Fatalf("store closed: %d %s", rec.Code, rec.Body)
	}
	eng.Stop(context.Background())
}

var httpWithFailure = runtime.NewFunction(runtime.FunctionOpts{ID: "http-fragile", Retries: runtime.Retries(0),
	OnFailure: func(ctx context.Context, in runtime.Input[runtime.FunctionFailedData]) (any, error) {
		return "noted", nil
	}},
	runtime.EventTrigger("test/fragile", ""),
	func(ctx context.Context, in runtime.Input[map[string]any]) (any, error) {
		first, err := step.Run(ctx, "first", func(ctx context.Context) (string, error) { return "one", nil })
		if err != nil {
			return nil, err
		}
		return step.Run(ctx, "second", func(ctx context.Context) (string, error) {
			if in.Event.Data["fail"] == true {
				return "", runtime.NonRetriable(fmt.Errorf("told to fail after %s", first))
			}
			return first + "+two", nil
		})
	})

// awaitStatus polls GET /api/v1/runs/{id} until the run has status want.
func (env *httpEnv) awaitStatus(t *testing.T, id, want string) httpapi.Run {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var run httpapi.Run
		res := env.api(t, "GET", "/api/v1/runs/"+id, nil)
		if res.status == 200 {
			res.decode(t, &run)
			if run.Status == want {
				return run
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s: %d %s, want status %s", id, res.status, res.body, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// runOf returns the run that event eventID started, through the runs query.
func (env *httpEnv) runOf(t *testing.T, function, eventID string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var list httpapi.RunList
		res := env.api(t, "GET", "/api/v1/runs?function="+function+"&event="+eventID, nil)
		if res.status != 200 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		res.decode(t, &list)
		if len(list.Runs) == 1 {
			return list.Runs[0].ID
		}
		if time.Now().After(deadline) {
			t.Fatalf("no run of %s for event %s", function, eventID)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (env *httpEnv) sendOK(t *testing.T, body string) {
	t.Helper()
	if res := env.do(t, "POST", "/e/"+testEventKey, []byte(body), nil); res.status != 200 {
		t.Fatalf("send %s: %d %s", body, res.status, res.body)
	}
}

func TestHTTPManagement(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "mgmt.db"), sqlite.Synchronous("OFF"))
	if err != nil {
		t.Fatal(err)
	}
	clock := vclock.New(epoch)
	eng, err := runtime.New(runtime.Options{Store: st, Clock: clock, PollInterval: 10 * time.Millisecond,
		Functions: []*runtime.Function{httpGreet, httpSleeper, httpWithFailure}, HTTP: prodOpts()})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(eng.Handler())
	t.Cleanup(func() { srv.Close(); eng.Stop(context.Background()); st.Close() })
	env := &httpEnv{eng: eng, clock: clock, srv: srv}

	t.Run("functions", func(t *testing.T) {
		var list httpapi.FunctionList
		env.api(t, "GET", "/api/v1/functions", nil).decode(t, &list)
		var ids []string
		for _, f := range list.Functions {
			ids = append(ids, f.ID)
		}
		if want := "[http-fragile http-fragile/on-failure http-greet http-sleeper]"; fmt.Sprint(ids) != want {
			t.Fatalf("functions %v, want %s", ids, want)
		}
		var f httpapi.Function
		res := env.api(t, "GET", "/api/v1/functions/http-fragile%2Fon-failure", nil)
		res.decode(t, &f)
		if res.status != 200 || f.ID != "http-fragile/on-failure" || f.Triggers[0].Event != runtime.FunctionFailedEvent || f.Paused {
			t.Fatalf("%d %s", res.status, res.body)
		}
	})

	t.Run("cancel, bulk cancel, bulk rerun", func(t *testing.T) {
		env.sendOK(t, `[{"name":"test/sleep","data":{"n":1},"id":"nap-1"},{"name":"test/sleep","data":{"n":2},"id":"nap-2"},{"name":"test/sleep","data":{"n":3},"id":"nap-3"}]`)
		runs := map[string]string{}
		for _, id := range []string{"nap-1", "nap-2", "nap-3"} {
			runs[id] = env.runOf(t, "http-sleeper", id)
			env.awaitStatus(t, runs[id], "sleeping")
		}
		var run httpapi.Run
		res := env.api(t, "POST", "/api/v1/runs/"+runs["nap-1"]+"/cancel", nil)
		res.decode(t, &run)
		if res.status != 200 || run.Status != "cancelled" {
			t.Fatalf("%d %s", res.status, res.body)
		}
		var bulk httpapi.BulkResponse
		res = env.api(t, "POST", "/api/v1/runs/cancel", []byte(`{"function_id":"http-sleeper","if":"event.data.n >= 2"}`))
		res.decode(t, &bulk)
		if res.status != 200 || bulk.Count != 2 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		// Idempotent: nothing left to cancel.
		env.api(t, "POST", "/api/v1/runs/cancel", []byte(`{"function_id":"http-sleeper","if":"event.data.n >= 2"}`)).decode(t, &bulk)
		if bulk.Count != 0 {
			t.Fatalf("second bulk cancel touched %d runs", bulk.Count)
		}
		var list httpapi.RunList
		env.api(t, "GET", "/api/v1/runs?function=http-sleeper&status=cancelled", nil).decode(t, &list)
		if len(list.Runs) != 3 {
			t.Fatalf("%d cancelled runs", len(list.Runs))
		}
		res = env.api(t, "POST", "/api/v1/runs/rerun", []byte(`{"function_id":"http-sleeper","statuses":["cancelled"],"if":"event.data.n == 3"}`))
		res.decode(t, &bulk)
		if res.status != 200 || bulk.Count != 1 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		old := env.awaitStatus(t, runs["nap-3"], "cancelled")
		if old.RerunBy == "" {
			t.Fatalf("rerun run has no rerun_by: %+v", old)
		}
		re := env.awaitStatus(t, old.RerunBy, "sleeping")
		if re.RerunOf != runs["nap-3"] {
			t.Fatalf("rerun_of %q, want %s", re.RerunOf, runs["nap-3"])
		}
		// A run that is not over cannot be rerun.
		if res := env.api(t, "POST", "/api/v1/runs/"+re.ID+"/rerun", nil); res.status != 409 || res.apiError(t).Code != httpapi.CodeConflict {
			t.Fatalf("rerun of a sleeping run: %d %s", res.status, res.body)
		}
	})

	t.Run("rerun from a step", func(t *testing.T) {
		env.sendOK(t, `{"name":"test/fragile","data":{"fail":true},"id":"frag-1"}`)
		id := env.runOf(t, "http-fragile", "frag-1")
		failed := env.awaitStatus(t, id, "failed")
		if len(failed.Steps) != 2 {
			t.Fatalf("steps %+v", failed.Steps)
		}
		if res := env.api(t, "POST", "/api/v1/runs/"+id+"/rerun", []byte(`{"from_step":"nope"}`)); res.status != 400 || !strings.Contains(string(res.body), "nope") {
			t.Fatalf("unknown step: %d %s", res.status, res.body)
		}
		if res := env.api(t, "POST", "/api/v1/runs/"+id+"/rerun", []byte(`{"from":"second"}`)); res.status != 400 || res.apiError(t).Code != httpapi.CodeNotAcceptableBody {
			t.Fatalf("unknown field: %d %s", res.status, res.body)
		}
		var rr httpapi.RerunResponse
		res := env.api(t, "POST", "/api/v1/runs/"+id+"/rerun", []byte(`{"from_step":"second"}`))
		res.decode(t, &rr)
		if res.status != 200 || rr.RunID == "" {
			t.Fatalf("%d %s", res.status, res.body)
		}
		re := env.awaitStatus(t, rr.RunID, "failed") // same event: fails again at "second"
		if re.RerunOf != id || re.RerunFromStep == "" || re.Steps[0].ID != "first" || string(re.Steps[0].Output) != `"one"` {
			t.Fatalf("rerun %+v", re)
		}
	})

	t.Run("pause and resume", func(t *testing.T) {
		var pr httpapi.PauseResponse
		res := env.api(t, "POST", "/api/v1/functions/http-greet/pause", nil)
		res.decode(t, &pr)
		if res.status != 200 || !pr.Function.Paused || pr.Function.PausedSince == nil {
			t.Fatalf("%d %s", res.status, res.body)
		}
		var list httpapi.FunctionList
		env.api(t, "GET", "/api/v1/functions", nil).decode(t, &list)
		for _, f := range list.Functions {
			if f.Paused != (f.ID == "http-greet") {
				t.Errorf("function %s paused: %v", f.ID, f.Paused)
			}
		}
		env.sendOK(t, `{"name":"test/hello","data":{"who":"held"},"id":"held-1"}`)
		id := env.runOf(t, "http-greet", "held-1")
		env.awaitStatus(t, id, "paused")
		res = env.api(t, "POST", "/api/v1/functions/http-greet/resume", []byte(`{"skip_held":false}`))
		res.decode(t, &pr)
		if res.status != 200 || pr.Function.Paused || pr.Held != 1 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		if run := env.awaitStatus(t, id, "completed"); string(run.Output) != `"hello held"` {
			t.Fatalf("output %s", run.Output)
		}
		if res := env.api(t, "POST", "/api/v1/functions/nope/pause", nil); res.status != 404 {
			t.Fatalf("%d %s", res.status, res.body)
		}
	})

	t.Run("runs query", func(t *testing.T) {
		var page1, page2 httpapi.RunList
		env.api(t, "GET", "/api/v1/runs?limit=2", nil).decode(t, &page1)
		if len(page1.Runs) != 2 || page1.NextCursor == "" {
			t.Fatalf("page 1: %+v", page1)
		}
		env.api(t, "GET", "/api/v1/runs?limit=2&cursor="+page1.NextCursor, nil).decode(t, &page2)
		if len(page2.Runs) == 0 || page2.Runs[0].ID == page1.Runs[0].ID || page2.Runs[0].ID == page1.Runs[1].ID {
			t.Fatalf("page 2 %+v after %+v", page2, page1)
		}
		future := epoch.Add(time.Hour).Format(time.RFC3339)
		var none httpapi.RunList
		env.api(t, "GET", "/api/v1/runs?since="+future, nil).decode(t, &none)
		if len(none.Runs) != 0 {
			t.Fatalf("runs since %s: %d", future, len(none.Runs))
		}
		for _, q := range []string{"since=yesterday", "limit=1001", "bogus=1", "if=event.(", "status=done"} {
			if res := env.api(t, "GET", "/api/v1/runs?"+q, nil); res.status != 400 || res.apiError(t).Code != httpapi.CodeInvalidRequest {
				t.Errorf("%s: %d %s", q, res.status, res.body)
			}
		}
	})
}
