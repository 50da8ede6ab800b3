// Package fanout splits an import into chunks handled by other functions,
// through the Inngest SDK.
package fanout

import (
	"context"
	"errors"
	"time"

	"github.com/inngest/inngestgo"
	"github.com/inngest/inngestgo/step"
)

type Import struct {
	ID     string
	Chunks []string
}

type Results interface {
	Count(ctx context.Context, importID string) (int, error)
}

type Importer struct {
	client  inngestgo.Client
	results Results
}

func (im *Importer) Register() error {
	_, err := inngestgo.CreateFunction(im.client, inngestgo.FunctionOpts{ID: "run-import"}, inngestgo.EventTrigger("import/file.uploaded", nil), im.run)
	if err != nil {
		return err
	}
	_, err = inngestgo.CreateFunction(im.client, inngestgo.FunctionOpts{ID: "poll-import"}, inngestgo.EventTrigger("import/poll.requested", nil), im.poll)
	return err
}

func (im *Importer) run(ctx context.Context, in inngestgo.Input[inngestgo.GenericEvent[Import]]) (any, error) {
	imp := in.Event.Data
	for _, c := range imp.Chunks {
		if _, err := step.Send(ctx, "start-chunk", inngestgo.Event{Name: "import/chunk.ready", Data: map[string]any{"chunk": c}}); err != nil {
			return nil, err
		}
	}
	step.Sleep(ctx, "let-chunks-finish", 5*time.Minute) // want `step.Sleep "let-chunks-finish" waits a fixed time after step.Send "start-chunk", then reads results: it guesses how long the runs those events start will take.*step.Invoke.*step.WaitForEvent`
	done, err := step.Run(ctx, "count-results", func(ctx context.Context) (int, error) { return im.results.Count(ctx, imp.ID) })
	if err != nil {
		return nil, err
	}
	_, err = step.WaitForEvent[map[string]any](ctx, "wait-report", step.WaitForEventOpts{Event: "import/report.ready", Timeout: time.Hour})
	if err != nil { // want `every error of step.WaitForEvent "wait-report" is handled here as if the wait had timed out: .*test errors.Is\(err, step.ErrEventNotReceived\)`
		return done, nil
	}
	return done, nil
}

// poll sleeps on a schedule, not after sending events: not a stand-in.
func (im *Importer) poll(ctx context.Context, in inngestgo.Input[inngestgo.GenericEvent[Import]]) (any, error) {
	step.Sleep(ctx, "backoff", time.Minute)
	n, err := step.Run(ctx, "count", func(ctx context.Context) (int, error) { return im.results.Count(ctx, in.Event.Data.ID) })
	if err != nil {
		return nil, err
	}
	if _, err := step.Send(ctx, "notify", inngestgo.Event{Name: "import/progress"}); err != nil {
		return nil, err
	}
	step.Sleep(ctx, "quiet-period", time.Hour) // nothing read after it
	ev, err := step.WaitForEvent[map[string]any](ctx, "wait-ack", step.WaitForEventOpts{Event: "import/acked", Timeout: time.Hour})
	if errors.Is(err, step.ErrEventNotReceived) {
		return n, nil
	}
	if err != nil {
		return nil, err
	}
	return ev, nil
}
