package sefix

import (
	"context"
	"net/http"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"

	"mailer"
)

var F = runtime.NewFunction(runtime.FunctionOpts{ID: "fix"}, runtime.CronTrigger("@daily"),
	func(ctx context.Context, in runtime.Input[struct{}]) (any, error) {
		now := time.Now()                            // want `wall-clock read time.Now`
		resp, err := http.Get("https://example.com") // want `network call http.Get`
		if err != nil {
			return nil, err
		}
		mailer.SendMail("a@example.com") // want `email smtp.SendMail`
		if now.Hour() > 12 {
			_ = mailer.Stamp() // want `wall-clock read time.Now`
		}
		return resp.StatusCode, step.Sleep(ctx, "nap", time.Minute)
	})
