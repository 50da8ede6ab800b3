// Command worker registers its functions through a helper and serves them:
// main is not a durable function, so its goroutines, channels and waits are
// ordinary Go.
package main

import (
	"context"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"

	"tasks"
)

type Job struct{ ID string }

type handler func(ctx context.Context, job Job) (any, error)

func main() {
	client, err := inngestgo.NewClient(inngestgo.ClientOpts{AppID: "worker"})
	if err != nil {
		log.Fatal(err)
	}
	register := func(id string, h handler) {
		if _, err := inngestgo.CreateFunction(client, inngestgo.FunctionOpts{ID: id}, inngestgo.EventTrigger("worker/"+id, nil),
			func(ctx context.Context, in inngestgo.Input[Job]) (any, error) { return h(ctx, in.Event) }); err != nil {
			log.Fatal(err)
		}
	}
	register("resize-image", func(ctx context.Context, job Job) (any, error) {
		return step.Run(ctx, "resize", func(ctx context.Context) (string, error) { return job.ID, nil })
	})
	register("notify", func(ctx context.Context, job Job) (any, error) {
		return nil, tasks.Notify(ctx)
	})

	srv := &http.Server{Addr: ":8080", Handler: client.Serve()}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := srv.ListenAndServe(); err != http.ErrServerClosed {
			log.Print(err)
		}
	})
	var g errgroup.Group
	g.Go(func() error { return warmCaches(context.Background()) })
	go func() { _ = tasks.Notify(context.Background()) }() // main is no durable function, whatever it calls
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
	wg.Wait()
	_ = g.Wait()
}

func warmCaches(ctx context.Context) error { return nil }

// sweep is a step-starting helper that main's goroutine runs: the helper is
// checked on its own, and its goroutine is reported there.
func sweep(ctx context.Context, ids []string) {
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() { step.Sleep(ctx, "sweep-"+id, time.Second) }) // want `sync.WaitGroup.Go in sweep starts steps in another goroutine \(step.Sleep\).*; run concurrent branches with group.Parallel`
	}
	wg.Wait()
}
