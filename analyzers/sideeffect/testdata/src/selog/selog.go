// Package selog is checked with -logging: one advice per function with steps.
package selog

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
	"github.com/inngest/inngestgo"
	istep "github.com/inngest/inngestgo/step"
)

var Remind = runtime.NewFunction(runtime.FunctionOpts{ID: "remind"}, runtime.EventTrigger("app/trial.started", ""),
	func(ctx context.Context, in runtime.Input[string]) (any, error) {
		log.Printf("reminding %s", in.Event.Data) // want `advice: log.Printf in durable function "remind" logs again on every replay of this run \(and 1 more log call\(s\) outside steps\); log inside a step, or use a replay-aware logger`
		if err := step.Sleep(ctx, "wait-a-week", 7*24*time.Hour); err != nil {
			return nil, err
		}
		fmt.Println("reminded", in.Event.Data)
		return nil, nil
	})

// No steps: no replay, no advice.
var Once = runtime.NewFunction(runtime.FunctionOpts{ID: "once"}, runtime.EventTrigger("app/trial.ended", ""),
	func(ctx context.Context, in runtime.Input[string]) (any, error) {
		log.Printf("trial ended for %s", in.Event.Data)
		return nil, nil
	})

func Register(c inngestgo.Client) {
	inngestgo.CreateFunction(c, inngestgo.FunctionOpts{ID: "nudge"}, inngestgo.EventTrigger("app/trial.started", nil),
		func(ctx context.Context, in inngestgo.Input[string]) (any, error) {
			istep.Sleep(ctx, "wait-a-day", 24*time.Hour)
			log.Println("nudging") // want `advice: log.Println in durable function "nudge" logs again on every replay of this run; log inside a step`
			return nil, nil
		})
}
