// Package concurrency defines an Analyzer that reports durable functions
// that call rate-limited services with no flow-control option.
//
// # Analyzer concurrency
//
// concurrency: report functions that call rate-limited services with no Concurrency, Throttle or RateLimit
//
// concurrency reports a definition (runtime.NewFunction or
// inngestgo.CreateFunction) whose function calls a rate-limited external
// service, directly or through helpers in any package (the message shows
// the chain), while its options set none of Concurrency, Throttle or
// RateLimit. Rate-limited services are, by default:
//
//   - email and SMS senders: net/smtp, SendGrid, Mailgun, Mailjet,
//     Postmark, Resend, Twilio, Vonage, Amazon SES and SNS;
//   - third-party APIs with per-account quotas: Stripe, Slack, GitHub,
//     OpenAI, Anthropic;
//   - every package, function or method listed in -services
//     (comma-separated "import/path", "import/path.Func" or
//     "import/path.Type.Method"), such as your CRM's client;
//   - with -http, every outbound net/http client call (off by default:
//     most HTTP calls of a service go to its own backends).
//
// Within a listed package, calls that take a context.Context, methods,
// and functions named Send* count; constructors such as NewClient do not.
//
// # Why it matters in production
//
// Events arrive in bursts: a batch import, a marketing campaign, a retry
// storm after an outage. Without a limit the engine runs every triggered
// function at once, the provider answers 429 Too Many Requests, every step
// retries with backoff, and the burst turns into an hour of failures that
// also exhausts the quota of the rest of the application.
//
// # How to fix
//
// Bound the runs calling the service, per key when the quota is per
// customer or per account:
//
//	// Before
//	runtime.FunctionOpts{ID: "send-receipt"}
//
//	// After
//	runtime.FunctionOpts{ID: "send-receipt",
//		Concurrency: []runtime.Concurrency{{Limit: 10}},
//		Throttle:    &runtime.Throttle{Limit: 100, Period: time.Minute}}
package concurrency
