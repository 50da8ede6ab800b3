package se // want package:"hasEffects"

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	mrand "math/rand"
	"net/http"
	"os"
	"os/exec"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/google/uuid"

	"mailer"
)

type Signup struct {
	Email string
	Name  string
}

var db *sql.DB

var mail = &mailer.Client{}

// Positive cases.

var Bad = runtime.NewFunction(runtime.FunctionOpts{ID: "bad"}, runtime.EventTrigger("user/signed.up", ""),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		resp, err := http.Get("https://example.com/" + in.Event.Data.Email) // want `network call http.Get outside a step in durable function "bad": it runs again on every replay of this run; move it into step.Run`
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if _, err := db.ExecContext(ctx, "INSERT INTO users VALUES ($1)", in.Event.Data.Email); err != nil { // want `database call sql.DB.ExecContext outside a step`
			return nil, err
		}
		_ = os.WriteFile("/tmp/x", nil, 0o644) // want `file system write os.WriteFile outside a step`
		_ = exec.Command("true").Run()         // want `process execution exec.Cmd.Run outside a step`
		if mrand.Intn(2) == 0 {                // want `random number rand.Intn outside a step`
			return nil, nil
		}
		buf := make([]byte, 8)
		_, _ = rand.Read(buf)        // want `random number rand.Read outside a step`
		id := uuid.NewString()       // want `UUID generation uuid.NewString outside a step`
		fmt.Println("signed up", id) // logging: reported only with -logging (see selog)
		fmt.Println("sending")
		err = mail.Send(in.Event.Data.Email, "hi") // want `network call http.Post outside a step in durable function "bad" via mailer.Client.Send → mailer.Client.post → http.Post`
		if err := step.Sleep(ctx, "cool-off", time.Minute); err != nil {
			return nil, err
		}
		return time.Since(time.Unix(0, 0)), err // want `wall-clock read time.Since outside a step in durable function "bad": it runs again on every replay of this run; move it into step.Run`
	})

// localHelper reaches the clock through a helper of this package.
func localHelper() string { return mailer.Stamp() } // want localHelper:`sideEffect\(wall-clock read via mailer.Stamp → time.Now\)`

// Handler is a named function given to NewFunction.
func Handler(ctx context.Context, in runtime.Input[Signup]) (any, error) {
	if err := step.Sleep(ctx, "nap", time.Minute); err != nil {
		return nil, err
	}
	return localHelper(), nil // want `wall-clock read time.Now outside a step in durable function "named" via se.localHelper → mailer.Stamp → time.Now`
}

var Named = runtime.NewFunction(runtime.FunctionOpts{ID: "named"}, runtime.EventTrigger("user/signed.up", ""), Handler)

// Service's method is a handler given as a method value.
type Service struct{}

func (s *Service) Welcome(ctx context.Context, in runtime.Input[Signup]) (any, error) {
	if _, err := step.Run(ctx, "load", func(ctx context.Context) (string, error) { return in.Event.Data.Email, nil }); err != nil {
		return nil, err
	}
	return nil, mailer.SendMail(in.Event.Data.Email) // want `email smtp.SendMail outside a step in durable function "method" via mailer.SendMail → smtp.SendMail`
}

var svc = &Service{}

var Method = runtime.NewFunction(runtime.FunctionOpts{ID: "method"}, runtime.EventTrigger("user/signed.up", ""), svc.Welcome)

// Generic handlers and generic helpers.
func GenericHandler[T any](ctx context.Context, in runtime.Input[T]) (any, error) {
	step.Sleep(ctx, "nap", time.Minute)
	return mailer.Generic(in.Event.Data), nil // want `wall-clock read time.Now outside a step in durable function "generic" via mailer.Generic → mailer.Stamp → time.Now`
}

var Generic = runtime.NewFunction(runtime.FunctionOpts{ID: "generic"}, runtime.CronTrigger("@daily"), GenericHandler[Signup])

// Factory returns a handler; its body is checked here.
func Factory(greeting string) runtime.Handler[Signup] {
	return func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		now := time.Now() // want `wall-clock read time.Now outside a step in durable function Factory \(returned handler\)`
		return greeting + now.String(), step.Sleep(ctx, "nap", time.Minute)
	}
}

