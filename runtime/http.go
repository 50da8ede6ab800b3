package runtime

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/durable-go/durable/runtime/internal/web"
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
	d := o.withDefaults()
	api := web.APIOptions{
		Configured:         o.configured(),
		EventKeys:          o.EventKeys,
		ManagementTokens:   o.ManagementTokens,
		DevMode:            o.DevMode,
		MaxBodyBytes:       d.MaxBodyBytes,
		MaxBatchEvents:     d.MaxBatchEvents,
		RateLimit:          d.RateLimit,
		RateBurst:          d.RateBurst,
		BodyReadTimeout:    d.BodyReadTimeout,
		SignatureTolerance: d.SignatureTolerance,
	}
	for _, w := range o.Webhooks {
		api.Webhooks = append(api.Webhooks, web.Webhook{Key: w.Key, SigningSecrets: w.SigningSecrets})
	}
	return web.NewAPI(webManager{e}, api)
}
