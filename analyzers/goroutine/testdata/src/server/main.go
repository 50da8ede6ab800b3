// Command server runs this runtime's engine: main starts it, serves HTTP
// and waits for a signal. None of that is a durable function.
package main

import (
	"context"
	"log"
	"net/http"
	"os"
	"os/signal"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"

	"tasks"
)

type Order struct{ ID string }

var Placed = runtime.NewEventType[Order]("shop/order.placed", "1", nil)

var Fulfil = runtime.NewFunction(runtime.FunctionOpts{ID: "fulfil"}, Placed.Trigger(),
	func(ctx context.Context, in runtime.Input[Order]) (any, error) {
		done := make(chan struct{})
		go func() { // want `go statement in "fulfil" starts steps in another goroutine \(tasks.Notify → step.Run\).*run concurrent branches with step.Parallel`
			defer close(done)
			_ = tasks.Notify(ctx)
		}()
		<-done
		return step.Run(ctx, "ship", func(ctx context.Context) (string, error) { return in.Event.Data.ID, nil })
	})

func main() {
	eng, err := runtime.New(runtime.Options{})
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := eng.Start(ctx); err != nil {
		log.Fatal(err)
	}
	errs := make(chan error, 1)
	go func() { errs <- http.ListenAndServe(":8080", nil) }()
	go func() { _ = tasks.Notify(ctx) }() // main is no durable function
	select {
	case err := <-errs:
		log.Print(err)
	case <-ctx.Done():
	}
	_ = eng.Stop(context.Background())
}
