package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/durable-go/durable/runtime/httpapi"
	"github.com/durable-go/durable/runtime/store"
)

// HTTPOptions configures the HTTP API that Engine.Handler serves: event
// ingest (POST /e/{key}), the management API (/api/v1/...) and the health
// checks (/healthz, /readyz). It is described by schemas/openapi.yaml.
//
// Outside DevMode, New refuses options that set anything without at least
// one event key (EventKeys or Webhooks) and one management token.
type HTTPOptions struct {
	// EventKeys are the keys accepted in POST /e/{key}. Several may be
	// valid at once, to rotate them without downtime. A key is at least
	// 16 characters of A-Z a-z 0-9 - . _ ~ (it is part of a URL path).
	EventKeys []string
	// Webhooks are event keys that accept only requests signed with
	// HMAC-SHA256 (see package httpapi for the header and the scheme).
	Webhooks []WebhookKey
	// ManagementTokens are the bearer tokens accepted by /api/v1 (header
	// "Authorization: Bearer <token>"), several for rotation; each at
	// least 16 printable ASCII characters without spaces.
	ManagementTokens []string
	// DevMode serves without keys or tokens when none are configured,
	// and then only to loopback addresses (127.0.0.1, ::1). For local
	// development; never in production, nor behind a proxy on the same
	// machine (every client would look local).
	DevMode bool

	// MaxBodyBytes bounds an ingest request's body; 0 means
	// DefaultHTTPMaxBodyBytes (512 KiB). Over it: 413.
	MaxBodyBytes int64
	// MaxBatchEvents bounds the events of one ingest request; 0 means
	// DefaultHTTPMaxBatchEvents (1,000). Over it: 413.
	MaxBatchEvents int
	// RateLimit is the requests per second allowed per event key or
	// management token (a token bucket of RateBurst requests); 0 means
	// DefaultHTTPRateLimit, negative means no limit. Over it: 429 with
	// Retry-After.
	RateLimit float64
	// RateBurst is the bucket size; 0 means twice RateLimit (at least 1).
	RateBurst int
	// BodyReadTimeout bounds the time to read a request's body once its
	// headers are in (a client trickling a body byte by byte gets 408);
	// 0 means DefaultHTTPBodyReadTimeout (10s). It needs a server whose
	// connections support read deadlines, as net/http's do.
	BodyReadTimeout time.Duration
	// SignatureTolerance is how far a webhook signature's timestamp may
	// be from the server's clock; 0 means 5 minutes.
	SignatureTolerance time.Duration
}

// WebhookKey is an event key whose requests must be signed with one of
// SigningSecrets (several, to rotate them).
type WebhookKey struct {
	Key            string
	SigningSecrets []string
}

// Defaults of HTTPOptions.
const (
	DefaultHTTPMaxBodyBytes       = 512 << 10
	DefaultHTTPMaxBatchEvents     = 1000
	DefaultHTTPRateLimit          = 100
	DefaultHTTPBodyReadTimeout    = 10 * time.Second
	DefaultHTTPSignatureTolerance = 5 * time.Minute

	// maxManagementBodyBytes bounds the body of a management request.
	maxManagementBodyBytes = 64 << 10
	// minSecretLen is the least length of a key, token or signing secret.
	minSecretLen = 16
)

// configured reports whether any field is set.
func (o HTTPOptions) configured() bool {
	return len(o.EventKeys) > 0 || len(o.Webhooks) > 0 || len(o.ManagementTokens) > 0 || o.DevMode ||
		o.MaxBodyBytes != 0 || o.MaxBatchEvents != 0 || o.RateLimit != 0 || o.RateBurst != 0 ||
		o.BodyReadTimeout != 0 || o.SignatureTolerance != 0
}

