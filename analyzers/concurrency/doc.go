// Package concurrency defines an Analyzer that reports durable functions
// that call rate-limited services with no flow-control option.
//
// # Analyzer concurrency
//
// concurrency: report functions that call rate-limited services with no Concurrency, Throttle or RateLimit
//
// concurrency reports a definition (runtime.NewFunction or
// inngestgo.CreateFunction) whose function calls a rate-limited external
// service, directly, through helpers in any package, or through interfaces
// whose implementations the program declares (the message shows the
// chain), while its options bound the runs in none of these ways:
// Concurrency, Throttle, RateLimit, Singleton or Debounce. It is advice
// (category "advice"). Rate-limited services are, by default, the SDKs
// (by their import paths, every major version) of:
//
//   - email and SMS senders: net/smtp, SendGrid, Mailgun, Mailjet,
//     Postmark, Resend, Twilio, Vonage, Amazon SES and SNS;
//   - payments, push and chat: Stripe, PayPal, Firebase Cloud Messaging,
//     Slack, Discord;
//   - APIs with per-account quotas: OpenAI (go-openai and openai-go),
//     Anthropic, Google GenAI, GitHub;
//   - every package, function or method listed in -services
//     (comma-separated "import/path", "import/path.Func" or
//     "import/path.Type.Method"), such as your CRM's client;
//   - with -http, every outbound net/http client call (off by default:
//     most HTTP calls of a service go to its own backends).
//
// Within such an SDK, what counts is a call of the service: a known
// sending or charging call, a function or method that takes a
// context.Context, a method of a client or service type (Client, Service,
// API, Session, Bot...), or a function named Send*. Building a client
// (NewClient), a parameter (stripe.String, params.SetTo(...) returning its
// receiver) or a request does not count. Functions triggered only by cron
// schedules are not reported: their runs come one per tick, never in a
// burst. The suggested option is spelled in the API the code uses
// (runtime.Concurrency or inngestgo.ConfigStepConcurrency).
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
