// Package durabletest unit-tests durable functions in milliseconds, on the
// real engine and a real store: each Run starts a runtime.Engine on a SQLite
// file in t.TempDir(), with a virtual clock, sends the triggering event,
// drives the run to its end, and returns what happened.
//
// A complete test of an order workflow (reserve stock, wait for the payment,
// sleep through a fraud-review window, ship with retries, announce the
// shipment):
//
//	func TestProcessOrderPaid(t *testing.T) {
//		t.Parallel()
//		res := durabletest.Run(t, ProcessOrder,
//			OrderCreated.New(OrderCreatedData{OrderID: "o1", CustomerID: "c1", TotalCents: 1000,
//				Items: []Item{{SKU: "kettle", Quantity: 2}}}),
//			// The payment that step.WaitForEvent("await-payment") receives; the
//			// engine matches it against the wait's If, as in production.
//			durabletest.DeliverEvent("await-payment",
//				PaymentReceived.New(PaymentReceivedData{OrderID: "o1", AmountCents: 1000})),
//			// The carrier fails twice, then answers.
//			durabletest.MockStepFailures("ship", 2, errors.New("carrier API: 503")),
//			durabletest.MockStep("ship", "TRK-1", nil),
//			// The function triggered by shop/order.shipped runs too.
//			durabletest.With(SendShippingEmail),
//		)
//		res.AssertCompleted(t)
//		res.AssertSteps(t, "reserve-stock", "await-payment", "fraud-window", "ship", "announce-shipment")
//		res.AssertStep(t, "reserve-stock", "res-o1")
//		res.AssertStepAttempts(t, "ship", 3)
//		res.AssertOutput(t, "TRK-1")
//		res.AssertSent(t, "shop/order.shipped", OrderShippedData{OrderID: "o1", CustomerID: "c1", Tracking: "TRK-1"})
//		res.RunOf("send-shipping-email").AssertOutput(t, "Your order o1 has shipped (TRK-1)")
//	}
//
// This test is examples/shop/shop_test.go in the durable repository. It
// runs in milliseconds although the workflow sleeps and retries with
// backoff: virtual time jumps over both.
//
// # Time
//
// The engine reads time only from the harness's virtual clock. Whenever no
// run is executing or due, and no event is to be delivered, the harness
// moves the clock to the next moment something is due: the end of a sleep,
// a wait's timeout, a retry's backoff, a Timeouts deadline. A
// step.Sleep of a week takes no wall time, and Result.Elapsed reports the
// virtual time that passed. The harness learns that runs are parked from
// their status in the store, not by sleeping, so tests are deterministic.
// StartAt sets the starting time (DefaultStart otherwise), TimeLimit how far
// it may move.
//
// # Waits
//
// DeliverEvent(stepID, event) sends event through Engine.Send once a run
// waits at that step. It resolves the wait only if the engine matches it
// (name and If expression); if not, the test fails with the expression and
// both events, and the wait goes on and times out, exactly as in
// production. DeliverEventAfter lets the run wait a while (of virtual time)
// before the event arrives. DeliverNonMatchingEvent checks the opposite. A wait with no
// delivery times out (virtual time skips to its timeout); TimeoutWait
// states that expectation and checks it.
//
// # Mocks
//
// MockStep(id, value, err) replaces the function of step.Run calls with
// that ID; MockStepFailures(id, n, err) fails their first n attempts (then
// the real function or the MockStep runs), to test retries and, with n above
// the retry count, OnFailure handlers; MockStepFunc decides per attempt.
// MockInvoke answers step.Invoke of a function without running it; With
// registers functions that run for real (invoked ones, and those triggered by
// the events the function sends). Every mock and delivery must be used, or
// the test fails: that catches misspelt step IDs (AllowUnused turns it off).
//
// # Results
//
// Result gives the run's status, output (Output[T] decodes it) or error,
// and its steps in order with outputs, attempts and errors (StepOutput[T]
// decodes one). Sent lists the events steps sent, RunOf and OnFailure give
// the other runs of the test. The Assert methods fail the test with a
// message that names the step and shows what was expected and what
// happened, followed by the run's step list.
//
// # Replay check
//
// After the runs end, Run replays each one against its journal with
// Engine.CheckReplay, executing nothing, and fails the test if the function
// reaches a different step than the journal recorded: code outside step.Run
// that depends on time, randomness, map order or I/O. In production such a
// function fails when a run resumes after a sleep or a wait; the check finds
// it even in a test where the run never had to resume. The message names
// the step the journal expected and the step the function reached.
//
// # Isolation
//
// Every Run has its own engine, store and clock, so tests may call
// t.Parallel. Mocks are matched by step ID in every run of the test's
// engine. The engine is stopped and the store closed before Run returns
// (and, if the test stops early, in t.Cleanup); the engine's log is printed
// when the test fails.
package durabletest
