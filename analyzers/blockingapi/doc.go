// Package blockingapi defines an Analyzer that reports HTTP handlers doing
// slow side effects inline instead of sending an event.
//
// # Analyzer blockingapi
//
// blockingapi: report HTTP handlers that send email, make several outbound HTTP calls, or poll a run inline
//
// In a package that uses a durable API, blockingapi looks at every HTTP
// handler: a function, method or function literal with the signature
// func(http.ResponseWriter, *http.Request) (http.HandlerFunc shapes,
// ServeHTTP, and methods with that signature). It reports a handler that,
// directly or through helpers in any package (the message shows the chain):
//
//   - sends email: net/smtp, or an email/SMS provider's SDK (SendGrid,
//     Mailgun, Mailjet, Postmark, Resend, Twilio, Amazon SES);
//   - makes more than -max-http outbound net/http client calls (default 1;
//     a call in a loop counts as many);
//   - waits for a durable run's result: Engine.Run called in a loop.
//
// Work started with `go` inside the handler is not inline and is not
// counted (the goroutine analyzer of the standard vet suite and code review
// cover its own risks).
//
// # Why it matters in production
//
// An HTTP request is the least durable place to do work: the client times
// out after 30 seconds and retries, a deploy kills in-flight requests, the
// mail server is slow today. Work done inline is done twice, or half, or
// never, and the API is only as fast and available as its slowest
// dependency. A durable function retries each step, survives restarts, and
// lets the handler answer in milliseconds.
//
// # How to fix
//
// Send an event and return; do the slow work in a durable function
// triggered by it:
//
//	// Before
//	func (s *Server) Signup(w http.ResponseWriter, r *http.Request) {
//		u := s.create(r)
//		smtp.SendMail(addr, auth, from, []string{u.Email}, welcome(u))
//		w.WriteHeader(http.StatusCreated)
//	}
//
//	// After
//	func (s *Server) Signup(w http.ResponseWriter, r *http.Request) {
//		u := s.create(r)
//		if _, err := s.eng.Send(r.Context(), events.UserSignedUp.New(events.UserSignedUpData{ID: u.ID})); err != nil {
//			http.Error(w, err.Error(), http.StatusServiceUnavailable)
//			return
//		}
//		w.WriteHeader(http.StatusAccepted)
//	}
package blockingapi
