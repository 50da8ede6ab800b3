// Package tasks holds helpers used from other packages.
package tasks

import (
	"context"
	"sync"
	"time"

	"github.com/durable-go/durable/runtime/step"
)

// Notify starts a step.
func Notify(ctx context.Context) error {
	_, err := step.Run(ctx, "notify", func(ctx context.Context) (bool, error) { return true, nil })
	return err
}

// Results returns a channel fed by a goroutine (no steps here).
func Results() <-chan int {
	ch := make(chan int, 1)
	go func() { ch <- 1 }()
	return ch
}

// FanOut is a helper that starts steps from goroutines.
func FanOut(ctx context.Context, ids []string) {
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() { // want `go statement in FanOut starts steps in another goroutine \(step.Sleep\)`
			defer wg.Done()
			_ = step.Sleep(ctx, "pause-"+id, time.Second)
		}()
	}
	wg.Wait()
}
