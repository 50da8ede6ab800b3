package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/durable-go/durable/runtime/httpapi"
	"github.com/durable-go/durable/runtime/store"
)

// APIOptions configures NewAPI: runtime.HTTPOptions, with the defaults
// filled in.
type APIOptions struct {
	// Configured: runtime.Options.HTTP sets something; otherwise only the
	// health checks are served.
	Configured       bool
	EventKeys        []string
	Webhooks         []Webhook
	ManagementTokens []string
	DevMode          bool

	MaxBodyBytes       int64
	MaxBatchEvents     int
	RateLimit          float64
	RateBurst          int
	BodyReadTimeout    time.Duration
	SignatureTolerance time.Duration
}

// Webhook is an event key whose requests must be signed with one of
// SigningSecrets.
type Webhook struct {
	Key            string
	SigningSecrets []string
}

// maxManagementBodyBytes bounds the body of a management request.
const maxManagementBodyBytes = 64 << 10

// authKind says how a route authenticates its caller.
type authKind int

const (
	authNone       authKind = iota
	authEventKey            // the key in the path
	authManagement          // a bearer token
)

// route is one endpoint of the API; routes lists them all, and the
// OpenAPI document (schemas/openapi.yaml) must describe exactly these.
type route struct {
	method, pattern string
	auth            authKind
	handle          func(s *httpServer, w http.ResponseWriter, r *http.Request)
}

func routes() []route {
	return []route{
		{"GET", "/healthz", authNone, (*httpServer).healthz},
		{"GET", "/readyz", authNone, (*httpServer).readyz},
		{"POST", "/e/{key}", authEventKey, (*httpServer).ingest},
		{"GET", "/api/v1/functions", authManagement, (*httpServer).listFunctions},
		{"GET", "/api/v1/functions/{id}", authManagement, (*httpServer).getFunction},
		{"POST", "/api/v1/functions/{id}/pause", authManagement, (*httpServer).pauseFunction},
		{"POST", "/api/v1/functions/{id}/resume", authManagement, (*httpServer).resumeFunction},
		{"GET", "/api/v1/events/{id}", authManagement, (*httpServer).getEvent},
		{"GET", "/api/v1/runs", authManagement, (*httpServer).listRuns},
		{"GET", "/api/v1/runs/{id}", authManagement, (*httpServer).getRun},
		{"POST", "/api/v1/runs/{id}/cancel", authManagement, (*httpServer).cancelRun},
		{"POST", "/api/v1/runs/{id}/rerun", authManagement, (*httpServer).rerunRun},
		{"POST", "/api/v1/runs/cancel", authManagement, (*httpServer).cancelRuns},
		{"POST", "/api/v1/runs/rerun", authManagement, (*httpServer).rerunRuns},
	}
}

// httpServer is the state of one API handler.
type httpServer struct {
	m    Manager
	opts APIOptions
	// fns and statuses are the engine's, fixed by runtime.New.
	fns       []Function
	statuses  []string
	eventKeys *secretSet
	webhooks  []webhook
	tokens    *secretSet
	limiter   *rateLimiter
	mux       *http.ServeMux
}

type webhook struct {
	key     *secretSet
	secrets [][]byte
}

// NewAPI returns the HTTP API of runtime's Engine.Handler, serving m.
// Each call returns a handler with its own rate-limit buckets.
func NewAPI(m Manager, o APIOptions) http.Handler {
	s := &httpServer{
		m:         m,
		opts:      o,
		fns:       m.Functions(),
		statuses:  m.RunStatuses(),
		eventKeys: newSecretSet(o.EventKeys),
		tokens:    newSecretSet(o.ManagementTokens),
		mux:       http.NewServeMux(),
	}
	for _, w := range o.Webhooks {
		wh := webhook{key: newSecretSet([]string{w.Key})}
		for _, sec := range w.SigningSecrets {
			wh.secrets = append(wh.secrets, []byte(sec))
		}
		s.webhooks = append(s.webhooks, wh)
	}
	if o.RateLimit > 0 {
		s.limiter = newRateLimiter(o.RateLimit, o.RateBurst, m.Now)
	}
	for _, rt := range routes() {
		s.mux.HandleFunc(rt.method+" "+rt.pattern, func(w http.ResponseWriter, r *http.Request) {
			s.serve(rt, w, r)
		})
	}
	return s
}

// allMethods are the methods tried to tell a wrong method (405) from an
// unknown path (404).
var allMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}

func (s *httpServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	// The mux answers in plain text: the API answers in JSON.
	var allowed []string
	for _, m := range allMethods {
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, pattern := s.mux.Handler(r2); pattern != "" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, http.StatusMethodNotAllowed, httpapi.CodeMethodNotAllowed,
			fmt.Sprintf("%s is not allowed on %s; allowed: %s", r.Method, quotePath(r), strings.Join(allowed, ", ")))
		return
	}
	writeError(w, http.StatusNotFound, httpapi.CodeNotFound, "no route for "+r.Method+" "+quotePath(r)+" (see schemas/openapi.yaml)")
}