// check reports what is wrong with the options, naming the field.
func (o HTTPOptions) check() error {
	if !o.configured() {
		return nil
	}
	var errs []error
	for i, k := range o.EventKeys {
		if err := checkEventKey(k); err != nil {
			errs = append(errs, fmt.Errorf("Options.HTTP.EventKeys[%d]: %w", i, err))
		}
	}
	for i, w := range o.Webhooks {
		if err := checkEventKey(w.Key); err != nil {
			errs = append(errs, fmt.Errorf("Options.HTTP.Webhooks[%d].Key: %w", i, err))
		}
		if len(w.SigningSecrets) == 0 {
			errs = append(errs, fmt.Errorf("Options.HTTP.Webhooks[%d].SigningSecrets: at least one secret is required", i))
		}
		for j, s := range w.SigningSecrets {
			if len(s) < minSecretLen {
				errs = append(errs, fmt.Errorf("Options.HTTP.Webhooks[%d].SigningSecrets[%d]: %d bytes; at least %d are required", i, j, len(s), minSecretLen))
			}
		}
	}
	for i, t := range o.ManagementTokens {
		if err := checkToken(t); err != nil {
			errs = append(errs, fmt.Errorf("Options.HTTP.ManagementTokens[%d]: %w", i, err))
		}
	}
	if !o.DevMode {
		if len(o.EventKeys)+len(o.Webhooks) == 0 {
			errs = append(errs, errors.New("Options.HTTP: no event key (EventKeys or Webhooks): POST /e/{key} would accept nobody; set one, or DevMode for local use without keys"))
		}
		if len(o.ManagementTokens) == 0 {
			errs = append(errs, errors.New("Options.HTTP: no management token (ManagementTokens): /api/v1 would accept nobody; set one, or DevMode for local use without tokens"))
		}
	}
	if o.MaxBodyBytes < 0 {
		errs = append(errs, fmt.Errorf("Options.HTTP.MaxBodyBytes is negative (%d)", o.MaxBodyBytes))
	}
	if o.MaxBatchEvents < 0 {
		errs = append(errs, fmt.Errorf("Options.HTTP.MaxBatchEvents is negative (%d)", o.MaxBatchEvents))
	}
	if o.RateBurst < 0 {
		errs = append(errs, fmt.Errorf("Options.HTTP.RateBurst is negative (%d)", o.RateBurst))
	}
	if o.BodyReadTimeout < 0 {
		errs = append(errs, fmt.Errorf("Options.HTTP.BodyReadTimeout is negative (%v)", o.BodyReadTimeout))
	}
	if o.SignatureTolerance < 0 {
		errs = append(errs, fmt.Errorf("Options.HTTP.SignatureTolerance is negative (%v)", o.SignatureTolerance))
	}
	return errors.Join(errs...)
}

func checkEventKey(k string) error {
	if len(k) < minSecretLen {
		return fmt.Errorf("%d characters; at least %d are required", len(k), minSecretLen)
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return fmt.Errorf("character %d is not one of A-Z a-z 0-9 - . _ ~ (a key is part of a URL path)", i)
		}
	}
	return nil
}

func checkToken(t string) error {
	if len(t) < minSecretLen {
		return fmt.Errorf("%d characters; at least %d are required", len(t), minSecretLen)
	}
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] > '~' {
			return fmt.Errorf("character %d is not printable ASCII (or is a space)", i)
		}
	}
	return nil
}

func (o HTTPOptions) withDefaults() HTTPOptions {
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultHTTPMaxBodyBytes
	}
	if o.MaxBatchEvents == 0 {
		o.MaxBatchEvents = DefaultHTTPMaxBatchEvents
	}
	if o.RateLimit == 0 {
		o.RateLimit = DefaultHTTPRateLimit
	}
	if o.RateBurst == 0 {
		o.RateBurst = max(1, int(2*o.RateLimit))
	}
	if o.BodyReadTimeout == 0 {
		o.BodyReadTimeout = DefaultHTTPBodyReadTimeout
	}
	if o.SignatureTolerance == 0 {
		o.SignatureTolerance = DefaultHTTPSignatureTolerance
	}
	return o
}

// Server timeouts of NewHTTPServer; a server that mounts Engine.Handler
// otherwise should set at least ReadHeaderTimeout (a client trickling its
// headers holds a connection for as long as the server lets it).
const (
	HTTPReadHeaderTimeout = 5 * time.Second
	HTTPReadTimeout       = 30 * time.Second
	HTTPWriteTimeout      = 30 * time.Second
	HTTPIdleTimeout       = 120 * time.Second
	HTTPMaxHeaderBytes    = 64 << 10
)

