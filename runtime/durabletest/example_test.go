package durabletest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/durabletest"
	"github.com/durable-go/durable/runtime/step"
)

type Signup struct {
	Email string `json:"email"`
}

var (
	UserSignedUp   = runtime.NewEventType[Signup]("app/user.signed-up", "1", nil)
	EmailConfirmed = runtime.NewEventType[Signup]("app/email.confirmed", "1", nil)
	WelcomeSent    = runtime.NewEventType[Signup]("app/welcome.sent", "1", nil)
)

// Onboard waits up to three days for the new user to confirm their email,
// then waits a day more and sends the welcome email.
var Onboard = runtime.NewFunction(runtime.FunctionOpts{ID: "onboard"}, UserSignedUp.Trigger(),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		_, err := step.WaitForEvent(ctx, "wait-confirmation", EmailConfirmed,
			step.WaitOpts{Timeout: 72 * time.Hour, If: "async.data.email == event.data.email"})
		if errors.Is(err, step.ErrTimeout) {
			return "not confirmed", nil
		}
		if err != nil {
			return nil, err
		}
		if err := step.Sleep(ctx, "let-them-settle", 24*time.Hour); err != nil {
			return nil, err
		}
		id, err := step.Run(ctx, "send-welcome", func(ctx context.Context) (string, error) {
			return sendEmail(in.Event.Data.Email, "Welcome!")
		})
		if err != nil {
			return nil, err
		}
		_, err = step.SendEvent(ctx, "announce", WelcomeSent.New(in.Event.Data))
		return id, err
	})

func sendEmail(to, subject string) (string, error) { return "msg-for-" + to, nil }

// A confirmed user gets the welcome email a day later; the test takes
// milliseconds.
func Example() {
	t := newExampleT() // in a test: the test's *testing.T
	defer t.done()

	res := durabletest.Run(t, Onboard, UserSignedUp.New(Signup{Email: "ada@example.com"}),
		durabletest.DeliverEvent("wait-confirmation", EmailConfirmed.New(Signup{Email: "ada@example.com"})),
		durabletest.MockStep("send-welcome", "msg-1", nil))

	res.AssertCompleted(t)
	res.AssertSteps(t, "wait-confirmation", "let-them-settle", "send-welcome", "announce")
	res.AssertStep(t, "send-welcome", "msg-1")
	res.AssertSent(t, "app/welcome.sent", Signup{Email: "ada@example.com"})
	fmt.Println(res.Status(), durabletest.Output[string](t, res), res.Elapsed())
	// Output: completed msg-1 24h0m0s
}

// A wait that receives nothing times out: virtual time jumps to its timeout.
func ExampleTimeoutWait() {
	t := newExampleT()
	defer t.done()

	res := durabletest.Run(t, Onboard, UserSignedUp.New(Signup{Email: "bob@example.com"}),
		durabletest.TimeoutWait("wait-confirmation"))

	res.AssertOutput(t, "not confirmed")
	fmt.Println(res.Elapsed())
	// Output: 72h0m0s
}

// The engine checks a delivered event against the wait's If expression, as
// in production: an event for another user does not resolve the wait, and
// the test says so.
func ExampleDeliverEvent_notMatching() {
	t := newExampleT()
	defer t.done()

	res := durabletest.Run(t, Onboard, UserSignedUp.New(Signup{Email: "ada@example.com"}),
		durabletest.DeliverEvent("wait-confirmation", EmailConfirmed.New(Signup{Email: "eve@example.com"})))

	fmt.Println(res.Status(), durabletest.Output[string](t, res))
	// Output:
	// FAIL: durabletest: DeliverEvent("wait-confirmation"): event {"name":"app/email.confirmed","data":{"email":"eve@example.com"},"v":"1"} does not match the wait's If expression
	// completed not confirmed
}

var charges int

// Charge charges a card, with two retries, and alerts when it gives up.
var Charge = runtime.NewFunction(runtime.FunctionOpts{ID: "charge", Retries: runtime.Retries(2),
	OnFailure: func(ctx context.Context, in runtime.Input[runtime.FunctionFailedData]) (any, error) {
		return step.Run(ctx, "alert", func(ctx context.Context) (string, error) {
			return "alerted: " + in.Event.Data.Error, nil
		})
	}}, UserSignedUp.Trigger(),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		return step.Run(ctx, "charge-card", func(ctx context.Context) (int, error) {
			charges++
			return 42, nil
		})
	})

// Failing the first attempts of a step tests retries; failing them all
// tests the OnFailure handler.
func ExampleMockStepFailures() {
	t := newExampleT()
	defer t.done()

	res := durabletest.Run(t, Charge, UserSignedUp.New(Signup{Email: "ada@example.com"}),
		durabletest.MockStepFailures("charge-card", 2, errors.New("gateway timeout")))
	res.AssertStepAttempts(t, "charge-card", 3)
	fmt.Println(res.Status(), string(res.Output()), charges)

	res = durabletest.Run(t, Charge, UserSignedUp.New(Signup{Email: "ada@example.com"}),
		durabletest.MockStep("charge-card", nil, errors.New("card declined")))
	res.AssertFailed(t, "card declined")
	fmt.Println(res.Status(), durabletest.Output[string](t, res.OnFailure()))
	// Output:
	// completed 42 1
	// failed alerted: step "charge-card" failed after 3 attempt(s): card declined
}

var executions int

// Flip picks its step from a value that changes between executions, which
// breaks runs that resume after a sleep.
var Flip = runtime.NewFunction(runtime.FunctionOpts{ID: "flip"}, UserSignedUp.Trigger(),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		executions++
		id := "send-welcome"
		if executions%2 == 0 {
			id = "send-reminder"
		}
		return step.Run(ctx, id, func(ctx context.Context) (bool, error) { return true, nil })
	})

// After the run, the harness replays it from its journal and reports the
// step where the code took another path.
func ExampleRun_replayCheck() {
	t := newExampleT()
	defer t.done()

	durabletest.Run(t, Flip, UserSignedUp.New(Signup{Email: "ada@example.com"}))
	// Output:
	// FAIL: durabletest: replay check: function "flip" takes a different path when replayed from its journal: expected step "send-welcome", reached step "send-reminder".
}

// exampleT stands in for the *testing.T that examples lack: it prints the
// first line of each failure and runs the cleanups when done.
type exampleT struct {
	testing.TB
	failed   bool
	cleanups []func()
}

func newExampleT() *exampleT { return &exampleT{} }

func (t *exampleT) Helper()                   {}
func (t *exampleT) Logf(string, ...any)       {}
func (t *exampleT) Failed() bool              { return t.failed }
func (t *exampleT) Cleanup(f func())          { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Fatalf(f string, a ...any) { t.Errorf(f, a...); panic("example stopped") }

func (t *exampleT) Errorf(format string, args ...any) {
	t.failed = true
	msg, _, _ := strings.Cut(fmt.Sprintf(format, args...), "\n")
	fmt.Println("FAIL:", msg)
}

func (t *exampleT) TempDir() string {
	dir, err := os.MkdirTemp("", "durabletest-example-")
	if err != nil {
		panic(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func (t *exampleT) done() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}