// Parallel branches are body code outside their own steps.
var Branches = runtime.NewFunction(runtime.FunctionOpts{ID: "branches"}, runtime.CronTrigger("@daily"),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		return step.Parallel(ctx, func(ctx context.Context) (string, error) {
			return mailer.Stamp(), nil // want `wall-clock read time.Now outside a step in durable function "branches" via mailer.Stamp → time.Now`
		})
	})

// Negative cases.

var Good = runtime.NewFunction(runtime.FunctionOpts{ID: "good"}, runtime.EventTrigger("user/signed.up", ""),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		// Pure computation and reading the input.
		greeting := mailer.Format(in.Event.Data.Name)
		d, err := mailer.Parse("1h")
		if err != nil {
			return nil, err
		}
		// Effects inside steps.
		now, err := step.Run(ctx, "now", func(ctx context.Context) (time.Time, error) { return time.Now(), nil })
		if err != nil {
			return nil, err
		}
		_, err = step.Run(ctx, "send", func(ctx context.Context) (struct{}, error) {
			fmt.Println("sending") // logging inside a step is fine
			return struct{}{}, mail.Send(in.Event.Data.Email, greeting)
		})
		if err != nil {
			return nil, err
		}
		id, err := step.Run(ctx, "id", func(ctx context.Context) (string, error) { return uuid.NewString(), nil })
		if err != nil {
			return nil, err
		}
		// A callback followed by step options is a step too.
		_, err = step.Run(ctx, "post-welcome", func(ctx context.Context) (int, error) {
			resp, err := http.Get("https://example.com/welcome")
			if err != nil {
				return 0, err
			}
			return resp.StatusCode, resp.Body.Close()
		}, step.Retry(step.RetryPolicy{MaxAttempts: 5, InitialBackoff: time.Second}), step.Timeout(10*time.Second))
		if err != nil {
			return nil, err
		}
		if err := step.Sleep(ctx, "wait", d); err != nil {
			return nil, err
		}
		_ = fmt.Sprintf("%s %s", id, now) // formatting is pure
		return id, nil
	})

// With no steps, nothing is replayed: a clock read or a single call is
// harmless (a retry of the function is a retry of that call).
var NoSteps = runtime.NewFunction(runtime.FunctionOpts{ID: "no-steps"}, runtime.EventTrigger("user/signed.up", ""),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		fmt.Println("welcome", time.Now())
		return nil, mail.Send(in.Event.Data.Email, "welcome")
	})

// With no steps and two calls with effects, a retry repeats the first.
var NoStepsTwo = runtime.NewFunction(runtime.FunctionOpts{ID: "no-steps-two"}, runtime.EventTrigger("user/signed.up", ""),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		if _, err := db.ExecContext(ctx, "UPDATE users SET welcomed = true WHERE email = $1", in.Event.Data.Email); err != nil { // want `durable function "no-steps-two" has no steps but makes 2 calls with effects \(sql.DB.ExecContext, http.Post\): a retry after a failure runs all of them again \(a second reply, a second charge\); put each in its own step.Run`
			return nil, err
		}
		return nil, mail.Send(in.Event.Data.Email, "welcome")
	})

// NotDurable is an ordinary function: effects are fine here.
func NotDurable(ctx context.Context) error { // want NotDurable:`sideEffect\(network call via http.Get\)`
	_, err := http.Get("https://example.com")
	fmt.Println(time.Now())
	return err
}

// Ignored findings.
var Ignored = runtime.NewFunction(runtime.FunctionOpts{ID: "ignored"}, runtime.EventTrigger("user/signed.up", ""),
	func(ctx context.Context, in runtime.Input[Signup]) (any, error) {
		start := time.Now() //durable:ignore sideeffect only used for a metric, never for control flow
		//durable:ignore sideeffect nothing on the next line // want "matches no sideeffect finding"
		x := 1
		return time.Duration(x) + time.Duration(start.Nanosecond()), step.Sleep(ctx, "nap", time.Minute)
	})