func quotePath(r *http.Request) string {
	p := r.URL.EscapedPath()
	if len(p) > 100 {
		p = p[:100] + "…"
	}
	return strconv.Quote(p)
}

// serve authenticates and rate-limits the request, then handles it.
func (s *httpServer) serve(rt route, w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if rt.auth == authNone {
		rt.handle(s, w, r)
		return
	}
	if !s.opts.Configured {
		writeError(w, http.StatusServiceUnavailable, httpapi.CodeNotConfigured,
			"this engine's HTTP API is not configured: set runtime.Options.HTTP (EventKeys and ManagementTokens, or DevMode for local use)")
		return
	}
	var bucket string
	switch rt.auth {
	case authEventKey:
		key := r.PathValue("key")
		switch {
		case s.eventKeys.match(key):
			bucket = "event-key:" + strconv.Itoa(s.eventKeys.index(key))
		case s.webhookOf(key) >= 0:
			bucket = "webhook:" + strconv.Itoa(s.webhookOf(key))
		case s.openDev():
			if !s.loopback(w, r) {
				return
			}
			bucket = "dev"
		default:
			writeError(w, http.StatusUnauthorized, httpapi.CodeInvalidEventKey, "the event key in /e/{key} is not one of this engine's (Options.HTTP.EventKeys)")
			return
		}
	case authManagement:
		token, ok := bearer(r)
		switch {
		case ok && s.tokens.match(token):
			bucket = "token:" + strconv.Itoa(s.tokens.index(token))
		case s.openDev():
			if !s.loopback(w, r) {
				return
			}
			bucket = "dev"
		case !ok:
			w.Header().Set("WWW-Authenticate", `Bearer realm="durable"`)
			writeError(w, http.StatusUnauthorized, httpapi.CodeUnauthorized, "a management token is required: header Authorization: Bearer <token> (Options.HTTP.ManagementTokens)")
			return
		default:
			w.Header().Set("WWW-Authenticate", `Bearer realm="durable", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, httpapi.CodeUnauthorized, "the bearer token is not one of this engine's management tokens")
			return
		}
	}
	if s.limiter != nil {
		if ok, wait := s.limiter.allow(bucket); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
			writeError(w, http.StatusTooManyRequests, httpapi.CodeRateLimited,
				fmt.Sprintf("over the rate limit of %g requests per second (burst %d) for this key; retry after %v", s.opts.RateLimit, s.opts.RateBurst, wait.Round(time.Millisecond)))
			return
		}
	}
	rt.handle(s, w, r)
}

// openDev reports whether dev mode serves without keys: no key and no
// token is configured.
func (s *httpServer) openDev() bool {
	return s.opts.DevMode && s.eventKeys.empty() && len(s.webhooks) == 0 && s.tokens.empty()
}

// loopback refuses (403) a request from another machine in open dev mode.
func (s *httpServer) loopback(w http.ResponseWriter, r *http.Request) bool {
	if loopbackAddr(r.RemoteAddr) {
		return true
	}
	writeError(w, http.StatusForbidden, httpapi.CodeForbidden, "dev mode without keys serves loopback addresses only; configure Options.HTTP.EventKeys and ManagementTokens to serve other machines")
	return false
}

func (s *httpServer) webhookOf(key string) int {
	for i, wh := range s.webhooks {
		if wh.key.match(key) {
			return i
		}
	}
	return -1
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

func (s *httpServer) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, httpapi.Health{Status: "ok"})
}

// readyz answers 200 when the engine is started and its store answers a
// read within 2 seconds.
func (s *httpServer) readyz(w http.ResponseWriter, r *http.Request) {
	if !s.m.Running() {
		writeJSON(w, http.StatusServiceUnavailable, httpapi.Health{Status: "unavailable", Reason: "the engine is not started (or is stopping)"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	err := s.m.Store().View(ctx, func(tx store.Tx) error {
		_, err := tx.GetState(ctx, "durable/readyz")
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		s.m.Log().Warn("durable: readiness check: the store did not answer", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, httpapi.Health{Status: "unavailable", Reason: "the store did not answer: " + err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, httpapi.Health{Status: "ok"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(httpapi.Error{Status: status, Code: httpapi.CodeInternal, Message: "encoding the response: " + err.Error()})
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, httpapi.Error{Status: status, Code: code, Message: msg})
}

// engineError answers an engine error: not found, unavailable, or
// internal (logged).
func (s *httpServer) engineError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, httpapi.CodeNotFound, err.Error())
	case errors.Is(err, ErrNotFinished):
		writeError(w, http.StatusConflict, httpapi.CodeConflict, err.Error())
	case errors.Is(err, ErrUnknownStep):
		writeError(w, http.StatusBadRequest, httpapi.CodeInvalidRequest, err.Error())
	case errors.Is(err, store.ErrClosed), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusServiceUnavailable, httpapi.CodeUnavailable, err.Error())
	default:
		s.m.Log().Error("durable: HTTP API", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, httpapi.CodeInternal, err.Error())
	}
}