// NewHTTPServer returns a server for h (usually Engine.Handler) on addr
// with timeouts that bound slow clients: HTTPReadHeaderTimeout for the
// headers, HTTPReadTimeout for the whole request (the handler bounds an
// ingest body further with HTTPOptions.BodyReadTimeout),
// HTTPWriteTimeout, HTTPIdleTimeout between requests of a connection, and
// HTTPMaxHeaderBytes. Bind a loopback address ("127.0.0.1:8288") unless
// the API must be reached from other machines.
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: HTTPReadHeaderTimeout,
		ReadTimeout:       HTTPReadTimeout,
		WriteTimeout:      HTTPWriteTimeout,
		IdleTimeout:       HTTPIdleTimeout,
		MaxHeaderBytes:    HTTPMaxHeaderBytes,
	}
}

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

// httpServer is the state of one Handler.
type httpServer struct {
	e          *Engine
	opts       HTTPOptions
	configured bool
	eventKeys  *secretSet
	webhooks   []webhook
	tokens     *secretSet
	limiter    *rateLimiter
	mux        *http.ServeMux
}

type webhook struct {
	key     *secretSet
	secrets [][]byte
}

// Handler returns the engine's HTTP API, configured by Options.HTTP:
//
//	POST /e/{key}                     send events (Inngest-compatible body)
//	GET  /api/v1/functions[/{id}]     functions, triggers, paused or not
//	GET  /api/v1/events/{id}          an event
//	GET  /api/v1/runs                 runs (filters, cursor)
//	GET  /api/v1/runs/{id}            a run and its steps
//	POST /api/v1/runs/{id}/cancel     cancel a run
//	POST /api/v1/runs/{id}/rerun      rerun a finished run (from a step)
//	POST /api/v1/runs/cancel|rerun    bulk, by filter
//	POST /api/v1/functions/{id}/pause|resume
//	GET  /healthz, /readyz            liveness, readiness
//
// schemas/openapi.yaml describes every route. Errors are JSON with a
// stable "code" (package httpapi lists them). Without Options.HTTP, only
// the health checks are served; the rest answers 503
// http_not_configured. Each call returns a handler with its own
// rate-limit buckets: call it once. Serve it with NewHTTPServer, or a
// server with the same timeouts.
func (e *Engine) Handler() http.Handler {
	o := e.httpOpts
	s := &httpServer{
		e:          e,
		opts:       o.withDefaults(),
		configured: o.configured(),
		eventKeys:  newSecretSet(o.EventKeys),
		tokens:     newSecretSet(o.ManagementTokens),
		mux:        http.NewServeMux(),
	}
	for _, w := range o.Webhooks {
		wh := webhook{key: newSecretSet([]string{w.Key})}
		for _, sec := range w.SigningSecrets {
			wh.secrets = append(wh.secrets, []byte(sec))
		}
		s.webhooks = append(s.webhooks, wh)
	}
	if s.opts.RateLimit > 0 {
		s.limiter = newRateLimiter(s.opts.RateLimit, s.opts.RateBurst, e.clock.Now)
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
	if !s.configured {
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
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if a, err := netip.ParseAddr(host); err == nil && a.Unmap().IsLoopback() {
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
	if !s.e.isRunning() {
		writeJSON(w, http.StatusServiceUnavailable, httpapi.Health{Status: "unavailable", Reason: "the engine is not started (or is stopping)"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	err := s.e.store.View(ctx, func(tx store.Tx) error {
		_, err := tx.GetState(ctx, "durable/readyz")
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		s.e.log.Warn("durable: readiness check: the store did not answer", "err", err)
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
	case errors.Is(err, ErrRunNotFound), errors.Is(err, ErrFunctionNotFound), errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, httpapi.CodeNotFound, err.Error())
	case errors.Is(err, ErrRunNotFinished):
		writeError(w, http.StatusConflict, httpapi.CodeConflict, err.Error())
	case errors.Is(err, ErrStepNotFound):
		writeError(w, http.StatusBadRequest, httpapi.CodeInvalidRequest, err.Error())
	case errors.Is(err, store.ErrClosed), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusServiceUnavailable, httpapi.CodeUnavailable, err.Error())
	default:
		s.e.log.Error("durable: HTTP API", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, httpapi.CodeInternal, err.Error())
	}
}
