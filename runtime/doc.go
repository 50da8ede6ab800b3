// Package runtime executes durable functions: define them with NewFunction,
// give them to an Engine (New, Start, Send), and write their bodies with the
// step package.
//
// # Event schemas
//
// Options.Events lists the event types of the catalog, usually the generated
// events.Events(). Every event of one of those names, however it is stored
// (Engine.Send, step.SendEvent), is validated against its type's JSON Schema
// (draft 2020-12; formats are asserted) before anything is stored. An event
// that does not match is rejected with an *EventValidationError that names
// the event (index in the batch, name, ID) and lists every violation as a
// JSON pointer into the envelope, such as /data/items/0/quantity, with a
// reason; nothing of the batch is stored. From a step, the step returns that
// error. Schemas must be self-contained (their $refs point into their own
// $defs); New compiles them once and reports an invalid one naming its event.
//
// # Sensitive fields
//
// Fields a schema marks "x-sensitive": true (the catalog's sensitive: true),
// wherever they are (nested objects, arrays, $defs), are encrypted at rest
// with AES-256-GCM before the event is stored. The key is
// Options.EncryptionKey (32 bytes) or, when that is nil, the environment
// variable DURABLE_ENCRYPTION_KEY (standard base64 of 32 bytes, as
// `openssl rand -base64 32` prints). New refuses to start when catalogued
// events have sensitive fields and no key is set, rather than store them in
// the clear, and reports a malformed key naming where it came from, never
// its value.
//
// At rest, a sensitive value is replaced by {"$enc": "v1:<base64 of nonce and
// ciphertext>"}; the ciphertext is bound to the event's ID and the field's
// JSON pointer, so one copied to another field or event does not decrypt.
// Functions see plaintext: the events of Input, the event WaitForEvent
// returns, and the failed run's event in FunctionFailedData. Everything else
// shows the encrypted form: the store, Engine.Run and Engine.Runs (RunInfo),
// the logs, and the system event durable/function.failed as stored. A
// sensitive value that does not decrypt (another key, or a ciphertext moved
// or altered) fails the run with a *DecryptError naming the event and the
// field; keep the key for as long as runs may read its events.
//
// CEL expressions (trigger and wait If, idempotency and flow-control keys)
// are evaluated on stored envelopes, so they see the encrypted form: do not
// use sensitive fields in expressions; keys derived from them would be
// stored in the clear, which is why they are not decrypted for evaluation.
//
// # Where things are
//
// This package holds the user's vocabulary (Function, Engine, Options,
// Event, the errors, RunInfo with its RunStatus and StepStatus, which
// runinfo.go converts from the store's) and the engine's life of a run: an
// event is checked and stored by Engine.Send (engine.go; sends.go gathers
// the sends that need no transaction into one store call, on stores that
// are a store.EventSender), which admits a run per trigger (admission.go: admissionStages, the ordered decisions of
// flow control: idempotency, rate limit, singleton, debounce, batch,
// throttle, priority, concurrency, then the run is stored started or
// queued); the poll loop claims due runs (engine.go: claim); exec.go
// executes a claimed run's handler step by step and finishes it
// (execution.finish, Engine.finishRun); what an execution commits of its
// own run alone joins other runs' in one store call (runcommits.go, on
// stores that are a store.RunCommitter). The HTTP API and the UI are
// configured and returned here (http.go: HTTPOptions, Engine.Handler,
// NewHTTPServer; ui.go: UIOptions, Dev, Engine.UI; web.go: webManager,
// all they see of the engine). The machinery lives under runtime/internal:
// flowstate keeps flow control's state in the store (idempotency keys,
// GCRA windows, singleton holders, debounce and batch buffers); expr
// compiles and evaluates CEL under cost and time limits; eventschema
// compiles the event schemas and validates event data; seal encrypts
// sensitive fields; cronspec parses cron schedules; quote bounds and
// escapes input quoted in errors; jsonptr writes JSON pointers; journal
// names the step kinds and the keys of Cancel watches; runctx is the seam
// to the step package; web serves the HTTP API (ingest, webhooks, the
// management API, health checks, keys and rate limits) and the UI (pages,
// sessions, the embedded assets). Stores are in runtime/store; the HTTP
// API's wire types in runtime/httpapi.
package runtime
