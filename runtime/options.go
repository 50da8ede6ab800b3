package runtime

import (
	"log/slog"
	"time"

	"github.com/durable-go/durable/runtime/store"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"
)

// Options configures an engine.
type Options struct {
	// Store keeps events, runs and steps; see the sqlite package for the
	// embedded default. Required.
	Store store.Store
	// Functions are the durable functions this engine executes; usually
	// the generated registry's Functions().
	Functions []*Function
	// Logger receives the engine's logs; nil discards them.
	Logger *slog.Logger
	// Clock tells time; nil is the wall clock. Tests use a virtual one.
	Clock Clock
	// Workers bounds the runs executing at once in this process; 0 means 256.
	Workers int
	// LeaseDuration is how long a claimed run stays owned by this process
	// without a heartbeat; 0 means 30s. Heartbeats come every third of it.
	LeaseDuration time.Duration
	// PollInterval is how often the engine looks for due runs when nothing
	// wakes it; 0 means 1s.
	PollInterval time.Duration
	// Events are the event types of the catalog, usually the generated
	// events.Events(). Every event of one of these names is validated
	// against the type's JSON Schema before it is stored, and the fields
	// the schema marks "x-sensitive" are encrypted at rest.
	Events []EventDescriptor
	// EncryptionKey is the AES-256 key (32 bytes) that encrypts sensitive
	// fields at rest. When nil, the key is read from the environment
	// variable DURABLE_ENCRYPTION_KEY (standard base64 of 32 bytes). New
	// refuses to start when Events have sensitive fields and no key is set.
	EncryptionKey []byte

	// Limits on hostile input. Send refuses a batch with an event over them,
	// naming the event and the field, and stores nothing of it.

	// MaxEventDataBytes bounds the JSON encoding of an event's data; 0
	// means DefaultMaxEventDataBytes (512 KiB).
	MaxEventDataBytes int
	// MaxEventNameBytes bounds an event's name, which must be printable
	// as unicode.IsPrint says (letters, marks, numbers, punctuation,
	// symbols and the ASCII space: no line breaks, no terminal escapes, no
	// invalid UTF-8); 0 means DefaultMaxEventNameBytes (256).
	MaxEventNameBytes int
	// MaxEventIDBytes bounds an event's ID, printable too; 0 means
	// DefaultMaxEventIDBytes (128).
	MaxEventIDBytes int
	// ExpressionCostLimit bounds the work of one evaluation of a CEL
	// expression (trigger If, keys, wait and cancel If), in CEL cost units;
	// 0 means DefaultExpressionCostLimit. An event whose trigger
	// expressions exceed it is refused by Send; a wait or cancel If that
	// exceeds it does not match, and is logged.
	ExpressionCostLimit uint64
	// ExpressionTimeout bounds the time of one evaluation of a CEL
	// expression; 0 means DefaultExpressionTimeout (1s).
	ExpressionTimeout time.Duration

	// Retention says how long finished runs, events and expired
	// flow-control state are kept; a background sweep deletes them.
	Retention Retention

	// HTTP configures the HTTP API that Engine.Handler serves (event
	// ingest, management, health checks): its keys, tokens and limits.
	HTTP HTTPOptions

	// UI configures the web UI that Engine.UI serves: who may use it.
	UI UIOptions

	// TracerProvider makes the spans of run executions and step
	// executions; nil means the global provider (otel.GetTracerProvider),
	// a no-op unless the application sets one. The trace context of the
	// span that sends an event travels with the event into the runs it
	// starts and the events their steps send.
	TracerProvider trace.TracerProvider
	// Metrics registers the engine's Prometheus metrics; nil records none.
	// Serve them with promhttp.HandlerFor(registry, promhttp.HandlerOpts{}).
	Metrics prometheus.Registerer
}

// Retention says how long the store keeps what the engine no longer
// needs, counted from a run's end or an event's receipt. A zero field
// means its default; a negative one keeps forever.
type Retention struct {
	// Completed runs (and skipped ones); 0 means 7 days.
	Completed time.Duration
	// Failed runs; 0 means 30 days.
	Failed time.Duration
	// Cancelled runs; 0 means 30 days.
	Cancelled time.Duration
	// Events, once no run that is not over may hold them; 0 means 7 days.
	// An event's ID is deduplicated only while it is kept.
	Events time.Duration
	// Interval between sweeps; 0 means an hour. The first sweep comes a
	// minute after Start (or Interval, if shorter).
	Interval time.Duration
}

// Retention defaults.
const (
	DefaultRetentionCompleted = 7 * 24 * time.Hour
	DefaultRetentionFailed    = 30 * 24 * time.Hour
	DefaultRetentionEvents    = 7 * 24 * time.Hour
	DefaultRetentionInterval  = time.Hour
)

// withDefaults fills the zero fields.
func (r Retention) withDefaults() Retention {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&r.Completed, DefaultRetentionCompleted)
	def(&r.Failed, DefaultRetentionFailed)
	def(&r.Cancelled, DefaultRetentionFailed)
	def(&r.Events, DefaultRetentionEvents)
	if r.Interval <= 0 {
		r.Interval = DefaultRetentionInterval
	}
	return r
}

// Clock tells time. The engine reads time only through it.
type Clock interface {
	Now() time.Time
	// After delivers the time on the channel after d, as time.After does.
	After(d time.Duration) <-chan time.Time
}

type wallClock struct{}

func (wallClock) Now() time.Time                         { return time.Now() }
func (wallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
