// Package httpapi holds what the engine's HTTP API (runtime.Engine.Handler)
// and its clients share: the JSON shapes of requests and responses, the
// stable error codes, the decoder of the Inngest-compatible ingest body,
// and the HMAC-SHA256 signature scheme of webhooks.
//
// The API itself is described by schemas/openapi.yaml; the cmd/durable CLI
// is a client of it.
//
// # Webhook signatures
//
// An event key configured as a webhook (runtime.HTTPOptions.Webhooks)
// accepts only requests that carry the header
//
//	X-Durable-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
//
// where the HMAC is computed with one of the key's signing secrets over the
// timestamp, a dot and the raw request body ("1700000000.{...}"). Several
// v1= values may be given (a sender rotating its secret); one matching is
// enough. The timestamp must be within the tolerance
// (runtime.HTTPOptions.SignatureTolerance, 5 minutes by default) of the
// server's clock, which bounds how long a captured request can be
// replayed. Sign computes the header for a sender written in Go.
package httpapi
